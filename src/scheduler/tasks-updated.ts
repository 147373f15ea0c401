import type { Group, Job, Task } from '../jobspec/types.js';
import { deepEqual } from './equal.js';

/**
 * Whether moving an alloc from group `a` to group `b` needs a new alloc (destructive) rather
 * than a version bump in place. Nomad's rules (scheduler/util.go `tasksUpdated`): the task
 * set, ephemeral disk, networks and ports, volumes, affinities, spreads, and per task the
 * driver, user, config, env, meta, resources, artifacts, vault, templates and volume mounts.
 * bivouac also counts constraint changes as destructive: with one node there is nowhere to
 * move an alloc that an in-place update would leave on an unfit node. Count, restart policy,
 * kill timeout and signal, logs, services and update/migrate/reschedule blocks are in place.
 */
export function tasksUpdated(a: Group, b: Group): boolean {
  return destructiveChange(a, b) !== null;
}

/** The first destructive difference between two versions of a group, named for `job plan`; null if none. */
export function destructiveChange(a: Group, b: Group): string | null {
  if (a.tasks.length !== b.tasks.length) return 'number of tasks';
  if (!deepEqual(a.ephemeralDisk, b.ephemeralDisk)) return 'ephemeral disk';
  if (!deepEqual(a.networks, b.networks)) return 'network';
  if (!deepEqual(a.constraints, b.constraints)) return 'group constraints';
  if (!deepEqual(a.meta, b.meta)) return 'group meta';
  const extra = extraChange(a.extra, b.extra, GROUP_DESTRUCTIVE);
  if (extra) return `group ${extra}`;
  for (const at of a.tasks) {
    const bt = b.tasks.find((t) => t.name === at.name);
    if (!bt) return `task "${at.name}" removed`;
    const why = taskChange(at, bt);
    if (why) return `task "${at.name}" ${why}`;
  }
  return null;
}

/** Job-wide fields that make every group's allocs destructive: meta (Nomad combines it into task meta) and constraints. */
export function jobWideChange(a: Job, b: Job): string | null {
  if (!deepEqual(a.meta, b.meta)) return 'job meta';
  if (!deepEqual(a.constraints, b.constraints)) return 'job constraints';
  return null;
}

// Extra blocks by their API names (jobspec/schema.ts), compared case-insensitively.
const GROUP_DESTRUCTIVE = new Set(['volumes', 'affinities', 'spreads', 'consul']);
const TASK_DESTRUCTIVE = new Set(['artifacts', 'vault', 'templates', 'volumemounts', 'affinities', 'lifecycle', 'csipluginconfig', 'consul']);

function taskChange(a: Task, b: Task): string | null {
  if (a.driver !== b.driver) return 'driver';
  if (a.user !== b.user) return 'user';
  if (!deepEqual(a.rawConfig, b.rawConfig)) return 'config';
  if (!deepEqual(a.env, b.env)) return 'env';
  if (!deepEqual(a.meta, b.meta)) return 'meta';
  const ra = a.resources;
  const rb = b.resources;
  if (ra.cpu !== rb.cpu || ra.cores !== rb.cores || ra.memoryMB !== rb.memoryMB || ra.memoryMaxMB !== rb.memoryMaxMB) {
    return 'resources';
  }
  if (!deepEqual(ra.networks, rb.networks)) return 'network';
  if (!deepEqual(a.constraints, b.constraints)) return 'constraints';
  if (!deepEqual(a.artifacts, b.artifacts)) return 'artifacts';
  if (!deepEqual(a.templates, b.templates)) return 'templates';
  return extraChange(a.extra, b.extra, TASK_DESTRUCTIVE);
}

function extraChange(
  a: Readonly<Record<string, unknown>>,
  b: Readonly<Record<string, unknown>>,
  destructive: ReadonlySet<string>,
): string | null {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (destructive.has(k.toLowerCase()) && !deepEqual(a[k], b[k])) return k;
  }
  return null;
}
