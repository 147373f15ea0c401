import { stmt, type Database } from './db.js';
import type { TaskEventRecord } from './types.js';

interface EventRow {
  id: number;
  alloc_id: string;
  task: string;
  time: number;
  type: string;
  message: string;
  details_json: string;
}

function toEvent(r: EventRow): TaskEventRecord {
  return {
    id: r.id,
    allocId: r.alloc_id,
    task: r.task,
    time: r.time,
    type: r.type,
    message: r.message,
    details: JSON.parse(r.details_json) as Record<string, unknown>,
  };
}

export function appendTaskEvent(
  db: Database,
  allocId: string,
  task: string,
  time: number,
  type: string,
  message: string,
  details: Readonly<Record<string, unknown>> = {},
): void {
  stmt(db, 'INSERT INTO task_events (alloc_id, task, time, type, message, details_json) VALUES (?, ?, ?, ?, ?, ?)').run(
    allocId,
    task,
    time,
    type,
    message,
    JSON.stringify(details),
  );
}

/** Oldest first. */
export function listTaskEvents(db: Database, allocId: string, task?: string): TaskEventRecord[] {
  const rows =
    task === undefined
      ? (stmt(db, 'SELECT * FROM task_events WHERE alloc_id = ? ORDER BY id').all(allocId) as EventRow[])
      : (stmt(db, 'SELECT * FROM task_events WHERE alloc_id = ? AND task = ? ORDER BY id').all(allocId, task) as EventRow[]);
  return rows.map(toEvent);
}

/** Times of the task's restarts, oldest first: the restart policy's memory, kept in rows (a user's `alloc restart` does not count, as in Nomad). */
export function listRestartTimes(db: Database, allocId: string, task: string): number[] {
  return (stmt(db, `SELECT time FROM task_events WHERE alloc_id = ? AND task = ? AND type = 'Restarting' AND json_extract(details_json, '$.user') IS NOT 1 ORDER BY id`).all(allocId, task) as { time: number }[]).map(
    (r) => r.time,
  );
}

export function countTaskEvents(db: Database): number {
  return (stmt(db, 'SELECT count(*) AS n FROM task_events').get() as { n: number }).n;
}
