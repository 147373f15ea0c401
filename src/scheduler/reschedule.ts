/**
 * Whether and when a failed allocation is replaced, as Nomad's scheduler decides it
 * (structs.Allocation RescheduleEligible, NextDelay, NextRescheduleTime). Pure: the
 * failed allocation's reschedule history and its group's policy in, a due time out.
 * On one node a reschedule is a new allocation on the same node.
 */
import type { ReschedulePolicy } from '../jobspec/types.js';

/** One entry of an allocation's RescheduleTracker (times in ms; the API shows ns). */
export interface RescheduleEvent {
  readonly rescheduleTime: number;
  readonly prevAllocId: string;
  readonly prevNodeId: string;
  readonly delayMs: number;
}

export interface RescheduleInput {
  /** The group's policy at the failed allocation's job version; null for system jobs. */
  readonly policy: ReschedulePolicy | null;
  /** The failed allocation's tracker: the events of every reschedule that led to it. */
  readonly events: readonly RescheduleEvent[];
  /** When the allocation failed (its last task event). */
  readonly failedAt: number;
}

export type RescheduleDecision =
  | { readonly reschedule: true; readonly dueAt: number; readonly delayMs: number }
  | { readonly reschedule: false; readonly reason: 'disabled' | 'attempts exhausted' };

export function decideReschedule(input: RescheduleInput): RescheduleDecision {
  const { policy, events, failedAt } = input;
  if (policy === null || !(policy.attempts > 0 || policy.unlimited)) return { reschedule: false, reason: 'disabled' };
  if (!policy.unlimited && events.length > 0 && attemptsInInterval(policy, events, failedAt) >= policy.attempts) {
    return { reschedule: false, reason: 'attempts exhausted' };
  }
  const delayMs = nextDelay(policy, events, failedAt);
  return { reschedule: true, dueAt: failedAt + delayMs, delayMs };
}

/** Reschedules within the policy's interval before `at`: the "1" of `Reschedule Attempts = 1/3`. */
export function attemptsInInterval(policy: ReschedulePolicy, events: readonly RescheduleEvent[], at: number): number {
  if (policy.attempts <= 0) return 0;
  return events.filter((e) => at - e.rescheduleTime < policy.intervalMs).length;
}

/**
 * The delay before the next replacement: the policy's delay first, then by its function
 * from the previous delays, capped at max_delay; once capped, a failure that comes more
 * than the cap after the last reschedule starts the series over (Nomad's reset).
 */
export function nextDelay(policy: ReschedulePolicy, events: readonly RescheduleEvent[], failedAt: number): number {
  if (events.length === 0) return policy.delayMs;
  const last = events[events.length - 1];
  let delay: number;
  switch (policy.delayFunction) {
    case 'exponential':
      delay = last.delayMs * 2;
      break;
    case 'fibonacci': {
      if (events.length < 2) return policy.delayMs;
      const n1 = last.delayMs;
      const n2 = events[events.length - 2].delayMs;
      delay = n2 === policy.maxDelayMs && n1 === policy.delayMs ? n1 : n1 + n2;
      break;
    }
    default:
      return policy.delayMs;
  }
  if (policy.maxDelayMs > 0 && delay > policy.maxDelayMs) {
    delay = policy.maxDelayMs;
    if (failedAt - last.rescheduleTime > delay) delay = policy.delayMs;
  }
  return delay;
}
