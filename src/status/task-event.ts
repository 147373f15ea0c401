import type { TaskEventRecord } from '../state/index.js';
import { MS_TO_NS } from '../cli/format.js';
import { formatDuration } from '../util/duration.js';

/**
 * Nomad's TaskEvent, as `GET /v1/allocation/:id` returns it and `--json` prints it: every
 * field present, `Message` and `DisplayMessage` always strings, and `Details` Nomad's
 * string map (`exit_code: "0"`, `oom_killed: "false"`, `kill_timeout: "5s"` …) built from
 * the fields bivouac stores with the event.
 */
export interface ApiTaskEvent {
  readonly Type: string;
  readonly Time: number;
  readonly Message: string;
  readonly DisplayMessage: string;
  readonly Details: Readonly<Record<string, string>>;
  readonly FailsTask: boolean;
  readonly RestartReason: string;
  readonly SetupError: string;
  readonly DriverError: string;
  readonly ExitCode: number;
  readonly Signal: number;
  readonly KillTimeout: number;
  readonly KillError: string;
  readonly KillReason: string;
  readonly StartDelay: number;
  readonly DownloadError: string;
  readonly ValidationError: string;
  readonly DiskLimit: number;
  readonly FailedSibling: string;
  readonly VaultError: string;
  readonly TaskSignalReason: string;
  readonly TaskSignal: string;
  readonly DriverMessage: string;
  readonly GenericSource: string;
}

/** Event types whose stored message is Nomad's `Message` field (SetMessage), not only its display text. */
const MESSAGE_TYPES = new Set(['Task Setup', 'Main Tasks Dead', 'Task hook failed', 'Waiting for shutdown delay', 'Plugin became unhealthy', 'Plugin became healthy']);
/** The error field each failure type's message belongs in. */
const ERROR_FIELD: Readonly<Record<string, keyof ApiTaskEvent & string>> = {
  'Driver Failure': 'DriverError',
  'Setup Failure': 'SetupError',
  'Failed Validation': 'ValidationError',
  'Failed Artifact Download': 'DownloadError',
};
const ERROR_DETAIL: Readonly<Record<string, string>> = {
  DriverError: 'driver_error',
  SetupError: 'setup_error',
  ValidationError: 'validation_error',
  DownloadError: 'download_error',
};

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** `killTimeoutMs`: the task's kill_timeout, for `Killing` events stored without it. */
export function apiTaskEvent(e: TaskEventRecord, killTimeoutMs = 0): ApiTaskEvent {
  const d = e.details;
  const details: Record<string, string> = {};
  const out: { -readonly [K in keyof ApiTaskEvent]: ApiTaskEvent[K] } = {
    Type: e.type,
    Time: e.time * MS_TO_NS,
    Message: MESSAGE_TYPES.has(e.type) ? e.message : '',
    DisplayMessage: e.message,
    Details: details,
    FailsTask: false,
    RestartReason: '',
    SetupError: '',
    DriverError: '',
    ExitCode: 0,
    Signal: 0,
    KillTimeout: 0,
    KillError: '',
    KillReason: '',
    StartDelay: 0,
    DownloadError: '',
    ValidationError: '',
    DiskLimit: 0,
    FailedSibling: '',
    VaultError: '',
    TaskSignalReason: '',
    TaskSignal: '',
    DriverMessage: '',
    GenericSource: '',
  };
  if (out.Message !== '') details.message = out.Message;
  switch (e.type) {
    case 'Terminated':
    case 'Failed Restoring Task': {
      out.ExitCode = num(d.exitCode) ?? 0;
      out.Signal = num(d.signal) ?? 0;
      if (e.type === 'Terminated' || 'exitCode' in d) {
        details.oom_killed = String(d.oomKilled === true);
        details.exit_code = String(out.ExitCode);
        details.signal = String(out.Signal);
      }
      break;
    }
    case 'Restarting': {
      const delayMs = num(d.delayMs) ?? 0;
      out.StartDelay = delayMs * MS_TO_NS;
      out.RestartReason = text(d.reason);
      details.start_delay = String(out.StartDelay);
      details.restart_reason = out.RestartReason;
      break;
    }
    case 'Not Restarting':
    case 'Restart Signaled':
      out.RestartReason = text(d.reason) || e.message;
      details.restart_reason = out.RestartReason;
      if (e.type === 'Not Restarting') {
        out.FailsTask = true;
        details.fails_task = 'true';
      }
      break;
    case 'Killing': {
      const ms = num(d.killTimeoutMs) ?? killTimeoutMs;
      out.KillTimeout = ms * MS_TO_NS;
      details.kill_timeout = formatDuration(ms);
      if (text(d.reason) !== '') {
        out.KillReason = text(d.reason);
        details.kill_reason = out.KillReason;
      }
      break;
    }
    case 'Killed':
      if (e.message !== 'Task successfully killed') {
        out.KillError = e.message;
        details.kill_error = e.message;
      }
      break;
    case 'Signaling':
      out.TaskSignal = text(d.signal);
      out.TaskSignalReason = text(d.reason);
      details.signal = out.TaskSignal;
      if (out.TaskSignalReason !== '') details.task_signal_reason = out.TaskSignalReason;
      break;
    case 'Sibling Task Failed':
      out.FailedSibling = text(d.sibling) || (/"(.*)"/.exec(e.message)?.[1] ?? '');
      details.failed_sibling = out.FailedSibling;
      break;
    case 'Driver':
      out.DriverMessage = e.message;
      details.driver_message = e.message;
      break;
    default: {
      const field = ERROR_FIELD[e.type];
      if (field !== undefined) {
        (out as Record<string, unknown>)[field] = e.message;
        details[ERROR_DETAIL[field]] = e.message;
        out.FailsTask = d.recoverable === false || e.type === 'Failed Validation';
        if (out.FailsTask) details.fails_task = 'true';
      }
    }
  }
  return out;
}
