/**
 * Nomad's defaults (reference/nomad.md §1, structs.go at 1.5), in one place so a test can
 * list them and the decoder cannot drift from them.
 */
import type { JobType, RestartPolicy } from './types.js';

export const DEFAULTS = {
  type: 'service',
  priority: 50,
  region: 'global',
  namespace: 'default',
  /** Nomad ≥ 1.5: every datacenter (glob). Before that, datacenters were required. */
  datacenters: ['*'],
  count: 1,
  cpu: 100,
  memoryMB: 300,
  killTimeoutMs: 5_000,
  logMaxFiles: 10,
  logMaxFileSizeMB: 10,
  ephemeralDiskMB: 300,
} as const;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const SERVICE_RESTART: RestartPolicy = { attempts: 2, intervalMs: 30 * MINUTE, delayMs: 15_000, mode: 'fail' };
const BATCH_RESTART: RestartPolicy = { attempts: 3, intervalMs: 24 * HOUR, delayMs: 15_000, mode: 'fail' };

export function defaultRestart(type: JobType): RestartPolicy {
  return type === 'batch' || type === 'sysbatch' ? BATCH_RESTART : SERVICE_RESTART;
}

export const JOB_TYPES: readonly JobType[] = ['service', 'batch', 'system', 'sysbatch'];

export const LIMITS = {
  priorityMin: 1,
  priorityMax: 100,
  cpuMin: 1,
  memoryMinMB: 10,
  diskMinMB: 10,
  logMinFiles: 1,
  logMinFileSizeMB: 1,
  nameMaxBytes: 128,
} as const;
