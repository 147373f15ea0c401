/**
 * The child jobs a periodic or parameterized parent launches, as Nomad derives them
 * (structs.Job.Copy in the periodic dispatcher and Job.Dispatch): the parent's spec under
 * a new ID and Name, without the periodic or parameterized block, dispatch meta merged over
 * the parent's. Pure.
 */
import type { Job } from '../jobspec/types.js';

/** `<parent>/periodic-<unix seconds>` (structs.PeriodicLaunchSuffix). */
export function periodicChildId(parentId: string, launchMs: number): string {
  return `${parentId}/periodic-${Math.floor(launchMs / 1000)}`;
}

/** `<parent>/dispatch-<unix seconds>-<8 hex>` (structs.DispatchedID). */
export function dispatchChildId(parentId: string, nowMs: number, hex8: string): string {
  return `${parentId}/dispatch-${Math.floor(nowMs / 1000)}-${hex8}`;
}

export function childJob(parent: Job, id: string, meta: Readonly<Record<string, string>> = {}): Job {
  return { ...parent, id, name: id, periodic: null, parameterized: null, meta: { ...parent.meta, ...meta } };
}
