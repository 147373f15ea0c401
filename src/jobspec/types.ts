/**
 * The typed, defaulted, validated job model. Everything after the jobspec decoder
 * (scheduler, runner, state, status) works on these types and trusts them: every field is
 * filled in, nothing is "set later". Durations are milliseconds; sizes are as Nomad
 * names them (MHz, MB).
 *
 * Strings may still hold `${attr.*}`, `${node.*}`, `${meta.*}` and `${NOMAD_*}`: those are
 * interpolated at placement or task start, never at parse time.
 */

export type JobType = 'service' | 'batch' | 'system' | 'sysbatch';

export type ConstraintOperator =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'regexp'
  | 'version'
  | 'semver'
  | 'set_contains'
  | 'set_contains_all'
  | 'set_contains_any'
  | 'is_set'
  | 'is_not_set'
  | 'distinct_hosts'
  | 'distinct_property';

export interface Constraint {
  /** LTarget, e.g. `${attr.kernel.name}`; empty for distinct_hosts. */
  readonly attribute: string;
  /** Normalised: `==` and `is` become `=`, `not` becomes `!=`. */
  readonly operator: ConstraintOperator;
  /** RTarget; empty for is_set, is_not_set and distinct_hosts. */
  readonly value: string;
}

export type RestartMode = 'fail' | 'delay';

export interface RestartPolicy {
  readonly attempts: number;
  readonly intervalMs: number;
  readonly delayMs: number;
  readonly mode: RestartMode;
}

export interface Port {
  readonly label: string;
  /** 0 means dynamic: the scheduler picks one. */
  readonly value: number;
  /** Port inside the task's network namespace (`to`); 0 means the same as `value`. */
  readonly to: number;
  /** As written; empty means the node's default network (a Nomad server fills in "default"). */
  readonly hostNetwork: string;
}

export interface NetworkResource {
  /** As written; empty when unset (host networking, as in Nomad). */
  readonly mode: string;
  /** As written (deprecated since Nomad 0.12); null when unset: Nomad 1.0 has no default. */
  readonly mbits: number | null;
  readonly reservedPorts: readonly Port[];
  readonly dynamicPorts: readonly Port[];
  /** A group network's `dns` block as written; null when there is none. */
  readonly dns: NetworkDns | null;
}

export interface NetworkDns {
  readonly servers: readonly string[];
  readonly searches: readonly string[];
  readonly options: readonly string[];
}

export interface Resources {
  /** MHz */
  readonly cpu: number;
  /** 0 when `cores` is not used. */
  readonly cores: number;
  /** MB */
  readonly memoryMB: number;
  /** MB; 0 when unset. */
  readonly memoryMaxMB: number;
  /** Task `disk` in MB as written (Nomad ≤ 0.12 files); null when unset. Nomad 1.0 keeps it, unused. */
  readonly diskMB: number | null;
  /** Task-level networks (deprecated in Nomad 0.12 but common in the wild). */
  readonly networks: readonly NetworkResource[];
}

export interface LogConfig {
  readonly maxFiles: number;
  readonly maxFileSizeMB: number;
}

export interface EphemeralDisk {
  readonly sizeMB: number;
  readonly sticky: boolean;
  readonly migrate: boolean;
}

export interface RawExecConfig {
  readonly command: string;
  readonly args: readonly string[];
}

export interface RktConfig {
  readonly image: string;
  readonly command: string | null;
  readonly args: readonly string[];
  readonly trustPrefix: string | null;
  readonly dnsServers: readonly string[];
  readonly dnsSearchDomains: readonly string[];
  readonly net: readonly string[];
  /** Port label → the image manifest's port name (e.g. "6379-tcp"). */
  readonly portMap: Readonly<Record<string, string>>;
  /** `host:container[:readOnly]` */
  readonly volumes: readonly string[];
  readonly insecureOptions: readonly string[];
  readonly noOverlay: boolean;
  readonly debug: boolean;
  readonly group: string | null;
}

/** Driver config, typed for the drivers bivouac has and kept as given for the rest. */
export type TaskDriverConfig =
  | { readonly driver: 'raw_exec'; readonly config: RawExecConfig }
  | { readonly driver: 'rkt'; readonly config: RktConfig }
  | { readonly driver: 'other'; readonly name: string; readonly config: Readonly<Record<string, unknown>> };

/** `script` (Nomad ≥ 1.4) is parsed but not run: support.ts warns, the runner treats it as noop. */
export type TemplateChangeMode = 'restart' | 'signal' | 'noop' | 'script';

/** A `template` block (Nomad's api.Template). Paths are as written, relative to the task dir. */
export interface TemplateSpec {
  /** SourcePath; '' when the template is inline. */
  readonly source: string;
  readonly destination: string;
  /** EmbeddedTmpl; '' when read from `source`. */
  readonly data: string;
  readonly changeMode: TemplateChangeMode;
  readonly changeSignal: string;
  readonly splayMs: number;
  /** Octal text as written, e.g. "0644". */
  readonly perms: string;
  readonly uid: number | null;
  readonly gid: number | null;
  readonly leftDelim: string;
  readonly rightDelim: string;
  readonly env: boolean;
  readonly errorOnMissingKey: boolean;
  readonly vaultGraceMs: number;
  /** change_script, wait: kept in API names, not acted on (support.ts). */
  readonly extra: Readonly<Record<string, unknown>>;
}

