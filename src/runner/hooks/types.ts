/**
 * Task hooks (STYLE §10, Nomad's taskrunner/*_hook.go): small steps the task runner calls
 * in a fixed order and knows nothing about. A prestart hook may add environment variables
 * (template `env = true`); a failing hook throws TaskHookError carrying the one task event
 * that describes it and whether the restart policy may retry.
 */
import type { TaskConfig } from '../../drivers/types.js';
import { BivouacError, type ErrorCode } from '../../util/errors.js';

export type EmitEvent = (type: string, message: string, details?: Readonly<Record<string, unknown>>) => void;

export interface PrestartContext {
  /** The driver config of this start attempt: dirs and the task env built so far. */
  readonly cfg: TaskConfig;
  readonly emit: EmitEvent;
  /** Aborted when the task is stopped during prestart. */
  readonly signal: AbortSignal;
}

export interface PrestartResult {
  /** Joins the task's environment, over what it had. */
  readonly env?: Readonly<Record<string, string>>;
}

/** What a running task offers its hooks: Nomad's TaskLifecycle (Restart, Signal). */
export interface TaskControl {
  readonly emit: EmitEvent;
  /** Kills the task and starts it again at once, outside the restart policy. */
  restart(reason: string): Promise<void>;
  /** Sends a signal; false when the driver cannot. */
  signal(sig: string, reason: string): Promise<boolean>;
}

export interface TaskHook {
  readonly name: string;
  prestart?(ctx: PrestartContext): Promise<PrestartResult>;
  /** The task was re-attached after an agent restart: take up its state from `cfg` without redoing prestart. */
  reattach?(cfg: TaskConfig): Promise<void>;
  /** After the task started (or was re-attached): begin watching (templates). */
  poststart?(ctl: TaskControl): void;
  /** The task exited or is being stopped: end what poststart began. */
  stop?(): void;
}

export class TaskHookError extends BivouacError {
  constructor(
    code: ErrorCode,
    /** The task event that reports the failure, e.g. `Failed Artifact Download`. */
    readonly eventType: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>>,
    opts: { cause?: unknown; recoverable: boolean },
  ) {
    super(code, message, opts);
    this.name = 'TaskHookError';
  }
}
