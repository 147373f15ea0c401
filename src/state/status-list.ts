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

/** What a job's list status derives from (the columns of `job_list` behind it; a reschedule due counts as pending work). */
export interface JobStatusInputs {
  readonly type: string;
  readonly periodic: boolean;
  readonly parameterized: boolean;
  readonly stopped: boolean;
  readonly live: boolean;
  readonly anyAlloc: boolean;
  readonly pendingWork: boolean;
}

/** The inputs other than the type as six bits, in JobStatusInputs' order (a value counts when it is 1, as listJobRows' readers take it). */
const BITS = `(periodic = 1) + 2 * (parameterized = 1) + 4 * (stopped = 1) + 8 * (live > 0) + 16 * (allocs > 0)
  + 32 * (failures = 1 OR id IN (SELECT job_id FROM reschedules WHERE state = 'due'))`;

/**
 * A row SQLite lays out exactly as formatTable would: its ID and type ASCII (as many bytes as
 * characters: printf pads by bytes, JavaScript by UTF-16 units, equal only then; no NUL, where
 * SQLite's strings end) and without whitespace or control characters at their ends (formatTable
 * trims them); a submit time from 1970 to 9999, which strftime and toISOString format alike.
 */
const PLAIN = `length(CAST(id AS BLOB)) = length(id) AND unicode(id) > 32 AND unicode(substr(id, -1)) > 32
  AND length(CAST(type AS BLOB)) = length(type) AND unicode(type) > 32 AND unicode(substr(type, -1)) > 32
  AND submit_time BETWEEN 0 AND 253402300799999`;

/**
 * The job list laid out by SQLite as Nomad's columnize (formatTable) lays out the cells ID,
 * Type, Priority, Status and Submit Date: columns two spaces apart, each as wide as its widest
 * cell, the last not padded, rows in ID order, a newline after each; `label` gives the Status
 * cell of each combination of inputs the jobs have (a handful). One string crosses into
 * JavaScript instead of a row, five cells and their padding per job: cold, in V8's
 * interpreter, those cost a `status` of 1,000 jobs ~8 ms (garbage to scavenge, and a TurboFan
 * job the process waited for at exit). Both reads in one transaction: one snapshot.
 * Null when a row is not plain (PLAIN): the caller lays the list out itself (listJobRows);
 * '' when there is no job.
 */
export function layoutJobList(db: Database, header: readonly [string, string, string, string, string], label: (inputs: JobStatusInputs) => string): string | null {
  return db.transaction(() => {
    const combos = stmt(db, `SELECT type, ${BITS} AS bits, min(${PLAIN}) FROM job_list GROUP BY type, bits`).raw(true).all() as [string, number, number][];
    if (combos.length === 0) return '';
    // The Status cell: a CASE over the combinations, each one's type, bits and label bound as parameters.
    const params: Record<string, string | number> = { h0: header[0], h1: header[1], h2: header[2], h3: header[3], h4: header[4] };
    let status = 'CASE';
    for (const [type, bits, plain] of combos) {
      if (plain !== 1) return null;
      const has = (bit: number): boolean => (bits & bit) !== 0;
      const text = label({ type, periodic: has(1), parameterized: has(2), stopped: has(4), live: has(8), anyAlloc: has(16), pendingWork: has(32) });
      const i = Object.keys(params).length;
      status += ` WHEN type = @t${i} AND bits = @b${i} THEN @l${i}`;
      params[`t${i}`] = type;
      params[`b${i}`] = bits;
      params[`l${i}`] = text;
    }
    status += ' END';
    return stmt(
      db,
      `WITH b AS MATERIALIZED (SELECT id, type, priority, submit_time, ${BITS} AS bits FROM job_list),
       r AS MATERIALIZED (
         SELECT id, type, CAST(priority AS TEXT) AS pr, ${status} AS st,
           strftime('%Y-%m-%dT%H:%M:%SZ', submit_time / 1000, 'unixepoch') AS d
         FROM b),
       w AS (SELECT max(length(@h0), max(length(id))) AS id, max(length(@h1), max(length(type))) AS ty,
         max(length(@h2), max(length(pr))) AS pr, max(length(@h3), max(length(st))) AS st FROM r)
       SELECT printf('%-*s  %-*s  %-*s  %-*s  %s', w.id, @h0, w.ty, @h1, w.pr, @h2, w.st, @h3, @h4) || char(10)
         || group_concat(printf('%-*s  %-*s  %-*s  %-*s  %s', w.id, r.id, w.ty, r.type, w.pr, r.pr, w.st, r.st, r.d) || char(10), '' ORDER BY r.id)
       FROM r, w`,
    )
      .pluck()
      .get(params) as string;
  }).deferred();
}
