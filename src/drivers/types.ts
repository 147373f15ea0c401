import type { DriverInfo } from '../node/types.js';
import type { Logger } from '../util/logger.js';

/**
 * The contract every task driver fulfils (modelled on Nomad's DriverPlugin). Every call
 * after start takes a task ID and works after an agent restart from the stored handle:
 * nothing here may depend on an in-memory object that a restart would lose.
 */

export interface Capabilities {
  readonly sendSignals: boolean;
  readonly exec: boolean;
  /** `none` for raw_exec, `image` for rkt. */
  readonly fsIsolation: 'none' | 'chroot' | 'image';
}

export interface ExitResult {
  /** null when the code is not known (a task that exited while the agent was down, say). */
  readonly exitCode: number | null;
  /** Signal number, 0 if none. */
  readonly signal: number;
  readonly oomKilled: boolean;
  /** Set when the error was the driver's, not the task's. */
  readonly err: string | null;
}

export interface TaskPort {
  readonly label: string;
  /** Port on the host. */
  readonly value: number;
  /** Port inside the task; equals value when not mapped. */
  readonly to: number;
  readonly ip: string;
}

/** Everything a driver needs to start one task, already interpolated. */
export interface TaskConfig {
  /** `<allocId>/<task>`; unique per agent. */
  readonly id: string;
  readonly allocId: string;
  readonly jobId: string;
  readonly groupName: string;
  readonly taskName: string;
  /** Driver config after runtime interpolation; each driver decodes its own. */
  readonly driverConfig: unknown;
  readonly env: Readonly<Record<string, string>>;
  readonly user: string;
  /** `memoryMaxMB`: Nomad's `memory_max` (0 or absent: none). */
  readonly resources: { readonly cpu: number; readonly memoryMB: number; readonly memoryMaxMB?: number };
  readonly ports: readonly TaskPort[];
  /** Absolute host paths. */
  readonly dirs: {
    readonly allocDir: string;
    readonly taskDir: string;
    readonly localDir: string;
    readonly secretsDir: string;
    readonly tmpDir: string;
  };
  /** Where stdout and stderr go: open append-mode file descriptors or paths the driver writes to. */
  readonly stdoutPath: string;
  readonly stderrPath: string;
}

/** Serialisable driver state: exactly what is needed to find the task again after a restart. */
export interface TaskHandle {
  readonly driver: string;
  readonly taskId: string;
  readonly version: number;
  /** Plain JSON, stored in SQLite. For raw_exec: pid, start time, boot id. For rkt: pod UUID too. */
  readonly state: Readonly<Record<string, unknown>>;
}

export type TaskRunState = 'running' | 'exited' | 'unknown';

export interface TaskStatus {
  readonly id: string;
  readonly state: TaskRunState;
  readonly startedAt: number;
  readonly exitResult: ExitResult | null;
}

/**
 * One resource sample of a task, cumulative where the kernel counts cumulatively (CPU
 * time); the stats sampler turns two of them into Nomad's percentages and MHz.
 */
export interface TaskResourceSample {
  /** Epoch ms. */
  readonly timestamp: number;
  /** Cumulative CPU time of every process of the task, ns. */
  readonly cpu: { readonly totalNs: number; readonly userNs: number; readonly systemNs: number } | null;
  /** Bytes. */
  readonly memory: { readonly rss: number; readonly cache: number; readonly swap: number; readonly usage: number; readonly maxUsage: number } | null;
  /** Where it came from: the task's cgroup, or /proc of its processes when it has none. */
  readonly source: 'cgroup' | 'proc';
  /** Its processes, where they were listed (/proc); null where the cgroup's controllers answered alone. */
  readonly pids: number | null;
}

export interface FingerprintResult {
  readonly detected: boolean;
  readonly healthy: boolean;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface Driver {
  readonly name: string;
  readonly capabilities: Capabilities;
  fingerprint(): Promise<FingerprintResult>;
  /** Starts the task. Throws BivouacError('DRIVER_START', recoverable?) on failure. */
  startTask(cfg: TaskConfig): Promise<TaskHandle>;
  /**
   * Re-attaches to a task started by an earlier agent. Idempotent. Throws
   * TaskNotFoundError when the task is gone without a trace.
   */
  recoverTask(handle: TaskHandle): Promise<void>;
  /** Resolves when the task exits (or is found to have exited), or rejects on abort. */
  waitTask(taskId: string, signal?: AbortSignal): Promise<ExitResult>;
  /** Sends `sig`, then SIGKILL after timeoutMs if still running. Resolves when it is gone. */
  stopTask(taskId: string, timeoutMs: number, sig: string): Promise<void>;
  /** Frees what the driver holds for the task (pod, in-memory entry). `force` stops it first. */
  destroyTask(taskId: string, force: boolean): Promise<void>;
  inspectTask(taskId: string): TaskStatus;
  /** Present only where capabilities.sendSignals is true. */
  signalTask?(taskId: string, sig: string): Promise<void>;
  /** A resource sample (Nomad's TaskStats); null when the task is not running here. Cheap: a few file reads. */
  taskStats?(taskId: string): TaskResourceSample | null;
}

export interface DriverDeps {
  readonly log: Logger;
}

export type DriverInfoMap = Readonly<Record<string, DriverInfo>>;
