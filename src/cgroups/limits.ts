/**
 * Memory and CPU limits on a task's cgroup, as Nomad's isolating drivers set them:
 * hard memory = `memory_max` when given, else `memory`; with `memory_max` the `memory`
 * value becomes the soft reservation; no swap beyond the limit; CPU shares = the task's MHz
 * (min 2), and on v2 the weight converted from shares as runc and Nomad convert it:
 * `1 + ((shares - 2) * 9999) / 262142`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeText } from './files.js';
import type { TaskCgroup } from './task-cgroup.js';

export interface CgroupLimits {
  readonly memoryMB: number;
  /** Nomad's `memory_max`; null when the job gives none. */
  readonly memoryMaxMB: number | null;
  /** The task's `cpu` in MHz. */
  readonly cpuMHz: number;
}

const MiB = 1024 * 1024;

export function cpuShares(mhz: number): number {
  return Math.max(2, Math.min(262144, Math.round(mhz)));
}

export function cpuWeight(shares: number): number {
  return Math.floor(1 + ((shares - 2) * 9999) / 262142);
}

/** One control file to write: `file` in `dir`, skipped where the hierarchy does not offer it. */
export interface CgroupWrite {
  readonly dir: string;
  readonly file: string;
  readonly value: string;
}

/**
 * The control files the limits take, in the order they must be written, for every hierarchy
 * the task is in (pure: whether each file exists is the writer's to check, so the spawner
 * can write them into cgroups it has just made).
 */
export function limitWrites(cg: TaskCgroup, l: CgroupLimits): CgroupWrite[] {
  const hard = (l.memoryMaxMB !== null && l.memoryMaxMB > l.memoryMB ? l.memoryMaxMB : l.memoryMB) * MiB;
  const soft = l.memoryMaxMB !== null && l.memoryMaxMB > l.memoryMB ? l.memoryMB * MiB : null;
  const shares = cpuShares(l.cpuMHz);
  const out: CgroupWrite[] = [];
  const put = (dir: string | undefined, file: string, value: string): void => {
    if (dir !== undefined) out.push({ dir, file, value });
  };
  const { memory, cpu, unified } = cg.dirs;
  // v1: memsw must stay >= limit_in_bytes, so the plain limit goes first.
  put(memory, 'memory.limit_in_bytes', String(hard));
  put(memory, 'memory.memsw.limit_in_bytes', String(hard));
  if (soft !== null) put(memory, 'memory.soft_limit_in_bytes', String(soft));
  put(cpu, 'cpu.shares', String(shares));
  // v2 (the files exist only where the memory and cpu controllers are enabled).
  put(unified, 'memory.max', String(hard));
  put(unified, 'memory.swap.max', '0');
  if (soft !== null) put(unified, 'memory.low', String(soft));
  put(unified, 'cpu.weight', String(cpuWeight(shares)));
  return out;
}

/** Writes the limits to every hierarchy that has the files; returns the files written. */
export function applyLimits(cg: TaskCgroup, l: CgroupLimits): string[] {
  const written: string[] = [];
  for (const w of limitWrites(cg, l)) {
    if (!existsSync(join(w.dir, w.file))) continue;
    writeText(w.dir, w.file, w.value);
    written.push(w.file);
  }
  return written;
}

/** A task's resources as limits: `memory_max` counts only when the job sets it (> 0). */
export function limitsFor(r: { readonly cpu: number; readonly memoryMB: number; readonly memoryMaxMB?: number }): CgroupLimits {
  return { memoryMB: r.memoryMB, memoryMaxMB: r.memoryMaxMB !== undefined && r.memoryMaxMB > 0 ? r.memoryMaxMB : null, cpuMHz: r.cpu };
}
