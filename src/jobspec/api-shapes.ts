/**
 * The fields of Nomad's API structs (`api.Service`, `api.ServiceCheck`, …) with the value Go
 * serialises when a job file leaves them out: a non-pointer field's zero value, a pointer's
 * null. `job inspect` lays what the user wrote over these, so every field Nomad has is there,
 * and then applies Nomad's `Canonicalize` defaults (api-canonical.ts). Fields newer than
 * Nomad 1.0 are not listed: they appear only when written, as Go's `omitempty` has them.
 */
import type { ApiObject, ApiValue } from './api-json.js';

export const SERVICE: ApiObject = {
  Id: '', Name: '', Tags: null, CanaryTags: null, EnableTagOverride: false, PortLabel: '', AddressMode: '',
  Checks: null, CheckRestart: null, Connect: null, Meta: null, CanaryMeta: null, TaskName: '',
};

export const CHECK: ApiObject = {
  Id: '', Name: '', Type: '', Command: '', Args: null, Path: '', Protocol: '', PortLabel: '', Expose: false,
  AddressMode: '', Interval: 0, Timeout: 0, InitialStatus: '', TLSSkipVerify: false, Header: null, Method: '',
  CheckRestart: null, GRPCService: '', GRPCUseTLS: false, TaskName: '', SuccessBeforePassing: 0,
  FailuresBeforeCritical: 0,
};

export const CHECK_RESTART: ApiObject = { Limit: 0, Grace: null, IgnoreWarnings: false };

export const UPDATE: ApiObject = {
  Stagger: null, MaxParallel: null, HealthCheck: null, MinHealthyTime: null, HealthyDeadline: null,
  ProgressDeadline: null, Canary: null, AutoRevert: null, AutoPromote: null,
};

/** `api.DefaultUpdateStrategy()`, also what `Canonicalize` fills in field by field. */
export const UPDATE_DEFAULTS: ApiObject = {
  Stagger: 30e9, MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: 10e9, HealthyDeadline: 300e9,
  ProgressDeadline: 600e9, Canary: 0, AutoRevert: false, AutoPromote: false,
};

export const MIGRATE: ApiObject = { MaxParallel: null, HealthCheck: null, MinHealthyTime: null, HealthyDeadline: null };
export const MIGRATE_DEFAULTS: ApiObject = { MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: 10e9, HealthyDeadline: 300e9 };

export const VAULT: ApiObject = { Policies: null, Namespace: null, Env: null, ChangeMode: null, ChangeSignal: null };
export const VAULT_DEFAULTS: ApiObject = { Env: true, Namespace: '', ChangeMode: 'restart', ChangeSignal: 'SIGHUP' };

export const AFFINITY: ApiObject = { LTarget: '', RTarget: '', Operand: '', Weight: null };
export const SPREAD: ApiObject = { Attribute: '', Weight: null, SpreadTarget: null };

export const VOLUME_REQUEST: ApiObject = { Name: '', Type: '', Source: '', ReadOnly: false, MountOptions: null };
export const MOUNT_OPTIONS: ApiObject = { FSType: '', MountFlags: null };
export const VOLUME_MOUNT: ApiObject = { Volume: null, Destination: null, ReadOnly: null, PropagationMode: null };

export const SCALING: ApiObject = {
  ID: '', Namespace: '', Type: '', Target: null, Min: null, Max: null, Policy: null, Enabled: null,
  CreateIndex: 0, ModifyIndex: 0,
};

export const CSI_PLUGIN: ApiObject = { ID: '', Type: '', MountDir: '' };

export const MULTIREGION: ApiObject = { Strategy: null, Regions: null };

/** `base` with the written fields over it; lists and maps that came out empty stay as written. */
export function over(base: ApiObject, written: ApiObject): { [k: string]: ApiValue } {
  return { ...base, ...written };
}
