import type { TaskEventRecord, TaskStateRecord } from '../state/index.js';
import { apiTaskEvent, type ApiTaskEvent } from './task-event.js';

/** Nomad's TaskState (an allocation's `TaskStates[task]`). */
export interface ApiTaskState {
  readonly State: string;
  readonly Failed: boolean;
  readonly Restarts: number;
  readonly LastRestart: string | null;
  readonly StartedAt: string | null;
  readonly FinishedAt: string | null;
  readonly Events: readonly ApiTaskEvent[];
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** `killTimeoutMs`: the task's kill_timeout, which Nomad's Killing event carries. */
export function apiTaskState(t: TaskStateRecord, events: readonly TaskEventRecord[], killTimeoutMs = 0): ApiTaskState {
  return {
    State: t.state,
    Failed: t.failed,
    Restarts: t.restarts,
    LastRestart: iso(t.lastRestart),
    StartedAt: iso(t.startedAt),
    FinishedAt: iso(t.finishedAt),
    Events: events.map((e) => apiTaskEvent(e, killTimeoutMs)),
  };
}

