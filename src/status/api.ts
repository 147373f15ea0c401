import type { Database, AllocRecord, AllocCounts, JobRecord, JobSummary, TaskStateRecord, TaskEventRecord } from '../state/index.js';
import type { JobType } from '../jobspec/types.js';
import {
  countAllocsByGroup,
  getCurrentJobVersion,
  getJobVersion,
  listAllocsForJob,
  listTaskEvents,
  listTaskStates,
  getNode,
  listJobSummaries,
  countAllocsByJob,
  jobHasDueReschedule,
} from '../state/index.js';
import { MS_TO_NS } from '../cli/format.js';
import { rescheduleFields, type ApiRescheduleEvent, type RescheduleInfo } from './api-reschedule.js';
// The status module alone, not the scheduler's index: the index pulls in semver and the
// constraint checkers, ~60 ms of a cold `status` for nothing it uses.
import { jobStatus, type JobStatus } from '../scheduler/status.js';

/**
 * The read model behind `bivouac status`, `job status` and `alloc status`: rows turned into
 * Nomad's API JSON (field names as Nomad's HTTP API returns them), which `--json` prints
 * and the text layouts render. Read-only.
 */

export interface JobStub {
  readonly ID: string;
  readonly Name: string;
  readonly Namespace: string;
  readonly Type: string;
  readonly Priority: number;
  readonly Datacenters: readonly string[];
  readonly Periodic: boolean;
  readonly ParameterizedJob: boolean;
  readonly Stop: boolean;
  readonly Status: JobStatus;
  readonly StatusDescription: string;
  readonly Version: number;
  readonly SubmitTime: number;
  readonly SourceFile: string;
}

export function jobStub(j: JobRecord, summary: JobSummary, counts: AllocCounts = { live: 0, total: 0 }, rescheduleDue = false): JobStub {
  const { live, total } = counts;
  const status = jobStatus({
    type: summary.type as JobType,
    periodic: summary.periodic,
    parameterized: summary.parameterized,
    stopped: j.stopped,
    // jobStatus asks only whether any alloc is live, and whether any exists at all.
    allocs: live > 0 ? [{ desiredStatus: 'run', clientStatus: 'running' }] : total > 0 ? [{ desiredStatus: 'stop', clientStatus: 'complete' }] : [],
    // A reschedule due is work still to do: the job reads pending, not dead, meanwhile (as Nomad's blocked/delayed evals).
    pendingWork: j.placementFailures !== null || rescheduleDue,
  });
  return {
    ID: j.id,
    Name: summary.name,
    Namespace: summary.namespace,
    Type: summary.type,
    Priority: summary.priority,
    Datacenters: summary.datacenters,
    Periodic: summary.periodic,
    ParameterizedJob: summary.parameterized,
    Stop: j.stopped,
    Status: status,
    StatusDescription: '',
    Version: j.version,
    SubmitTime: j.submitTime * MS_TO_NS,
    SourceFile: j.sourceFile,
  };
}

/** The job list in three queries, whatever the number of jobs and allocations. */
export function listJobStubs(db: Database): JobStub[] {
  const counts = countAllocsByJob(db);
  return listJobSummaries(db).map(({ job, summary }) => jobStub(job, summary, counts.get(job.id), jobHasDueReschedule(db, job.id)));
}

export interface GroupSummary {
  Queued: number;
  Starting: number;
  Running: number;
  Failed: number;
  Complete: number;
  Lost: number;
  Unknown: number;
}

export function jobSummary(db: Database, jobId: string, groups: readonly string[]): Record<string, GroupSummary> {
  const out: Record<string, GroupSummary> = {};
  const blank = (): GroupSummary => ({ Queued: 0, Starting: 0, Running: 0, Failed: 0, Complete: 0, Lost: 0, Unknown: 0 });
  for (const g of groups) out[g] = blank();
  for (const r of countAllocsByGroup(db, jobId)) {
    const s = (out[r.group] ??= blank());
    if (r.status === 'pending') s.Starting += r.n;
    else if (r.status === 'running') s.Running += r.n;
    else if (r.status === 'failed') s.Failed += r.n;
    else if (r.status === 'complete') s.Complete += r.n;
    else if (r.status === 'lost') s.Lost += r.n;
  }
  return out;
}

export interface ApiTaskEvent {
  readonly Type: string;
  readonly Time: number;
  readonly DisplayMessage: string;
  readonly Details: Readonly<Record<string, unknown>>;
  readonly ExitCode: number;
  readonly Signal: number;
}

