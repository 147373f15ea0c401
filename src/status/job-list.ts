import type { Database, AllocCounts, JobSummary } from '../state/index.js';
import { layoutJobList, listJobRows } from '../state/status-list.js';
import type { JobType } from '../jobspec/types.js';
import { MS_TO_NS, formatTable, formatTime } from '../cli/format.js';
// The status module alone, not the scheduler's index: the index pulls in semver and the
// constraint checkers, ~60 ms of a cold `status` for nothing it uses.
import { jobStatus, jobStatusLabel, type JobStatus } from '../scheduler/status.js';
import type { JobStub } from './api.js';

/**
 * `bivouac status`'s job list: each job's five cells (ID, Type, Priority, Status, Submit Date)
 * and the status they derive from. A module of its own, apart from the read model (api.ts),
 * so the list's bundle loads none of what the other layouts need.
 */

/** The list's columns, as Nomad's `status` names them. */
export const LIST_HEADER = ['ID', 'Type', 'Priority', 'Status', 'Submit Date'] as const;

/**
 * The list's table, header and a row per job in ID order, as formatTable lays out listJobCells;
 * '' when there is no job. SQLite lays it out (layoutJobList) when it can do so exactly, which
 * spares 1,000 rows of cells built in JavaScript; else the cells are.
 */
export function jobListTable(db: Database): string {
  const laidOut = layoutJobList(db, LIST_HEADER, (i) => jobStatusLabel(stubStatus(i, i.stopped, i.pendingWork, { live: i.live ? 1 : 0, total: i.anyAlloc ? 1 : 0 }, false), i.stopped));
  if (laidOut !== null) return laidOut;
  const cells = listJobCells(db);
  return cells.length === 0 ? '' : formatTable(LIST_HEADER, cells);
}

/** A job's status from its summary and counts; `placementFailures`: whether the job has any. */
export function stubStatus(summary: Pick<JobSummary, 'type' | 'periodic' | 'parameterized'>, stopped: boolean, placementFailures: boolean, counts: AllocCounts, rescheduleDue: boolean): JobStatus {
  const { live, total } = counts;
  return jobStatus({
    type: summary.type as JobType,
    periodic: summary.periodic,
    parameterized: summary.parameterized,
    stopped,
    // jobStatus asks only whether any alloc is live, and whether any exists at all.
    allocs: live > 0 ? [{ desiredStatus: 'run', clientStatus: 'running' }] : total > 0 ? [{ desiredStatus: 'stop', clientStatus: 'complete' }] : [],
    // A reschedule due is work still to do: the job reads pending, not dead, meanwhile (as Nomad's delayed evals).
    pendingWork: placementFailures || rescheduleDue,
  });
}

/** The text list's cells of a stub: ID, Type, Priority, Status, Submit Date. */
export function jobListCells(j: JobStub): string[] {
  return [j.ID, j.Type, String(j.Priority), jobStatusLabel(j.Status, j.Stop), formatTime(j.SubmitTime / MS_TO_NS)];
}

/**
 * The text list's cells of every job, as jobListCells of listJobStubs gives them, without a
 * JobStub per job: one short row a job, read as an array (listJobRows). A status depends on
 * few inputs: each combination is derived once (stubStatus) and its label reused, so a row
 * costs its five strings and nothing else.
 */
export function listJobCells(db: Database): string[][] {
  const rows = listJobRows(db);
  // Per type, the label of each combination of the other inputs (six bits): no string built per row.
  const labels = new Map<string, string[]>();
  const out: string[][] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const type = r[1];
    const pendingWork = r[7] === 1 || r[10] === 1;
    const key = r[3] | (r[4] << 1) | (r[5] << 2) | (r[8] > 0 ? 8 : 0) | (r[9] > 0 ? 16 : 0) | (pendingWork ? 32 : 0);
    let byKey = labels.get(type);
    if (byKey === undefined) labels.set(type, (byKey = []));
    let label = byKey[key];
    if (label === undefined) {
      const stopped = r[5] === 1;
      const status = stubStatus({ type, periodic: r[3] === 1, parameterized: r[4] === 1 }, stopped, pendingWork, { live: r[8], total: r[9] }, false);
      label = byKey[key] = jobStatusLabel(status, stopped);
    }
    // The stub's SubmitTime is in ns: the same arithmetic, so the same rounding, as jobListCells.
    out[i] = [r[0], type, String(r[2]), label, formatTime((r[6] * MS_TO_NS) / MS_TO_NS)];
  }
  return out;
}

