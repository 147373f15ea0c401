/**
 * Nomad's Allocation (`GET /v1/allocation/:id`, `alloc status -json`) and AllocListStub
 * (`GET /v1/allocations`, `/v1/job/:id/allocations`): rows turned into Nomad's fields, the
 * ones Nomad's CLI reads without a nil check always filled (Job, TaskResources,
 * Resources.DiskMB, AllocatedResources.Shared.Networks).
 */
import type { ApiValue } from '../jobspec/api-json.js';
import type { Group, Job } from '../jobspec/types.js';
import type { AllocPort, AllocRecord, Database, EvalRecord, JobRecord, JobVersionRecord, NodeBrief } from '../state/index.js';
import { getJob, getJobVersion, getCurrentJobVersion, getNodeBrief, listEvalsForJob, listTaskEvents, listTaskStates } from '../state/index.js';
import { MS_TO_NS } from '../cli/format.js';
import { apiTaskState, type ApiTaskState } from './task-state.js';
import { rescheduleFields, type ApiRescheduleEvent, type RescheduleInfo } from './api-reschedule.js';
import { lifecycleJson } from '../jobspec/api-json-lifecycle.js';
import { apiJob, jobStateOf } from './job.js';
import { jobStatus } from '../scheduler/status.js';

/** Reads shared by the allocations of one answer: the node, job versions, evaluations, embedded jobs. */
export class AllocReads {
  private node: NodeBrief | null | undefined;
  private readonly versions = new Map<string, JobVersionRecord | null>();
  private readonly evals = new Map<string, EvalRecord[]>();
  private readonly records = new Map<string, JobRecord | null>();
  private readonly embedded = new Map<string, Record<string, ApiValue>>();
  /**
   * `embedJob: false` for a text layout, which never shows the job an allocation embeds:
   * Job is null there, and the spec is not turned into API JSON (~2 ms of a cold `alloc status`).
   */
  constructor(
    readonly db: Database,
    readonly opts: { readonly embedJob: boolean } = { embedJob: true },
  ) {}

  job(jobId: string): JobRecord | null {
    if (!this.records.has(jobId)) this.records.set(jobId, getJob(this.db, jobId));
    return this.records.get(jobId) ?? null;
  }

  /**
   * The job as an allocation embeds it: the same for every allocation of one version with
   * one status, so built once per answer (apiJob turns the whole spec into API JSON: most of
   * `status JOB`'s work when built per allocation). Shared objects print the same JSON.
   */
  embeddedJob(version: JobVersionRecord, record: JobRecord, status: string): Record<string, ApiValue> {
    const key = `${version.jobId}\u0000${version.version}\u0000${status}`;
    let out = this.embedded.get(key);
    if (out === undefined) {
      out = apiJob(version.job, { ...jobStateOf(record, status, version.version), submitTime: version.submitTime });
      this.embedded.set(key, out);
    }
    return out;
  }

  getNode(): NodeBrief | null {
    if (this.node === undefined) this.node = getNodeBrief(this.db);
    return this.node;
  }

  version(jobId: string, v: number): JobVersionRecord | null {
    const key = `${jobId}\u0000${v}`;
    if (!this.versions.has(key)) this.versions.set(key, getJobVersion(this.db, jobId, v) ?? getCurrentJobVersion(this.db, jobId));
    return this.versions.get(key) ?? null;
  }

  /** The evaluation an allocation came from: the job's newest one made before it. */
  evalFor(a: AllocRecord): string {
    let list = this.evals.get(a.jobId);
    if (!list) this.evals.set(a.jobId, (list = listEvalsForJob(this.db, a.jobId)));
    return list.find((e) => e.createIndex < a.createIndex)?.id ?? '';
  }
}

export interface ApiAllocStub {
  readonly ID: string;
  readonly EvalID: string;
  readonly Name: string;
  readonly Namespace: string;
  readonly NodeID: string;
  readonly NodeName: string;
  readonly JobID: string;
  readonly JobType: string;
  readonly JobVersion: number;
  readonly TaskGroup: string;
  readonly AllocatedResources: null;
  readonly DesiredStatus: string;
  readonly DesiredDescription: string;
  readonly ClientStatus: string;
  readonly ClientDescription: string;
  readonly DesiredTransition: { readonly Migrate: boolean | null; readonly Reschedule: boolean | null; readonly ForceReschedule: boolean | null };
  readonly TaskStates: Readonly<Record<string, ApiTaskState>>;
  readonly DeploymentStatus: null;
  readonly FollowupEvalID: string;
  readonly RescheduleTracker: { readonly Events: readonly ApiRescheduleEvent[] } | null;
  readonly PreviousAllocation: string;
  readonly NextAllocation: string;
  /** bivouac's own (Nomad derives these from alloc.Job and the follow-up evaluation): `alloc status`'s reschedule lines. */
  readonly RescheduleInfo: RescheduleInfo;
  readonly PreemptedAllocations: null;
  readonly PreemptedByAllocation: string;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
  readonly CreateTime: number;
  readonly ModifyTime: number;
}

