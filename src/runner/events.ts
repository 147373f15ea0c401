/**
 * Nomad's task events as data: the type names `alloc status` shows and the description each
 * one gets (reference nomad.md §3.2). Events are stored with their fields and described on
 * display, as Nomad's CLI does, so a stored event never carries stale wording.
 */
import type { ExitResult } from '../drivers/types.js';
import { assertNever } from '../util/assert.js';
import { formatDuration } from '../util/duration.js';
import { REASON_WITHIN_POLICY } from './restart.js';

export const TASK_EVENT_TYPES = [
  'Received',
  'Task Setup',
  'Started',
  'Terminated',
  'Restarting',
  'Not Restarting',
  'Killing',
  'Killed',
  'Driver Failure',
  'Setup Failure',
  'Failed Validation',
  'Sibling Task Failed',
  'Leader Task Dead',
  'Main Tasks Dead',
  'Signaling',
  'Restart Signaled',
  'Driver',
  'Downloading Artifacts',
  'Failed Artifact Download',
  'Disk Resources Exceeded',
  'Task hook failed',
  'Failed Restoring Task',
  'Plugin became unhealthy',
  'Plugin became healthy',
  'Reconnected',
  'Waiting for shutdown delay',
] as const;

export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

export function isTaskEventType(s: string): s is TaskEventType {
  return (TASK_EVENT_TYPES as readonly string[]).includes(s);
}

/** Nomad's TaskEvent fields that bivouac fills; unused ones stay at their zero value. */
export interface TaskEvent {
  readonly type: TaskEventType;
  /** Epoch ms. */
  readonly time: number;
  readonly message: string;
  /** null when the exit code is not known (the task ended while the agent was down). */
  readonly exitCode: number | null;
  readonly signal: number;
  readonly killTimeoutMs: number;
  readonly killReason: string;
  readonly killError: string;
  readonly startDelayMs: number;
  readonly restartReason: string;
  readonly driverError: string;
  readonly setupError: string;
  readonly validationError: string;
  readonly failedSibling: string;
  readonly taskSignal: string;
  readonly taskSignalReason: string;
  readonly driverMessage: string;
  readonly downloadError: string;
  /** Whether this event marks the task failed (Nomad's FailsTask). */
  readonly failsTask: boolean;
}

export type TaskEventFields = Partial<Omit<TaskEvent, 'type' | 'time'>>;

export function newTaskEvent(type: TaskEventType, time: number, fields: TaskEventFields = {}): TaskEvent {
  return {
    type,
    time,
    message: '',
    exitCode: 0,
    signal: 0,
    killTimeoutMs: 0,
    killReason: '',
    killError: '',
    startDelayMs: 0,
    restartReason: '',
    driverError: '',
    setupError: '',
    validationError: '',
    failedSibling: '',
    taskSignal: '',
    taskSignalReason: '',
    driverMessage: '',
    downloadError: '',
    failsTask: false,
    ...fields,
  };
}

/** The Description column of `alloc status` for one event, as Nomad's CLI builds it. */
export function describeEvent(e: TaskEvent): string {
  const or = (value: string, fallback: string): string => (value !== '' ? value : fallback);
  switch (e.type) {
    case 'Received':
      return 'Task received by client';
    case 'Started':
      return 'Task started by client';
    case 'Task Setup':
      return e.message;
    case 'Terminated': {
      const parts = [`Exit Code: ${e.exitCode ?? 'unknown'}`];
      if (e.signal !== 0) parts.push(`Signal: ${e.signal}`);
      if (e.message !== '') parts.push(`Exit Message: ${JSON.stringify(e.message)}`);
      return parts.join(', ');
    }
    case 'Restarting': {
      const inText = `Task restarting in ${formatDuration(e.startDelayMs)}`;
      return e.restartReason !== '' && e.restartReason !== REASON_WITHIN_POLICY ? `${e.restartReason} - ${inText}` : inText;
    }
    case 'Not Restarting':
      return or(e.restartReason, 'Task exceeded restart policy');
    case 'Killing':
      if (e.killReason !== '') return `Killing task: ${e.killReason}`;
      if (e.killTimeoutMs !== 0) return `Sent interrupt. Waiting ${formatDuration(e.killTimeoutMs)} before force killing`;
      return 'Sent interrupt';
    case 'Killed':
      return or(e.killError, 'Task successfully killed');
    case 'Driver Failure':
      return or(e.driverError, 'Failed to start task');
    case 'Setup Failure':
      return or(e.setupError, 'Task setup failed');
    case 'Failed Validation':
      return or(e.validationError, 'Validation of task failed');
    case 'Sibling Task Failed':
      return e.failedSibling !== '' ? `Task's sibling ${JSON.stringify(e.failedSibling)} failed` : "Task's sibling failed";
    case 'Leader Task Dead':
      return 'Leader Task in Group dead';
    case 'Signaling':
      return describeSignaling(e.taskSignal, e.taskSignalReason);
    case 'Restart Signaled':
      return or(e.restartReason, 'Task signaled to restart');
    case 'Driver':
      return e.driverMessage;
    case 'Downloading Artifacts':
      return 'Client is downloading artifacts';
    case 'Failed Artifact Download':
      return or(e.downloadError, 'Failed to download artifacts');
    case 'Reconnected':
      return 'Client reconnected';
    case 'Main Tasks Dead':
    case 'Disk Resources Exceeded':
    case 'Task hook failed':
    case 'Failed Restoring Task':
    case 'Plugin became unhealthy':
    case 'Plugin became healthy':
    case 'Waiting for shutdown delay':
      return e.message;
    default:
      return assertNever(e.type, 'task event type');
  }
}

function describeSignaling(sig: string, reason: string): string {
  if (sig === '' && reason === '') return 'Task being sent a signal';
  if (sig === '') return reason;
  if (reason === '') return `Task being sent signal ${sig}`;
  return `Task being sent signal ${sig}: ${reason}`;
}

/** The Terminated description for a driver's exit result ("Exit Code: 1, Signal: 9"). */
export function describeTerminated(exit: ExitResult): string {
  // Nomad's words for a task the kernel's OOM killer ended.
  const message = exit.err ?? (exit.oomKilled ? 'OOM Killed' : '');
  return describeEvent(newTaskEvent('Terminated', 0, { exitCode: exit.exitCode, signal: exit.signal, message }));
}

/** The Restarting description for a restart decision ("Task restarting in 16.875s"). */
export function describeRestarting(delayMs: number, reason: string): string {
  return describeEvent(newTaskEvent('Restarting', 0, { startDelayMs: delayMs, restartReason: reason }));
}
