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

export function listTaskStats(db: Database, allocId: string): TaskStatsRow[] {
  const rows = stmt(db, 'SELECT alloc_id, task, sampled_at, sample_json FROM task_stats WHERE alloc_id = ? ORDER BY task').all(allocId) as {
    alloc_id: string;
    task: string;
    sampled_at: number;
    sample_json: string;
  }[];
  return rows.map((r) => ({ allocId: r.alloc_id, task: r.task, sampledAt: r.sampled_at, sampleJson: r.sample_json }));
}
