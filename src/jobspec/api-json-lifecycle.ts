/** The lifecycle, reschedule, periodic and dispatch blocks in Nomad's API JSON shape (api.Job). */
import { MS_TO_NS } from '../util/duration.js';
import type { ApiObject, ApiValue } from './api-json.js';
import type { Lifecycle, Parameterized, Periodic, ReschedulePolicy } from './types.js';

export function reschedulePolicyJson(r: ReschedulePolicy | null): ApiObject | null {
  if (r === null) return null;
  return {
    Attempts: r.attempts,
    Interval: r.intervalMs * MS_TO_NS,
    Delay: r.delayMs * MS_TO_NS,
    DelayFunction: r.delayFunction,
    MaxDelay: r.maxDelayMs * MS_TO_NS,
    Unlimited: r.unlimited,
  };
}

export function lifecycleJson(l: Lifecycle | null): ApiObject | null {
  return l === null ? null : { Hook: l.hook, Sidecar: l.sidecar };
}

export function dispatchPayloadJson(file: string | null): ApiObject | null {
  return file === null ? null : { File: file };
}

export function periodicJson(p: Periodic | null): ApiObject | null {
  if (p === null) return null;
  const out: Record<string, ApiValue> = { Enabled: p.enabled, Spec: p.cron, SpecType: 'cron', ProhibitOverlap: p.prohibitOverlap, TimeZone: p.timeZone };
  // Nomad 1.6+ keeps every spec of `crons` in Specs; a single `cron` has none.
  if (p.crons.length > 1) out['Specs'] = [...p.crons];
  return out;
}

export function parameterizedJson(p: Parameterized | null): ApiObject | null {
  if (p === null) return null;
  const list = (xs: readonly string[]): string[] | null => (xs.length === 0 ? null : [...xs]);
  return { Payload: p.payload, MetaRequired: list(p.metaRequired), MetaOptional: list(p.metaOptional) };
}

/** The job-level `reschedule` block as written: Nomad keeps it with null for each field not set. */
export function jobRescheduleJson(written: unknown): ApiObject | null {
  if (typeof written !== 'object' || written === null) return null;
  const w = written as Readonly<Record<string, ApiValue>>;
  const out: Record<string, ApiValue> = {};
  for (const k of ['Attempts', 'Interval', 'Delay', 'DelayFunction', 'MaxDelay', 'Unlimited']) out[k] = w[k] ?? null;
  return out;
}
