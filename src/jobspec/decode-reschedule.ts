/**
 * `reschedule` at job and group level to the group's typed ReschedulePolicy: Nomad's
 * default for the job type, then the job's block, then the group's, field by field
 * (api.TaskGroup.Canonicalize). System jobs have none: they never reschedule.
 */
import { bool, checkKeys, duration, int, oneBlock, remember, str, type Node } from './decode-ctx.js';
import type { JobType, ReschedulePolicy } from './types.js';

const RESCHEDULE_KEYS = ['attempts', 'interval', 'delay', 'delay_function', 'max_delay', 'unlimited'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** structs.DefaultServiceJobReschedulePolicy and DefaultBatchJobReschedulePolicy. */
const SERVICE: ReschedulePolicy = { attempts: 0, intervalMs: 0, delayMs: 30_000, delayFunction: 'exponential', maxDelayMs: HOUR, unlimited: true };
const BATCH: ReschedulePolicy = { attempts: 1, intervalMs: 24 * HOUR, delayMs: 5_000, delayFunction: 'constant', maxDelayMs: 0, unlimited: false };

export function defaultReschedule(type: JobType): ReschedulePolicy | null {
  if (type === 'service') return SERVICE;
  if (type === 'batch') return BATCH;
  return null;
}

/** The policy `parent`'s `reschedule` block makes of `base`; base itself when there is none. */
export function decodeReschedule(parent: Node, base: ReschedulePolicy | null): ReschedulePolicy | null {
  const node = oneBlock(parent, 'reschedule');
  if (node === null) return base;
  checkKeys(node, RESCHEDULE_KEYS);
  remember(node);
  for (const k of RESCHEDULE_KEYS) remember(node, k);
  // A system job's block is decoded for its errors; validate.ts refuses the block itself.
  const b = base ?? { attempts: 0, intervalMs: 0, delayMs: 0, delayFunction: '', maxDelayMs: 0, unlimited: false };
  return {
    attempts: int(node, 'attempts', b.attempts),
    intervalMs: duration(node, 'interval', b.intervalMs),
    delayMs: duration(node, 'delay', b.delayMs),
    delayFunction: str(node, 'delay_function', b.delayFunction),
    maxDelayMs: duration(node, 'max_delay', b.maxDelayMs),
    unlimited: bool(node, 'unlimited', b.unlimited),
  };
}