interface AllocNetwork {
  readonly Mode: string;
  readonly Device: string;
  readonly CIDR: string;
  readonly IP: string;
  readonly MBits: number;
  readonly DNS: null;
  readonly ReservedPorts: readonly PortJson[] | null;
  readonly DynamicPorts: readonly PortJson[] | null;
}
interface PortJson {
  readonly Label: string;
  readonly Value: number;
  readonly To: number;
  readonly HostNetwork: string;
}

/** Nomad's Allocation, plus bivouac's AllocatedPorts (kept for bivouac's own layouts). */
export interface ApiAlloc extends Omit<ApiAllocStub, 'AllocatedResources' | 'JobType'> {
  readonly Job: Record<string, ApiValue> | null;
  readonly Resources: { CPU: number; MemoryMB: number; DiskMB: number; IOPS: number; Networks: readonly AllocNetwork[] | null; Devices: null };
  readonly SharedResources: { CPU: number; MemoryMB: number; DiskMB: number; IOPS: number; Networks: readonly AllocNetwork[] | null; Devices: null };
  readonly TaskResources: Readonly<Record<string, { CPU: number; MemoryMB: number; DiskMB: number; IOPS: number; Networks: readonly AllocNetwork[] | null; Devices: null }>>;
  readonly AllocatedResources: {
    readonly Tasks: Readonly<Record<string, { Cpu: { CpuShares: number }; Memory: { MemoryMB: number }; Networks: readonly AllocNetwork[] | null; Devices: null }>>;
    readonly TaskLifecycles: Readonly<Record<string, ApiValue>>;
    readonly Shared: { Networks: readonly AllocNetwork[]; DiskMB: number; Ports: readonly { Label: string; Value: number; To: number; HostIP: string }[] };
  };
  readonly Metrics: Readonly<Record<string, ApiValue>>;
  readonly DeploymentID: string;
  readonly NetworkStatus: { InterfaceName: string; Address: string; DNS: null };
  readonly AllocModifyIndex: number;
  readonly AllocatedPorts: readonly { Label: string; Value: number; To: number; Task: string | null }[];
}

function stubOf(r: AllocReads, a: AllocRecord, job: Job | null, withTasks: boolean): ApiAllocStub {
  const node = r.getNode();
  const taskStates: Record<string, ApiTaskState> = {};
  if (withTasks) {
    const group = job?.groups.find((g) => g.name === a.taskGroup);
    for (const t of listTaskStates(r.db, a.id)) {
      const spec = group?.tasks.find((x) => x.name === t.task);
      taskStates[t.task] = apiTaskState(t, listTaskEvents(r.db, a.id, t.task), spec?.killTimeoutMs ?? 0);
    }
  }
  return {
    ID: a.id,
    EvalID: r.evalFor(a),
    Name: a.name,
    Namespace: job?.namespace ?? 'default',
    NodeID: node?.id ?? '',
    NodeName: node?.name ?? '',
    JobID: a.jobId,
    JobType: job?.type ?? 'service',
    JobVersion: a.jobVersion,
    TaskGroup: a.taskGroup,
    AllocatedResources: null,
    DesiredStatus: a.desiredStatus,
    DesiredDescription: a.desiredDescription,
    ClientStatus: a.clientStatus,
    ClientDescription: a.clientDescription,
    DesiredTransition: { Migrate: null, Reschedule: null, ForceReschedule: null },
    TaskStates: taskStates,
    DeploymentStatus: null,
    FollowupEvalID: '',
    ...rescheduleFields(r.db, a, job?.groups.find((g) => g.name === a.taskGroup)?.reschedule ?? null),
    PreemptedAllocations: null,
    PreemptedByAllocation: '',
    CreateIndex: a.createIndex,
    ModifyIndex: a.modifyIndex,
    CreateTime: a.createTime * MS_TO_NS,
    ModifyTime: a.modifyTime * MS_TO_NS,
  };
}

