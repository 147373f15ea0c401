/**
 * The Job in Nomad's API JSON shape (`api.Job` after `Canonicalize`), as `POST /v1/jobs/parse`
 * with `Canonicalize: true` returns it, so the same job can be submitted to a Nomad cluster:
 * every field of Nomad 1.0's structs, Pascal-case names, durations in nanoseconds, empty lists
 * and maps as null (Go's nil), groups, tasks, ports and services in file order. Defaults are
 * Nomad's `Canonicalize` defaults only; what a driver or bivouac decides at run time (the kill
 * signal, say) is not written in. Fields newer than Nomad 1.0 appear only when written.
 */
import { MS_TO_NS } from '../util/duration.js';
import * as C from './api-canonical.js';
import { artifactJson, templateJson } from './api-json-task-files.js';
import { dispatchPayloadJson, jobRescheduleJson, lifecycleJson, parameterizedJson, periodicJson, reschedulePolicyJson } from './api-json-lifecycle.js';
import { driverConfigShape } from './api-struct.js';
import type { Constraint, Group, Job, NetworkResource, Port, RestartPolicy, Task } from './types.js';

export type ApiValue = string | number | boolean | null | readonly ApiValue[] | { readonly [k: string]: ApiValue };
export type ApiObject = { readonly [k: string]: ApiValue };

/** Blocks of `extra` that the canonical fields below take over; the rest are spread as written. */
const JOB_TAKEN = ['Update', 'Migrate', 'Multiregion', 'Vault', 'Affinities', 'Spreads', 'Reschedule'];
const GROUP_TAKEN = ['Update', 'Migrate', 'Services', 'Volumes', 'Affinities', 'Spreads', 'Vault', 'Scaling'];
const TASK_TAKEN = ['Services', 'Vault', 'Affinities', 'VolumeMounts', 'CSIPluginConfig'];

export function toApiJson(job: Job): { readonly Job: ApiObject } {
  return { Job: apiJob(job, true) };
}

/** The job's API object; `withConfig` false leaves driver configs out (validation does not read them). */
export function apiJob(job: Job, withConfig: boolean): ApiObject {
  const update = C.jobUpdate(job.extra['Update'], job.type);
  const migrate = C.jobMigrate(job.extra['Migrate']);
  return {
    Region: job.region,
    Namespace: job.namespace,
    ID: job.id,
    Name: job.name,
    Type: job.type,
    Priority: job.priority,
    AllAtOnce: job.allAtOnce,
    Datacenters: [...job.datacenters],
    Constraints: list(job.constraints.map(constraint)),
    Affinities: C.affinities(job.extra['Affinities']),
    Spreads: C.spreads(job.extra['Spreads']),
    TaskGroups: job.groups.map((g) => group(g, job, update, migrate, withConfig)),
    Update: update,
    Multiregion: C.multiregion(job.extra['Multiregion']),
    Periodic: periodicJson(job.periodic),
    ParameterizedJob: parameterizedJson(job.parameterized),
    Reschedule: jobRescheduleJson(job.extra['Reschedule']),
    Migrate: migrate,
    Meta: map(job.meta),
    ConsulToken: '',
    VaultToken: '',
    VaultNamespace: '',
    NomadTokenID: '',
    Payload: null,
    Dispatched: false,
    ParentID: '',
    Stop: false,
    Status: '',
    StatusDescription: '',
    Stable: false,
    Version: 0,
    SubmitTime: null,
    CreateIndex: 0,
    ModifyIndex: 0,
    JobModifyIndex: 0,
    ...rest(job.extra, JOB_TAKEN),
  };
}

type Obj = { [k: string]: ApiValue };

function group(g: Group, job: Job, jobUpdate: Obj | null, jobMigrate: Obj | null, withConfig: boolean): ApiObject {
  return {
    Name: g.name,
    Count: g.count,
    Constraints: list(g.constraints.map(constraint)),
    Affinities: C.affinities(g.extra['Affinities']),
    Spreads: C.spreads(g.extra['Spreads']),
    RestartPolicy: restart(g.restart),
    ReschedulePolicy: reschedulePolicyJson(g.reschedule),
    EphemeralDisk: { SizeMB: g.ephemeralDisk.sizeMB, Sticky: g.ephemeralDisk.sticky, Migrate: g.ephemeralDisk.migrate },
    Update: C.groupUpdate(jobUpdate, g.extra['Update']),
    Migrate: C.groupMigrate(jobMigrate, g.extra['Migrate'], job.type),
    Networks: list(g.networks.map(network)),
    Services: C.services(g.extra['Services'], `${job.name}-${g.name}`),
    Volumes: C.volumes(g.extra['Volumes']),
    Scaling: C.scaling(g.extra['Scaling'], g.count),
    Tasks: g.tasks.map((t) => task(t, g, job, withConfig)),
    Meta: map(g.meta),
    ShutdownDelay: null,
    StopAfterClientDisconnect: null,
    ...rest(g.extra, GROUP_TAKEN),
  };
}

