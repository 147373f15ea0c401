import type { Job, Diagnostic } from '../jobspec/types.js';

/** Nomad's allocation client statuses (`lost` is kept for API parity; one node never loses itself). */
export type ClientStatus = 'pending' | 'running' | 'complete' | 'failed' | 'lost';
export type DesiredStatus = 'run' | 'stop' | 'evict';
export type TaskStateName = 'pending' | 'running' | 'dead';

export interface PlacementFailure {
  readonly group: string;
  /** Allocations that could not be placed. */
  readonly count: number;
  /** Nomad's words: `Constraint "…" filtered 1 node`, `Dimension "memory" exhausted on 1 node`. */
  readonly reasons: readonly string[];
}

export interface JobRecord {
  readonly id: string;
  readonly version: number;
  readonly sourceFile: string;
  readonly stopped: boolean;
  readonly submitTime: number;
  readonly modifyTime: number;
  /** The last pass's placement failures; null when everything was placed. */
  readonly placementFailures: readonly PlacementFailure[] | null;
  /** Nomad's indexes (schema 006): the change counter's value when the job was created, last changed, last changed in spec or stop. */
  readonly createIndex: number;
  readonly modifyIndex: number;
  readonly jobModifyIndex: number;
}

/** What the job list shows of a version, kept beside the spec so listing parses no spec. */
export interface JobSummary {
  readonly name: string;
  readonly type: string;
  readonly priority: number;
  readonly namespace: string;
  readonly datacenters: readonly string[];
  readonly periodic: boolean;
  readonly parameterized: boolean;
  readonly groups: readonly string[];
}

export interface JobVersionRecord {
  readonly jobId: string;
  readonly version: number;
  readonly job: Job;
  readonly hash: string;
  readonly sourceFile: string;
  readonly submitTime: number;
}

export interface FileErrorRecord {
  readonly file: string;
  readonly jobId: string | null;
  readonly message: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly seenAt: number;
}

export interface AllocPort {
  readonly label: string;
  /** Port on the host. */
  readonly value: number;
  /** Port inside the task; 0 means the same as value. */
  readonly to: number;
  /** The task a task-level port belongs to; null for group networks. */
  readonly task: string | null;
}

export interface AllocResources {
  readonly cpu: number;
  readonly memoryMB: number;
  readonly diskMB: number;
}

export interface AllocRecord {
  readonly id: string;
  readonly jobId: string;
  readonly jobVersion: number;
  readonly taskGroup: string;
  readonly index: number;
  readonly name: string;
  readonly desiredStatus: DesiredStatus;
  readonly desiredDescription: string;
  readonly clientStatus: ClientStatus;
  readonly clientDescription: string;
  readonly resources: AllocResources;
  readonly ports: readonly AllocPort[];
  readonly createTime: number;
  readonly modifyTime: number;
  /** Nomad's indexes (schema 006). */
  readonly createIndex: number;
  readonly modifyIndex: number;
}

export interface TaskStateRecord {
  readonly allocId: string;
  readonly task: string;
  readonly driver: string;
  readonly state: TaskStateName;
  readonly failed: boolean;
  readonly restarts: number;
  /** Start attempts made so far; the next start is attempt + 1. */
  readonly attempt: number;
  /** True between "about to call the driver" and "handle written": the intent of a start. */
  readonly starting: boolean;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly lastRestart: number | null;
  /** When a restart that is waiting out its delay is due. */
  readonly restartAt: number | null;
}

export interface TaskEventRecord {
  readonly id: number;
  readonly allocId: string;
  readonly task: string;
  readonly time: number;
  readonly type: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface StoredHandle {
  readonly allocId: string;
  readonly task: string;
  readonly attempt: number;
  readonly driver: string;
  readonly handle: unknown;
  readonly createdAt: number;
}

export function isTerminalClientStatus(s: ClientStatus): boolean {
  return s === 'complete' || s === 'failed' || s === 'lost';
}