export function apiAllocStub(r: AllocReads, a: AllocRecord): ApiAllocStub {
  return stubOf(r, a, r.version(a.jobId, a.jobVersion)?.job ?? null, true);
}

/** The ports of one network (a group's when task is null), split as the spec declared them. */
function networkOf(ports: readonly AllocPort[], group: Group | undefined, task: string | null): AllocNetwork[] | null {
  const mine = ports.filter((p) => p.task === task);
  if (mine.length === 0) return null;
  const specNets = task === null ? (group?.networks ?? []) : (group?.tasks.find((t) => t.name === task)?.resources.networks ?? []);
  const reserved = new Set(specNets.flatMap((n) => n.reservedPorts.map((p) => p.label)));
  const json = (p: AllocPort): PortJson => ({ Label: p.label, Value: p.value, To: p.to, HostNetwork: 'default' });
  const res = mine.filter((p) => reserved.has(p.label)).map(json);
  const dyn = mine.filter((p) => !reserved.has(p.label)).map(json);
  return [{ Mode: specNets[0]?.mode ?? '', Device: '', CIDR: '', IP: '127.0.0.1', MBits: 0, DNS: null, ReservedPorts: res.length ? res : null, DynamicPorts: dyn.length ? dyn : null }];
}

export function apiAlloc(db: Database, a: AllocRecord, withTasks = true, reads = new AllocReads(db)): ApiAlloc {
  const version = reads.version(a.jobId, a.jobVersion);
  const job = version?.job ?? null;
  const group = job?.groups.find((g) => g.name === a.taskGroup);
  const stub = stubOf(reads, a, job, withTasks);
  const shared = networkOf(a.ports, group, null);
  const tasks: Record<string, ApiAlloc['TaskResources'][string]> = {};
  const allocTasks: Record<string, ApiAlloc['AllocatedResources']['Tasks'][string]> = {};
  const lifecycles: Record<string, ApiValue> = {};
  for (const t of group?.tasks ?? []) {
    const nets = networkOf(a.ports, group, t.name);
    tasks[t.name] = { CPU: t.resources.cpu, MemoryMB: t.resources.memoryMB, DiskMB: 0, IOPS: 0, Networks: nets, Devices: null };
    allocTasks[t.name] = { Cpu: { CpuShares: t.resources.cpu }, Memory: { MemoryMB: t.resources.memoryMB }, Networks: nets, Devices: null };
    lifecycles[t.name] = lifecycleJson(t.lifecycle);
  }
  const record = job ? reads.job(a.jobId) : null;
  const embedded =
    job && version && record && reads.opts.embedJob
      ? reads.embeddedJob(version, record, jobStatus({ type: job.type, periodic: job.periodic !== null, parameterized: job.parameterized !== null, stopped: record.stopped, allocs: [a], pendingWork: false }))
      : null;
  const { JobType: _type, AllocatedResources: _none, ...rest } = stub;
  void _type;
  void _none;
  return {
    ...rest,
    Job: embedded,
    Resources: { CPU: a.resources.cpu, MemoryMB: a.resources.memoryMB, DiskMB: a.resources.diskMB, IOPS: 0, Networks: shared, Devices: null },
    SharedResources: { CPU: 0, MemoryMB: 0, DiskMB: a.resources.diskMB, IOPS: 0, Networks: shared, Devices: null },
    TaskResources: tasks,
    AllocatedResources: {
      Tasks: allocTasks,
      TaskLifecycles: lifecycles,
      Shared: {
        Networks: shared ?? [],
        DiskMB: a.resources.diskMB,
        Ports: a.ports.filter((p) => p.task === null).map((p) => ({ Label: p.label, Value: p.value, To: p.to, HostIP: '127.0.0.1' })),
      },
    },
    Metrics: {
      NodesEvaluated: 1, NodesFiltered: 0, NodesAvailable: { [stub.NodeID === '' ? 'dc1' : (reads.getNode()?.datacenter ?? 'dc1')]: 1 },
      ClassFiltered: null, ConstraintFiltered: null, NodesExhausted: 0, ClassExhausted: null, DimensionExhausted: null,
      QuotaExhausted: null, Scores: null, ScoreMetaData: null, AllocationTime: 0, CoalescedFailures: 0,
    },
    DeploymentID: '',
    NetworkStatus: { InterfaceName: '', Address: '', DNS: null },
    AllocModifyIndex: a.createIndex,
    AllocatedPorts: a.ports.map((p) => ({ Label: p.label, Value: p.value, To: p.to, Task: p.task })),
  };
}
