/**
 * The fields Nomad's API objects always carry, at the values Nomad gives them when a job says
 * nothing (Go's zero values and Nomad's canonicalised defaults, as `GET /v1/job/:id` of an
 * unconfigured job shows them). A shape module fills these in under what the job states, so
 * clients that read a field without a nil check find it.
 */
import type { ApiObject, ApiValue } from '../jobspec/api-json.js';

const S = 1_000_000_000;

export const UPDATE_SERVICE: ApiObject = {
  Stagger: 30 * S, MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: 10 * S, HealthyDeadline: 300 * S,
  ProgressDeadline: 600 * S, AutoRevert: false, AutoPromote: false, Canary: 0,
};
export const UPDATE_JOB_SERVICE: ApiObject = { ...UPDATE_SERVICE, HealthCheck: '', MinHealthyTime: 0, HealthyDeadline: 0, ProgressDeadline: 0 };
export const UPDATE_NONE: ApiObject = { ...UPDATE_JOB_SERVICE, Stagger: 0, MaxParallel: 0 };
export const MIGRATE_SERVICE: ApiObject = { MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: 10 * S, HealthyDeadline: 300 * S };

export function reschedulePolicy(type: string): ApiObject | null {
  if (type === 'service') return { Attempts: 0, Interval: 0, Delay: 30 * S, DelayFunction: 'exponential', MaxDelay: 3600 * S, Unlimited: true };
  if (type === 'batch') return { Attempts: 1, Interval: 24 * 3600 * S, Delay: 5 * S, DelayFunction: 'constant', MaxDelay: 0, Unlimited: false };
  return null;
}

export const JOB_ZERO: ApiObject = {
  Stop: false, Region: 'global', Namespace: 'default', ID: '', ParentID: '', Name: '', Type: 'service', Priority: 50,
  AllAtOnce: false, Datacenters: null, Constraints: null, Affinities: null, Spreads: null, TaskGroups: null, Update: UPDATE_NONE,
  Multiregion: null, Periodic: null, ParameterizedJob: null, Dispatched: false, Payload: null, Meta: null, ConsulToken: '',
  VaultToken: '', VaultNamespace: '', NomadTokenID: '', Status: 'pending', StatusDescription: '', Stable: false, Version: 0,
  SubmitTime: 0, CreateIndex: 0, ModifyIndex: 0, JobModifyIndex: 0,
};

export const GROUP_ZERO: ApiObject = {
  Name: '', Count: 1, Update: null, Migrate: null, Constraints: null, Scaling: null, RestartPolicy: null, Tasks: null,
  EphemeralDisk: { Sticky: false, SizeMB: 300, Migrate: false }, Meta: null, ReschedulePolicy: null, Affinities: null,
  Spreads: null, Networks: null, Services: null, Volumes: null, ShutdownDelay: null, StopAfterClientDisconnect: null,
};

export const TASK_ZERO: ApiObject = {
  Name: '', Driver: '', User: '', Config: null, Env: null, Services: null, Vault: null, Templates: null, Constraints: null,
  Affinities: null, Resources: null, RestartPolicy: null, DispatchPayload: null, Lifecycle: null, Meta: null, KillTimeout: 5 * S,
  LogConfig: { MaxFiles: 10, MaxFileSizeMB: 10 }, Artifacts: null, Leader: false, ShutdownDelay: 0, VolumeMounts: null,
  ScalingPolicies: null, KillSignal: '', Kind: '', CSIPluginConfig: null,
};

export const RESOURCES_ZERO: ApiObject = { CPU: 0, MemoryMB: 0, DiskMB: 0, IOPS: 0, Networks: null, Devices: null };
export const NETWORK_ZERO: ApiObject = { Mode: '', Device: '', CIDR: '', IP: '', MBits: 0, DNS: null, ReservedPorts: null, DynamicPorts: null };
export const PORT_ZERO: ApiObject = { Label: '', Value: 0, To: 0, HostNetwork: 'default' };

function isObj(v: ApiValue | undefined): v is ApiObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `zero`'s keys first (Nomad's order), each taking the given value when it has one. */
export function fill(given: ApiObject, zero: ApiObject): Record<string, ApiValue> {
  const out: Record<string, ApiValue> = {};
  for (const [k, v] of Object.entries(zero)) out[k] = given[k] === undefined ? v : (given[k] as ApiValue);
  for (const [k, v] of Object.entries(given)) if (!(k in out)) out[k] = v;
  return out;
}

export function fillList(v: ApiValue | undefined, zero: ApiObject, each?: (o: Record<string, ApiValue>) => ApiValue): ApiValue {
  if (!Array.isArray(v)) return v ?? null;
  return (v as readonly ApiValue[]).map((x) => (isObj(x) ? (each ? each(fill(x, zero)) : fill(x, zero)) : x));
}

export function asObj(v: ApiValue | undefined): ApiObject | null {
  return isObj(v) ? v : null;
}
