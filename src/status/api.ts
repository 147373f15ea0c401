import type { Database, AllocCounts, JobRecord, JobSummary } from '../state/index.js';
import type { JobType } from '../jobspec/types.js';
import { countAllocsByGroup, countAllocsByJobGroup, listJobSummaries, countAllocsByJob, jobsWithDueReschedule, listJobRows } from '../state/index.js';
import { MS_TO_NS, formatTime } from '../cli/format.js';
// The status module alone, not the scheduler's index: the index pulls in semver and the
// constraint checkers, ~60 ms of a cold `status` for nothing it uses.
import { jobStatus, jobStatusLabel, type JobStatus } from '../scheduler/status.js';

/**
 * The read model behind `bivouac status`, `job status` and `alloc status`: rows turned into
 * Nomad's API JSON (field names as Nomad's HTTP API returns them), which `--json` prints
 * and the text layouts render. Read-only.
 */

/** Nomad's JobListStub (`GET /v1/jobs`), plus bivouac's SourceFile. */
export interface JobStub {
  readonly ID: string;
  readonly ParentID: string;
  readonly Name: string;
  readonly Namespace: string;
  readonly Type: string;
  readonly Priority: number;
  readonly Datacenters: readonly string[];
  readonly Multiregion: null;
  readonly Periodic: boolean;
  readonly ParameterizedJob: boolean;
  readonly Stop: boolean;
  readonly Status: JobStatus;
  readonly StatusDescription: string;
  readonly Version: number;
  readonly SubmitTime: number;
  readonly SourceFile: string;
  /** Nomad's summary, embedded when the list was asked with summaries (the API's list always is). */
  readonly JobSummary: ApiJobSummary | null;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
  readonly JobModifyIndex: number;
}

/** `GET /v1/job/:id/summary`. */
export interface ApiJobSummary {
  readonly JobID: string;
  readonly Namespace: string;
  readonly Summary: Readonly<Record<string, GroupSummary>>;
  readonly Children: { readonly Pending: number; readonly Running: number; readonly Dead: number };
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
}

/** `counts`: the job's per-group status counts when the caller read every job's at once. */
export function apiJobSummary(db: Database, j: JobRecord, summary: JobSummary, counts?: readonly GroupCount[]): ApiJobSummary {
  return {
    JobID: j.id,
    Namespace: summary.namespace,
    Summary: jobSummary(db, j.id, summary.groups, j.placementFailures, counts),
    Children: { Pending: 0, Running: 0, Dead: 0 },
    CreateIndex: j.createIndex,
    ModifyIndex: j.modifyIndex,
  };
}

/** A job's status from its summary and counts; `placementFailures`: whether the job has any. */
function stubStatus(summary: Pick<JobSummary, 'type' | 'periodic' | 'parameterized'>, stopped: boolean, placementFailures: boolean, counts: AllocCounts, rescheduleDue: boolean): JobStatus {
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

export function jobStub(j: JobRecord, summary: JobSummary, counts: AllocCounts = { live: 0, total: 0 }, apiSummary: ApiJobSummary | null = null, rescheduleDue = false): JobStub {
  const status = stubStatus(summary, j.stopped, j.placementFailures !== null, counts, rescheduleDue);
  return {
    ID: j.id,
    ParentID: '',
    Name: summary.name,
    Namespace: summary.namespace,
    Type: summary.type,
    Priority: summary.priority,
    Datacenters: summary.datacenters,
    Multiregion: null,
    Periodic: summary.periodic,
    ParameterizedJob: summary.parameterized,
    Stop: j.stopped,
    Status: status,
    StatusDescription: '',
    Version: j.version,
    SubmitTime: j.submitTime * MS_TO_NS,
    SourceFile: j.sourceFile,
    JobSummary: apiSummary,
    CreateIndex: j.createIndex,
    ModifyIndex: j.modifyIndex,
    JobModifyIndex: j.jobModifyIndex,
  };
}

/**
 * The job list in three queries, whatever the number of jobs and allocations; with
 * `summaries` (the API's list, whose clients read JobSummary.Namespace) one more per job.
 */
export function listJobStubs(db: Database, summaries = false, prefix = ''): JobStub[] {
  const groups = summaries ? countAllocsByJobGroup(db) : null;
  // With the group counts read, the per-job counts follow from them: one query fewer.
  const counts = groups ? new Map([...groups].map(([id, rows]) => [id, countsOf(rows)])) : countAllocsByJob(db);
  const due = jobsWithDueReschedule(db);
  return listJobSummaries(db)
    .filter(({ job }) => job.id.startsWith(prefix))
    .map(({ job, summary }) => jobStub(job, summary, counts.get(job.id), groups ? apiJobSummary(db, job, summary, groups.get(job.id) ?? []) : null, due.has(job.id)));
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

function countsOf(rows: readonly GroupCount[]): AllocCounts {
  let live = 0;
  let total = 0;
  for (const r of rows) {
    total += r.n;
    if (r.status === 'pending' || r.status === 'running') live += r.n;
  }
  return { live, total };
}

/** Nomad 1.0's TaskGroupSummary (Unknown is a later Nomad's; kept for bivouac's own layout). */
export interface GroupSummary {
  Queued: number;
  Complete: number;
  Failed: number;
  Running: number;
  Starting: number;
  Lost: number;
  Unknown: number;
}

/** `unplaced`: the job's placement failures; an allocation that could not be placed is Queued, as in Nomad. */
type GroupCount = { readonly group: string; readonly status: string; readonly n: number };

export function jobSummary(db: Database, jobId: string, groups: readonly string[], unplaced: JobRecord['placementFailures'] = null, counts?: readonly GroupCount[]): Record<string, GroupSummary> {
  const out: Record<string, GroupSummary> = {};
  const blank = (): GroupSummary => ({ Queued: 0, Complete: 0, Failed: 0, Running: 0, Starting: 0, Lost: 0, Unknown: 0 });
  for (const g of groups) out[g] = blank();
  for (const r of counts ?? countAllocsByGroup(db, jobId)) {
    const s = (out[r.group] ??= blank());
    if (r.status === 'pending') s.Starting += r.n;
    else if (r.status === 'running') s.Running += r.n;
    else if (r.status === 'failed') s.Failed += r.n;
    else if (r.status === 'complete') s.Complete += r.n;
    else if (r.status === 'lost') s.Lost += r.n;
  }
  for (const f of unplaced ?? []) (out[f.group] ??= blank()).Queued += f.count;
  return out;
}

export type { ApiTaskEvent } from './task-event.js';

export { apiTaskState, type ApiTaskState } from './task-state.js';
export { apiAlloc, apiAllocStub, type ApiAlloc, type ApiAllocStub } from './alloc.js';