export type ArtifactMode = 'any' | 'file' | 'dir';

/** An `artifact` block (Nomad's api.TaskArtifact). */
export interface ArtifactSpec {
  readonly source: string;
  /** Relative to the task dir; Nomad's default is `local/`. */
  readonly destination: string;
  readonly mode: ArtifactMode;
  readonly options: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** chown: kept in API names, not acted on (support.ts). */
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface Task {
  readonly name: string;
  /** The driver name as written (`raw_exec`, `rkt`, `docker` …). */
  readonly driver: string;
  readonly driverConfig: TaskDriverConfig;
  /** The `config` block exactly as decoded, for the API JSON. */
  readonly rawConfig: Readonly<Record<string, unknown>>;
  readonly user: string;
  readonly env: Readonly<Record<string, string>>;
  readonly meta: Readonly<Record<string, string>>;
  readonly resources: Resources;
  readonly killTimeoutMs: number;
  /**
   * As written; empty when unset, as in Nomad, where the driver picks the signal. The
   * signal bivouac sends is computed at run time (runner/task-config.ts `effectiveKillSignal`).
   */
  readonly killSignal: string;
  readonly leader: boolean;
  readonly logs: LogConfig;
  readonly constraints: readonly Constraint[];
  /** The task's own restart block merged over the group's, as Nomad does. */
  readonly restart: RestartPolicy;
  readonly artifacts: readonly ArtifactSpec[];
  readonly templates: readonly TemplateSpec[];
  /** `lifecycle { hook, sidecar }`; null for a main task. */
  readonly lifecycle: Lifecycle | null;
  /** `dispatch_payload { file }`: where a dispatched job's payload is written, relative to local/. */
  readonly dispatchPayloadFile: string | null;
  /**
   * Blocks bivouac accepts and keeps for the API JSON but does not act on yet
   * (service, template, artifact, vault, lifecycle …), in Nomad API field names.
   */
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface Group {
  readonly name: string;
  readonly count: number;
  readonly constraints: readonly Constraint[];
  readonly restart: RestartPolicy;
  /** Job type default, then the job's `reschedule`, then the group's, merged field by field; null for system jobs. */
  readonly reschedule: ReschedulePolicy | null;
  readonly ephemeralDisk: EphemeralDisk;
  /** Group-level networks (Nomad ≥ 0.10). */
  readonly networks: readonly NetworkResource[];
  readonly meta: Readonly<Record<string, string>>;
  readonly tasks: readonly Task[];
  /** See Task.extra. */
  readonly extra: Readonly<Record<string, unknown>>;
}

export type DelayFunction = 'constant' | 'exponential' | 'fibonacci';

export interface ReschedulePolicy {
  readonly attempts: number;
  readonly intervalMs: number;
  readonly delayMs: number;
  /** As written; validate.ts refuses any other than DelayFunction's three. */
  readonly delayFunction: string;
  readonly maxDelayMs: number;
  readonly unlimited: boolean;
}

export type LifecycleHook = 'prestart' | 'poststart' | 'poststop';

export interface Lifecycle {
  /** As written; validate.ts refuses any other than LifecycleHook's three. */
  readonly hook: string;
  readonly sidecar: boolean;
}

export interface Parameterized {
  /** `optional` (default), `required` or `forbidden`. */
  readonly payload: string;
  readonly metaRequired: readonly string[];
  readonly metaOptional: readonly string[];
}

export interface Periodic {
  /** The first spec: `cron`, or the first of `crons`. */
  readonly cron: string;
  /** `crons` (Nomad 1.6+): every spec; the job launches at the earliest next time of any. */
  readonly crons: readonly string[];
  readonly prohibitOverlap: boolean;
  readonly timeZone: string;
  readonly enabled: boolean;
}

export interface Job {
  readonly id: string;
  readonly name: string;
  readonly type: JobType;
  readonly priority: number;
  readonly region: string;
  readonly namespace: string;
  readonly datacenters: readonly string[];
  readonly allAtOnce: boolean;
  readonly constraints: readonly Constraint[];
  readonly meta: Readonly<Record<string, string>>;
  readonly periodic: Periodic | null;
  readonly parameterized: Parameterized | null;
  readonly groups: readonly Group[];
  /** See Task.extra. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** One problem found in a job file. `code` is stable; tests assert it, not the text. */
export interface Diagnostic {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** Where in the job, e.g. `job "x" → group "g" → restart`. */
  readonly path: string;
  readonly file: string;
  /** 1-based; 0 when the parser gave no position. */
  readonly line: number;
  readonly column: number;
}

export interface ParseResult {
  /** Present only when there is no error-severity diagnostic. */
  readonly job: Job | null;
  readonly diagnostics: readonly Diagnostic[];
}
