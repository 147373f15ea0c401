/** An allocation's reschedule fields in Nomad's API names (PreviousAllocation, NextAllocation, RescheduleTracker). */
import type { ReschedulePolicy } from '../jobspec/types.js';
import type { AllocRecord, Database } from '../state/index.js';
import { getLineage } from '../state/index.js';
import { attemptsInInterval } from '../scheduler/reschedule.js';
import { MS_TO_NS } from '../cli/format.js';

export interface ApiRescheduleEvent {
  readonly RescheduleTime: number;
  readonly PrevAllocID: string;
  readonly PrevNodeID: string;
  readonly Delay: number;
}

export interface RescheduleInfo {
  /** Reschedules within the policy's interval, and the policy's attempts (0 when unlimited). */
  readonly Attempts: number;
  readonly Total: number;
  /** When the pending reschedule is due (ns), 0 when none is. */
  readonly EligibleAt: number;
}

export function rescheduleFields(db: Database, a: AllocRecord, policy: ReschedulePolicy | null): {
  PreviousAllocation: string;
  NextAllocation: string;
  RescheduleTracker: { Events: ApiRescheduleEvent[] } | null;
  RescheduleInfo: RescheduleInfo;
} {
  const l = getLineage(db, a.id);
  const events = l.events.map((e) => ({ RescheduleTime: e.rescheduleTime * MS_TO_NS, PrevAllocID: e.prevAllocId, PrevNodeID: e.prevNodeId, Delay: e.delayMs * MS_TO_NS }));
  const total = policy !== null && !policy.unlimited ? policy.attempts : 0;
  return {
    PreviousAllocation: l.previousAlloc ?? '',
    NextAllocation: l.nextAlloc ?? '',
    RescheduleTracker: events.length === 0 ? null : { Events: events },
    RescheduleInfo: {
      Attempts: policy === null ? 0 : attemptsInInterval(policy, l.events, a.modifyTime),
      Total: total,
      EligibleAt: l.dueAt === null ? 0 : l.dueAt * MS_TO_NS,
    },
  };
}
