/**
 * A task's cgroup as stored in its driver handle: plain JSON, enough to find, sample, kill
 * and remove it after an agent restart without the layout that made it. `dirs` holds one
 * absolute directory per hierarchy the task was put in.
 */
import type { HierarchyKind } from './layout.js';
import { V1_CONTROLLERS } from './layout.js';

export interface TaskCgroup {
  /** `<allocId>.<task>`: what an operator looks for under the agent's cgroup. */
  readonly name: string;
  readonly dirs: Readonly<Partial<Record<HierarchyKind, string>>>;
}

const KINDS: readonly HierarchyKind[] = ['unified', ...V1_CONTROLLERS];

/** Decodes a stored value; null when absent or not a cgroup reference (an old handle). */
export function decodeTaskCgroup(raw: unknown): TaskCgroup | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const o = raw as Readonly<Record<string, unknown>>;
  if (typeof o.name !== 'string' || typeof o.dirs !== 'object' || o.dirs === null) return null;
  const src = o.dirs as Readonly<Record<string, unknown>>;
  const dirs: Partial<Record<HierarchyKind, string>> = {};
  for (const k of KINDS) {
    const v = src[k];
    // Only absolute paths below a cgroup mount: a torn or hostile row never points elsewhere.
    if (typeof v === 'string' && v.startsWith('/') && !v.split('/').includes('..')) dirs[k] = v;
  }
  return Object.keys(dirs).length > 0 ? { name: o.name, dirs } : null;
}

/** Distinct directories (cpu and cpuacct may share one mount). */
export function distinctDirs(cg: TaskCgroup): string[] {
  return [...new Set(Object.values(cg.dirs).filter((d): d is string => typeof d === 'string'))];
}

/** The directory whose cgroup.procs says who is in the task: unified first, it sees every process. */
export function trackingDir(cg: TaskCgroup): string | null {
  return cg.dirs.unified ?? cg.dirs.freezer ?? cg.dirs.pids ?? cg.dirs.memory ?? distinctDirs(cg)[0] ?? null;
}

/** A name safe as one path component, still readable: `<allocId>.<task>`. */
export function cgroupName(allocId: string, task: string): string {
  const clean = (s: string): string => s.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_');
  return `${clean(allocId)}.${clean(task)}`.slice(0, 200);
}
