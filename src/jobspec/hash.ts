/**
 * A hash of what a job means, not of its bytes: the agent makes a new job version only when
 * this changes, so a whitespace or comment edit leaves the running job alone.
 */
import { createHash } from 'node:crypto';
import type { Job } from './types.js';

/** JSON with object keys sorted at every level, so field order cannot change the hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function canonicalHash(job: Job): string {
  return createHash('sha256').update(canonicalJson(job)).digest('hex');
}
