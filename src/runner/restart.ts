/**
 * The restart decision (Nomad's RestartTracker, reference nomad.md §3.4) as one pure
 * function. Nomad keeps the attempt count and the interval window in memory; here they are
 * replayed from the times of earlier restarts, which the caller reads from stored task events,
 * so an agent restart neither resets nor double-counts the policy. Clock and rand come in as
 * values, so every delay is exact in tests.
 */
import type { JobType, RestartPolicy } from '../jobspec/types.js';
import type { Rand } from '../util/clock.js';
import { formatDuration } from '../util/duration.js';

export const REASON_NO_RESTARTS_ALLOWED = 'Policy allows no restarts';
export const REASON_UNRECOVERABLE_ERROR = 'Error was unrecoverable';
export const REASON_WITHIN_POLICY = 'Restart within policy';
export const REASON_DELAY = 'Exceeded allowed attempts, applying a delay';
export const REASON_TERMINATED_SUCCESSFULLY = 'Restart unnecessary as task terminated successfully';

export function reasonExceededAttempts(policy: RestartPolicy): string {
  return `Exceeded allowed attempts ${policy.attempts} in interval ${formatDuration(policy.intervalMs)} and mode is "fail"`;
}

/** Up to this fraction of the delay is added at random (Nomad's `jitter`). */
export const RESTART_JITTER = 0.25;

export type RestartOutcome =
  /** The task ran and exited; exitCode null when it is not known. */
  | { readonly kind: 'exited'; readonly exitCode: number | null; readonly signal: number }
  | { readonly kind: 'startError'; readonly recoverable: boolean }
  /** The runner killed it (stop, job change): never restarted. */
  | { readonly kind: 'killed' }
  /** An operator asked for a restart (Nomad's "Restart Signaled"): immediate, outside the policy. */
  | { readonly kind: 'restartRequested' };

export type RestartAction = 'restart' | 'fail' | 'terminate' | 'killed';

export interface RestartInput {
  readonly policy: RestartPolicy;
  readonly jobType: JobType;
  /** When the task runner began (the first Received/start): the first interval opens here. */
  readonly trackingSinceMs: number;
  /**
   * Times of the earlier decisions that restarted the task under the policy (its
   * `Restarting` events), oldest first. Operator-requested restarts are not included.
   */
  readonly restartTimes: readonly number[];
  readonly outcome: RestartOutcome;
  readonly now: number;
  readonly rand: Rand;
}

export interface RestartDecision {
  readonly action: RestartAction;
  /** How long to wait before starting again; 0 unless action is 'restart'. */
  readonly delayMs: number;
  /** One of the REASON_* texts, the exceeded-attempts text, or '' (killed, requested). */
  readonly reason: string;
}

export function decideRestart(input: RestartInput): RestartDecision {
  const { policy, outcome } = input;
  if (outcome.kind === 'killed') return { action: 'killed', delayMs: 0, reason: '' };
  if (outcome.kind === 'restartRequested') return { action: 'restart', delayMs: 0, reason: '' };

  // Batch work is done when it succeeds; services and system jobs run until stopped.
  const restartOnSuccess = input.jobType === 'service' || input.jobType === 'system';
  const succeeded = outcome.kind === 'exited' && outcome.exitCode === 0 && outcome.signal === 0;

  if (policy.attempts === 0) {
    if (!restartOnSuccess && succeeded) return { action: 'terminate', delayMs: 0, reason: REASON_NO_RESTARTS_ALLOWED };
    return { action: 'fail', delayMs: 0, reason: REASON_NO_RESTARTS_ALLOWED };
  }

  const { count, windowStart } = replayWindow(input);

  if (outcome.kind === 'startError' && !outcome.recoverable) {
    return { action: 'fail', delayMs: 0, reason: REASON_UNRECOVERABLE_ERROR };
  }
  if (succeeded && !restartOnSuccess) return { action: 'terminate', delayMs: 0, reason: REASON_TERMINATED_SUCCESSFULLY };

  if (count > policy.attempts) {
    if (policy.mode === 'fail') return { action: 'fail', delayMs: 0, reason: reasonExceededAttempts(policy) };
    // Mode delay: wait for the interval to end, when the count starts again.
    return { action: 'restart', delayMs: Math.max(0, windowStart + policy.intervalMs - input.now), reason: REASON_DELAY };
  }
  return { action: 'restart', delayMs: withJitter(policy.delayMs, input.rand), reason: REASON_WITHIN_POLICY };
}

/**
 * Nomad's tracker, replayed: a window opens at `trackingSinceMs`; a decision made after the
 * window's end resets the count and opens a new window at that decision; every decision
 * counts one. The current decision is the last one.
 */
function replayWindow(input: RestartInput): { count: number; windowStart: number } {
  const interval = input.policy.intervalMs;
  let windowStart = input.trackingSinceMs;
  let count = 0;
  for (const t of [...input.restartTimes, input.now]) {
    if (t > windowStart + interval) {
      count = 0;
      windowStart = t;
    }
    count++;
  }
  return { count, windowStart };
}

function withJitter(delayMs: number, rand: Rand): number {
  return Math.floor(delayMs + rand() * delayMs * RESTART_JITTER);
}