function task(t: Task, g: Group, job: Job, withConfig: boolean): ApiObject {
  const r = t.resources;
  return {
    Name: t.name,
    Driver: t.driver,
    User: t.user,
    Lifecycle: lifecycleJson(t.lifecycle),
    Config: !withConfig || Object.keys(t.rawConfig).length === 0 ? null : driverConfigShape(t.rawConfig),
    Constraints: list(t.constraints.map(constraint)),
    Affinities: C.affinities(t.extra['Affinities']),
    Env: map(t.env),
    Services: C.services(t.extra['Services'], `${job.name}-${g.name}-${t.name}`),
    Resources: {
      CPU: r.cpu,
      MemoryMB: r.memoryMB,
      DiskMB: r.diskMB,
      Networks: list(r.networks.map(network)),
      Devices: null,
      IOPS: null,
      // Nomad ≥ 1.1 fields, which its API omits when unset.
      ...(r.cores > 0 ? { Cores: r.cores } : {}),
      ...(r.memoryMaxMB > 0 ? { MemoryMaxMB: r.memoryMaxMB } : {}),
    },
    RestartPolicy: restart(t.restart),
    Meta: map(t.meta),
    KillTimeout: t.killTimeoutMs * MS_TO_NS,
    LogConfig: { MaxFiles: t.logs.maxFiles, MaxFileSizeMB: t.logs.maxFileSizeMB },
    Artifacts: list(t.artifacts.map(artifactJson)),
    Vault: C.vault(t.extra['Vault'], g.extra['Vault'], job.extra['Vault']),
    Templates: list(t.templates.map(templateJson)),
    DispatchPayload: dispatchPayloadJson(t.dispatchPayloadFile),
    VolumeMounts: C.volumeMounts(t.extra['VolumeMounts']),
    Leader: t.leader,
    ShutdownDelay: 0,
    KillSignal: t.killSignal,
    Kind: '',
    ScalingPolicies: null,
    ...(t.extra['CSIPluginConfig'] !== undefined ? { CSIPluginConfig: C.csiPlugin(t.extra['CSIPluginConfig']) } : {}),
    ...rest(t.extra, TASK_TAKEN),
  };
}

export function constraint(c: Constraint): ApiObject {
  return { LTarget: c.attribute, RTarget: c.value, Operand: c.operator };
}

function restart(r: RestartPolicy): ApiObject {
  return { Attempts: r.attempts, Interval: r.intervalMs * MS_TO_NS, Delay: r.delayMs * MS_TO_NS, Mode: r.mode };
}

function network(n: NetworkResource): ApiObject {
  return {
    Mode: n.mode,
    Device: '',
    CIDR: '',
    IP: '',
    DNS: n.dns === null ? null : { Servers: list([...n.dns.servers]), Searches: list([...n.dns.searches]), Options: list([...n.dns.options]) },
    MBits: n.mbits,
    ReservedPorts: list(n.reservedPorts.map(port)),
    DynamicPorts: list(n.dynamicPorts.map(port)),
  };
}

function port(p: Port): ApiObject {
  return { Label: p.label, Value: p.value, To: p.to, HostNetwork: p.hostNetwork };
}

function list(xs: readonly ApiValue[]): readonly ApiValue[] | null {
  return xs.length === 0 ? null : xs;
}

function map(m: Readonly<Record<string, string>>): ApiObject | null {
  return Object.keys(m).length === 0 ? null : { ...m };
}

function rest(extra: Readonly<Record<string, unknown>>, taken: readonly string[]): ApiObject {
  const out: Obj = {};
  for (const [k, v] of Object.entries(extra)) if (!taken.includes(k)) out[k] = plain(v);
  return out;
}

/** Decoded values are JSON already; this narrows `unknown` for the type checker. */
function plain(o: unknown): ApiValue {
  return o === undefined ? null : (o as ApiValue);
}
