/**
 * One error family for everything a user can cause or see. Callers branch on `code`
 * and on the domain fields, never on message text.
 */
export type ErrorCode =
  | 'USAGE'
  | 'CONFIG'
  | 'JOBSPEC_PARSE'
  | 'JOBSPEC_INVALID'
  | 'CONSTRAINT_UNMET'
  | 'PLACEMENT_FAILED'
  | 'DRIVER_START'
  | 'DRIVER_FINGERPRINT'
  | 'TASK_NOT_FOUND'
  | 'TASK_SETUP'
  | 'TASK_VALIDATION'
  | 'REMOTE_API'
  | 'STATE_MIGRATION'
  | 'STATE_NOT_FOUND'
  | 'UNSAFE_PATH'
  | 'ARTIFACT'
  | 'TEMPLATE'
  | 'NOT_FOUND'
  | 'DISPATCH'
  | 'API_REQUEST';

export class BivouacError extends Error {
  readonly code: ErrorCode;
  /** One line, fit for the CLI and for `status`. */
  readonly userMessage: string;
  /** Whether retrying (a restart of the task, say) can help. */
  readonly recoverable: boolean;

  constructor(code: ErrorCode, userMessage: string, opts: { cause?: unknown; recoverable?: boolean } = {}) {
    super(userMessage, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BivouacError';
    this.code = code;
    this.userMessage = userMessage;
    this.recoverable = opts.recoverable ?? true;
  }
}

/** The driver could not find the task a handle points at (Nomad's ErrTaskNotFound). */
export class TaskNotFoundError extends BivouacError {
  constructor(taskId: string, detail?: string) {
    super('TASK_NOT_FOUND', `task ${taskId} not found${detail ? `: ${detail}` : ''}`);
    this.name = 'TaskNotFoundError';
  }
}

export function isBivouacError(e: unknown): e is BivouacError {
  return e instanceof BivouacError;
}

/** A message for anything thrown: our own one-liner, or the error's message. */
export function errorMessage(e: unknown): string {
  if (e instanceof BivouacError) return e.userMessage;
  if (e instanceof Error) return e.message;
  return String(e);
}
