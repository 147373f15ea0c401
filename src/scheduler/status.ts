import type { JobType } from '../jobspec/types.js';
import { assertNever } from '../util/assert.js';
import { isLive, type AllocClientStatus, type ExistingAlloc } from './types.js';

export type TaskStateName = 'pending' | 'running' | 'dead';

export interface TaskStateSummary {
  readonly state: TaskStateName;
  readonly failed: boolean;
}

/**
 * An alloc's client status from its tasks' states, with Nomad's description
 * (client/allocrunner `getClientStatus`): a failed task fails the alloc; else any running
 * task makes it running; else any pending one pending; else all are dead: complete.
 */
export function allocClientStatus(tasks: readonly TaskStateSummary[]): {
  readonly status: AllocClientStatus;
  readonly description: string;
} {
  let running = false;
  let pending = tasks.length === 0;
  for (const t of tasks) {
    switch (t.state) {
      case 'dead':
        if (t.failed) return { status: 'failed', description: 'Failed tasks' };
        break;
      case 'running':
        running = true;
        break;
      case 'pending':
        pending = true;
        break;
      default:
        return assertNever(t.state, 'task state');
    }
  }
  if (running) return { status: 'running', description: 'Tasks are running' };
  if (pending) return { status: 'pending', description: 'No tasks have started' };
  return { status: 'complete', description: 'All tasks have completed' };
}

export type JobStatus = 'pending' | 'running' | 'dead';

export interface JobStatusInput {
  readonly type: JobType;
  readonly periodic: boolean;
  readonly parameterized: boolean;
  readonly stopped: boolean;
  readonly allocs: readonly Pick<ExistingAlloc, 'desiredStatus' | 'clientStatus'>[];
  /** Work the agent has yet to do for the job (Nomad's non-terminal evaluations). */
  readonly pendingWork: boolean;
}

/**
 * Nomad's `getJobStatus`: system, periodic and parameterized jobs run until stopped;
 * otherwise a live alloc means running, pending work means pending, any alloc at all means
 * dead (a finished batch job), and a job with nothing yet is pending.
 */
export function jobStatus(j: JobStatusInput): JobStatus {
  if (j.type === 'system' || j.type === 'sysbatch' || j.periodic || j.parameterized) {
    return j.stopped ? 'dead' : 'running';
  }
  if (j.allocs.some(isLive)) return 'running';
  if (j.pendingWork && !j.stopped) return 'pending';
  if (j.allocs.length > 0 || j.stopped) return 'dead';
  return 'pending';
}

/** What `status` prints: a stopped job reads `dead (stopped)` (command/job_status.go). */
export function jobStatusLabel(status: JobStatus, stopped: boolean): string {
  return stopped && status === 'dead' ? 'dead (stopped)' : status;
}