export interface ApiTaskState {
  readonly State: string;
  readonly Failed: boolean;
  readonly Restarts: number;
  readonly LastRestart: string | null;
  readonly StartedAt: string | null;
  readonly FinishedAt: string | null;
  readonly Events: readonly ApiTaskEvent[];
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function apiTaskState(t: TaskStateRecord, events: readonly TaskEventRecord[]): ApiTaskState {
  return {
    State: t.state,
    Failed: t.failed,
    Restarts: t.restarts,
    LastRestart: iso(t.lastRestart),
    StartedAt: iso(t.startedAt),
    FinishedAt: iso(t.finishedAt),
    Events: events.map((e) => ({
      Type: e.type,
      Time: e.time * MS_TO_NS,
      DisplayMessage: e.message,
      Details: e.details,
      ExitCode: typeof e.details.exitCode === 'number' ? e.details.exitCode : 0,
      Signal: typeof e.details.signal === 'number' ? e.details.signal : 0,
    })),
  };
}

export interface ApiAlloc {
  readonly ID: string;
  readonly Name: string;
  readonly NodeID: string;
  readonly NodeName: string;
  readonly JobID: string;
  readonly TaskGroup: string;
  readonly JobVersion: number;
  readonly DesiredStatus: string;
  readonly DesiredDescription: string;
  readonly ClientStatus: string;
  readonly ClientDescription: string;
  readonly AllocatedPorts: readonly { Label: string; Value: number; To: number; Task: string | null }[];
  readonly Resources: { CPU: number; MemoryMB: number; DiskMB: number };
  /** Nomad's per-task view: `Tasks[task].Cpu.CpuShares` (MHz), `Tasks[task].Memory.MemoryMB`. */
  readonly AllocatedResources: {
    readonly Tasks: Readonly<Record<string, { Cpu: { CpuShares: number }; Memory: { MemoryMB: number } }>>;
    readonly Shared: { DiskMB: number };
  };
  readonly TaskStates: Readonly<Record<string, ApiTaskState>>;
  readonly CreateTime: number;
  readonly ModifyTime: number;
  readonly PreviousAllocation: string;
  readonly NextAllocation: string;
  readonly RescheduleTracker: { readonly Events: readonly ApiRescheduleEvent[] } | null;
  /** bivouac's own (Nomad derives these from alloc.Job and the follow-up evaluation): `alloc status`'s reschedule lines. */
  readonly RescheduleInfo: RescheduleInfo;
}

export function apiAlloc(db: Database, a: AllocRecord, withTasks = true): ApiAlloc {
  const node = getNode(db);
  const taskStates: Record<string, ApiTaskState> = {};
  const group = withTasks ? (getJobVersion(db, a.jobId, a.jobVersion) ?? getCurrentJobVersion(db, a.jobId))?.job.groups.find((g) => g.name === a.taskGroup) : undefined;
  const taskResources: Record<string, { Cpu: { CpuShares: number }; Memory: { MemoryMB: number } }> = {};
  for (const t of group?.tasks ?? []) taskResources[t.name] = { Cpu: { CpuShares: t.resources.cpu }, Memory: { MemoryMB: t.resources.memoryMB } };
  if (withTasks) for (const t of listTaskStates(db, a.id)) taskStates[t.task] = apiTaskState(t, listTaskEvents(db, a.id, t.task));
  return {
    ID: a.id,
    Name: a.name,
    NodeID: node?.info.id ?? '',
    NodeName: node?.info.name ?? '',
    JobID: a.jobId,
    TaskGroup: a.taskGroup,
    JobVersion: a.jobVersion,
    DesiredStatus: a.desiredStatus,
    DesiredDescription: a.desiredDescription,
    ClientStatus: a.clientStatus,
    ClientDescription: a.clientDescription,
    AllocatedPorts: a.ports.map((p) => ({ Label: p.label, Value: p.value, To: p.to, Task: p.task })),
    Resources: { CPU: a.resources.cpu, MemoryMB: a.resources.memoryMB, DiskMB: a.resources.diskMB },
    AllocatedResources: { Tasks: taskResources, Shared: { DiskMB: a.resources.diskMB } },
    TaskStates: taskStates,
    CreateTime: a.createTime * MS_TO_NS,
    ModifyTime: a.modifyTime * MS_TO_NS,
    ...rescheduleFields(db, a, group?.reschedule ?? null),
  };
}
