/** The latest resource sample per running task (schema 4): written in one transaction, read by status. */
import { stmt, tx, type Database } from './db.js';

export interface TaskStatsRow {
  readonly allocId: string;
  readonly task: string;
  /** Epoch ms. */
  readonly sampledAt: number;
  /** JSON text of the sample, as the sampler made it. */
  readonly sampleJson: string;
}

/**
 * Replaces every stored sample with `rows` (one transaction): tasks no longer sampled lose
 * their row, so a stopped task never shows stale usage.
 */
export function replaceTaskStats(db: Database, rows: readonly TaskStatsRow[]): void {
  tx(db, () => {
    stmt(db, 'DELETE FROM task_stats').run();
    const put = stmt(
      db,
      `INSERT INTO task_stats (alloc_id, task, sampled_at, sample_json)
       SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM task_states WHERE alloc_id = ? AND task = ?)`,
    );
    for (const r of rows) put.run(r.allocId, r.task, r.sampledAt, r.sampleJson, r.allocId, r.task);
  });
}

/**
 * Writes `put` (each row replacing its task's last) and removes the rows of `gone`, in one
 * transaction; nothing at all when both are empty.
 */
export function updateTaskStats(db: Database, put: readonly TaskStatsRow[], gone: readonly { readonly allocId: string; readonly task: string }[]): void {
  if (put.length === 0 && gone.length === 0) return;
  tx(db, () => {
    const del = stmt(db, 'DELETE FROM task_stats WHERE alloc_id = ? AND task = ?');
    for (const g of gone) del.run(g.allocId, g.task);
    const upsert = stmt(
      db,
      `INSERT INTO task_stats (alloc_id, task, sampled_at, sample_json)
       SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM task_states WHERE alloc_id = ? AND task = ?)
       ON CONFLICT (alloc_id, task) DO UPDATE SET sampled_at = excluded.sampled_at, sample_json = excluded.sample_json`,
    );
    for (const r of put) upsert.run(r.allocId, r.task, r.sampledAt, r.sampleJson, r.allocId, r.task);
  });
}

export function listTaskStats(db: Database, allocId: string): TaskStatsRow[] {
  const rows = stmt(db, 'SELECT alloc_id, task, sampled_at, sample_json FROM task_stats WHERE alloc_id = ? ORDER BY task').all(allocId) as {
    alloc_id: string;
    task: string;
    sampled_at: number;
    sample_json: string;
  }[];
  return rows.map((r) => ({ allocId: r.alloc_id, task: r.task, sampledAt: r.sampled_at, sampleJson: r.sample_json }));
}

/** A task the stats sampler asks its driver about: the running attempt's handle, its task id read by SQLite. */
export interface SampledTask {
  readonly allocId: string;
  readonly task: string;
  readonly driver: string;
  /** The handle's taskId; null where the stored handle has none. */
  readonly taskId: string | null;
}

/** Every stored handle's task, for a sampler round: the handle's JSON is not handed over nor parsed. */
export function listSampledTasks(db: Database): SampledTask[] {
  const rows = stmt(db, "SELECT alloc_id, task, driver, json_extract(handle_json, '$.taskId') FROM task_handles").raw(true).all() as [string, string, string, unknown][];
  return rows.map(([allocId, task, driver, taskId]) => ({ allocId, task, driver, taskId: typeof taskId === 'string' ? taskId : null }));
}
