import { stmt, type Database } from './db.js';

/**
 * One job of `bivouac status`'s list as its columns come from SQLite (better-sqlite3's raw
 * rows: no object per row): ID, type, priority, then what its status derives from — periodic,
 * parameterized, stopped (0/1), submit time (ms), placement failures (0/1), allocations pending
 * or running, allocations in all, a reschedule due (0/1).
 */
export type JobListRow = readonly [
  id: string,
  type: string,
  priority: number,
  periodic: number,
  parameterized: number,
  stopped: number,
  submitTime: number,
  failures: number,
  live: number,
  allocs: number,
  rescheduleDue: number,
];

/**
 * Every job's list row, ordered by ID: one short row a job from `job_list` (schema 010, kept
 * by triggers), not each job joined to its version's summary (stored after the spec, in
 * overflow pages) and two probes of its allocations: ~7 → ~2 ms at 1,000 jobs, cold.
 */
export function listJobRows(db: Database): JobListRow[] {
  return stmt(
    db,
    `SELECT id, type, priority, periodic, parameterized, stopped, submit_time, failures, live, allocs,
       id IN (SELECT job_id FROM reschedules WHERE state = 'due')
     FROM job_list ORDER BY id`,
  )
    .raw(true)
    .all() as JobListRow[];
}
