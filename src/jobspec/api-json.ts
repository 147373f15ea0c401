/**
 * The Job in Nomad's API JSON shape, as `nomad job run -output` prints it, so the same job
 * can be submitted to a Nomad cluster: Pascal-case fields, durations in nanoseconds, empty
 * lists and maps as null (Go's nil). Blocks kept in `extra` are already in API names.
 */
import { MS_TO_NS } from '../util/duration.js';
import { dispatchPayloadJson, lifecycleJson, parameterizedJson, periodicJson, reschedulePolicyJson } from './api-json-lifecycle.js';
import type { Constraint, Group, Job, NetworkResource, Port, RestartPolicy, Task } from './types.js';

export type ApiValue = string | number | boolean | null | readonly ApiValue[] | { readonly [k: string]: ApiValue };
export type ApiObject = { readonly [k: string]: ApiValue };

export function toApiJson(job: Job): { readonly Job: ApiObject } {
  return {
    Job: {
      Region: job.region,
      Namespace: job.namespace,
      ID: job.id,
      Name: job.name,
      Type: job.type,
      Priority: job.priority,
      AllAtOnce: job.allAtOnce,
      Datacenters: [...job.datacenters],
      Constraints: list(job.constraints.map(constraint)),
      TaskGroups: job.groups.map(group),
      Periodic: periodicJson(job.periodic),
      ParameterizedJob: parameterizedJson(job.parameterized),
      Meta: map(job.meta),
      ...plain(job.extra),
    },
  };
}

function group(g: Group): ApiObject {
  return {
    Name: g.name,
    Count: g.count,
    Constraints: list(g.constraints.map(constraint)),
    RestartPolicy: restart(g.restart),
    ReschedulePolicy: reschedulePolicyJson(g.reschedule),
    EphemeralDisk: { SizeMB: g.ephemeralDisk.sizeMB, Sticky: g.ephemeralDisk.sticky, Migrate: g.ephemeralDisk.migrate },
    Networks: list(g.networks.map(network)),
    Tasks: g.tasks.map(task),
    Meta: map(g.meta),
    ...plain(g.extra),
  };
}

function task(t: Task): ApiObject {
  return {
    Name: t.name,
    Driver: t.driver,
    User: t.user,
    Config: Object.keys(t.rawConfig).length === 0 ? null : plain(t.rawConfig),
    Env: map(t.env),
    Meta: map(t.meta),
    Resources: {
      CPU: t.resources.cpu,
      Cores: t.resources.cores,
      MemoryMB: t.resources.memoryMB,
      MemoryMaxMB: t.resources.memoryMaxMB,
      Networks: list(t.resources.networks.map(network)),
    },
    KillTimeout: t.killTimeoutMs * MS_TO_NS,
    KillSignal: t.killSignal,
    LogConfig: { MaxFiles: t.logs.maxFiles, MaxFileSizeMB: t.logs.maxFileSizeMB },
    Leader: t.leader,
    Constraints: list(t.constraints.map(constraint)),
    RestartPolicy: restart(t.restart),
    Lifecycle: lifecycleJson(t.lifecycle),
    DispatchPayload: dispatchPayloadJson(t.dispatchPayloadFile),
    ...plain(t.extra),
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

/** Decoded values are JSON already; this narrows `unknown` for the type checker. */
function plain(o: Readonly<Record<string, unknown>>): ApiObject {
  return JSON.parse(JSON.stringify(o)) as ApiObject;
}
