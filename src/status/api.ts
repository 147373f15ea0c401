import type { Database, AllocCounts, JobRecord, JobSummary } from '../state/index.js';
import type { JobType } from '../jobspec/types.js';
import { countAllocsByGroup, countAllocsByJobGroup, listJobSummaries, countAllocsByJob, jobsWithDueReschedule } from '../state/index.js';
import { MS_TO_NS } from '../cli/format.js';
import type { JobStatus } from '../scheduler/status.js';
import { stubStatus } from './job-list.js';

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
