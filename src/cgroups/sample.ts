/**
 * One resource sample of a task's cgroup: cumulative CPU time and memory, in the units the
 * kernel gives (ns, bytes). v2 files: cpu.stat (usage_usec, always present), memory.current,
 * memory.peak, memory.stat (anon, file), memory.swap.current. v1 files: cpuacct.usage (ns),
 * cpuacct.stat (user/system in USER_HZ ticks), memory.usage_in_bytes,
 * memory.max_usage_in_bytes, memory.stat (total_rss, total_cache, total_swap).
 * Memory is null where no memory controller covers the task (the caller falls back to /proc).
 * The files are kept open between the sampler's rounds (kept-files.ts); only the keys used
 * are looked for.
 */
import { join } from 'node:path';
import { readKeyed } from './files.js';
import { KeptFiles, keptFilesCap } from './kept-files.js';
import type { TaskCgroup } from './task-cgroup.js';

export interface CpuSample {
  readonly totalNs: number;
  readonly userNs: number;
  readonly systemNs: number;
}

export interface MemorySample {
  readonly rss: number;
  readonly cache: number;
  readonly swap: number;
  readonly usage: number;
  readonly maxUsage: number;
}

export interface CgroupSample {
  readonly cpu: CpuSample | null;
  readonly memory: MemorySample | null;
}

/** USER_HZ: the unit of cpuacct.stat, 100 on every Linux ABI. */
const USER_HZ_NS = 10_000_000;

let kept: KeptFiles | null = null;

/** The sampler's files, kept open between rounds (kept-files.ts). */
export function sampleFiles(): KeptFiles {
  kept ??= new KeptFiles(keptFilesCap());
  return kept;
}

/** A sampler round is over: the files of tasks it did not sample are closed. */
export function endSampleRound(): void {
  kept?.endRound();
}

export function sampleCgroup(cg: TaskCgroup): CgroupSample {
  return { cpu: sampleCpu(cg), memory: sampleMemory(cg) };
}

function read(dir: string, file: string): string | null {
  return sampleFiles().read(join(dir, file));
}

function number(dir: string, file: string): number | null {
  const t = read(dir, file)?.trim();
  if (t === undefined || t === '' || t === 'max') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/**
 * The number on the `key value` line of `key` (memory.stat, cpu.stat), found by a search
 * for the key alone: the sampler needs 2–3 of memory.stat's ~40 lines.
 */
export function keyedValue(text: string | null, key: string): number | undefined {
  if (text === null) return undefined;
  for (let from = 0; ; ) {
    const at = text.indexOf(key, from);
    if (at === -1) return undefined;
    const end = at + key.length;
    if ((at === 0 || text.charCodeAt(at - 1) === 10) && text.charCodeAt(end) === 32) {
      let stop = end + 1;
      while (stop < text.length && text.charCodeAt(stop) > 32) stop++;
      const n = Number(text.slice(end + 1, stop));
      return stop > end + 1 && Number.isFinite(n) ? n : undefined;
    }
    from = end;
  }
}

function sampleCpu(cg: TaskCgroup): CpuSample | null {
  if (cg.dirs.cpuacct !== undefined) {
    const total = number(cg.dirs.cpuacct, 'cpuacct.usage');
    if (total !== null) {
      const st = read(cg.dirs.cpuacct, 'cpuacct.stat');
      return { totalNs: total, userNs: (keyedValue(st, 'user') ?? 0) * USER_HZ_NS, systemNs: (keyedValue(st, 'system') ?? 0) * USER_HZ_NS };
    }
  }
  if (cg.dirs.unified !== undefined) {
    const st = read(cg.dirs.unified, 'cpu.stat');
    const usage = keyedValue(st, 'usage_usec');
    if (usage !== undefined) return { totalNs: usage * 1000, userNs: (keyedValue(st, 'user_usec') ?? 0) * 1000, systemNs: (keyedValue(st, 'system_usec') ?? 0) * 1000 };
  }
  return null;
}

function sampleMemory(cg: TaskCgroup): MemorySample | null {
  const v1 = cg.dirs.memory;
  if (v1 !== undefined) {
    const usage = number(v1, 'memory.usage_in_bytes');
    if (usage !== null) {
      const st = read(v1, 'memory.stat');
      return {
        rss: keyedValue(st, 'total_rss') ?? keyedValue(st, 'rss') ?? 0,
        cache: keyedValue(st, 'total_cache') ?? keyedValue(st, 'cache') ?? 0,
        swap: keyedValue(st, 'total_swap') ?? keyedValue(st, 'swap') ?? 0,
        usage,
        maxUsage: number(v1, 'memory.max_usage_in_bytes') ?? usage,
      };
    }
  }
  const v2 = cg.dirs.unified;
  if (v2 !== undefined) {
    const usage = number(v2, 'memory.current');
    if (usage !== null) {
      const st = read(v2, 'memory.stat');
      return {
        rss: keyedValue(st, 'anon') ?? 0,
        cache: keyedValue(st, 'file') ?? 0,
        swap: number(v2, 'memory.swap.current') ?? 0,
        usage,
        // memory.peak exists from Linux 5.19; before it the current usage is the best known.
        maxUsage: number(v2, 'memory.peak') ?? usage,
      };
    }
  }
  return null;
}

/** OOM kills the kernel counted in the cgroup: memory.events (v2) or memory.oom_control (v1, Linux ≥ 4.13). */
export function oomKillCount(cg: TaskCgroup): number {
  let n = 0;
  if (cg.dirs.memory !== undefined) n = readKeyed(cg.dirs.memory, 'memory.oom_control').get('oom_kill') ?? 0;
  if (n === 0 && cg.dirs.unified !== undefined) n = readKeyed(cg.dirs.unified, 'memory.events').get('oom_kill') ?? 0;
  return n;
}
