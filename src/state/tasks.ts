import { stmt, type Database } from './db.js';
import type { StoredHandle, TaskStateName, TaskStateRecord } from './types.js';

interface TaskRow {
  alloc_id: string;
  task: string;
  driver: string;
  state: string;
  failed: number;
  restarts: number;
  attempt: number;
  starting: number;
  started_at: number | null;
  finished_at: number | null;
  last_restart: number | null;
  restart_at: number | null;
}

function toTask(r: TaskRow): TaskStateRecord {
  return {
    allocId: r.alloc_id,
    task: r.task,
    driver: r.driver,
    state: r.state as TaskStateName,
    failed: r.failed === 1,
    restarts: r.restarts,
    attempt: r.attempt,
    starting: r.starting === 1,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    lastRestart: r.last_restart,
    restartAt: r.restart_at,
  };
}

export function listTaskStates(db: Database, allocId: string): TaskStateRecord[] {
  return (stmt(db, 'SELECT * FROM task_states WHERE alloc_id = ? ORDER BY task').all(allocId) as TaskRow[]).map(toTask);
}

export function getTaskState(db: Database, allocId: string, task: string): TaskStateRecord | null {
  const r = stmt(db, 'SELECT * FROM task_states WHERE alloc_id = ? AND task = ?').get(allocId, task) as TaskRow | undefined;
  return r ? toTask(r) : null;
}

/** The intent of a start, written before the driver is called: attempt+1 and `starting`. */
export function markStarting(db: Database, allocId: string, task: string): number {
  stmt(db, 'UPDATE task_states SET attempt = attempt + 1, starting = 1, restart_at = NULL WHERE alloc_id = ? AND task = ?').run(allocId, task);
  return (stmt(db, 'SELECT attempt FROM task_states WHERE alloc_id = ? AND task = ?').get(allocId, task) as { attempt: number }).attempt;
}

/** The start happened: the handle and the running state land together. */
export function markRunning(db: Database, allocId: string, task: string, attempt: number, driver: string, handle: unknown, now: number): void {
  stmt(
    db,
    `INSERT INTO task_handles (alloc_id, task, attempt, driver, handle_json, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (alloc_id, task) DO UPDATE SET attempt = excluded.attempt, driver = excluded.driver,
       handle_json = excluded.handle_json, created_at = excluded.created_at`,
  ).run(allocId, task, attempt, driver, JSON.stringify(handle), now);
  stmt(db, `UPDATE task_states SET state = 'running', starting = 0, started_at = ? WHERE alloc_id = ? AND task = ?`).run(now, allocId, task);
}

/** The start attempt ended without a running task (start error, or an orphan cleaned up). */
export function clearStarting(db: Database, allocId: string, task: string): void {
  stmt(db, 'UPDATE task_states SET starting = 0 WHERE alloc_id = ? AND task = ?').run(allocId, task);
}

/** The task's process is gone: its handle goes with it. */
export function markExited(db: Database, allocId: string, task: string): void {
  stmt(db, 'DELETE FROM task_handles WHERE alloc_id = ? AND task = ?').run(allocId, task);
  stmt(db, `UPDATE task_states SET starting = 0 WHERE alloc_id = ? AND task = ?`).run(allocId, task);
}

export function markRestarting(db: Database, allocId: string, task: string, restartAt: number, now: number): void {
  stmt(
    db,
    `UPDATE task_states SET state = 'pending', restarts = restarts + 1, last_restart = ?, restart_at = ? WHERE alloc_id = ? AND task = ?`,
  ).run(now, restartAt, allocId, task);
}

export function markDead(db: Database, allocId: string, task: string, failed: boolean, now: number): void {
  stmt(db, 'DELETE FROM task_handles WHERE alloc_id = ? AND task = ?').run(allocId, task);
  stmt(
    db,
    `UPDATE task_states SET state = 'dead', failed = ?, starting = 0, restart_at = NULL, finished_at = ? WHERE alloc_id = ? AND task = ?`,
  ).run(failed ? 1 : 0, now, allocId, task);
}

interface HandleRow {
  alloc_id: string;
  task: string;
  attempt: number;
  driver: string;
  handle_json: string;
  created_at: number;
}

export function getHandle(db: Database, allocId: string, task: string): StoredHandle | null {
  const r = stmt(db, 'SELECT * FROM task_handles WHERE alloc_id = ? AND task = ?').get(allocId, task) as HandleRow | undefined;
  return r
    ? { allocId: r.alloc_id, task: r.task, attempt: r.attempt, driver: r.driver, handle: JSON.parse(r.handle_json) as unknown, createdAt: r.created_at }
    : null;
}

export function listHandles(db: Database): StoredHandle[] {
  return (stmt(db, 'SELECT * FROM task_handles').all() as HandleRow[]).map((r) => ({
    allocId: r.alloc_id,
    task: r.task,
    attempt: r.attempt,
    driver: r.driver,
    handle: JSON.parse(r.handle_json) as unknown,
    createdAt: r.created_at,
  }));
}
