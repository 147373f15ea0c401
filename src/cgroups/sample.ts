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
import { readKeyed } from './files.js';
import { KeptFiles, keptFilesCap, keyedValue, numberIn } from './kept-files.js';
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

const key = (k: string): Buffer => Buffer.from(k, 'latin1');
const K = {
  user: key('user'),
  system: key('system'),
  usageUsec: key('usage_usec'),
  userUsec: key('user_usec'),
  systemUsec: key('system_usec'),
  totalRss: key('total_rss'),
  rss: key('rss'),
  totalCache: key('total_cache'),
  cache: key('cache'),
  totalSwap: key('total_swap'),
  swap: key('swap'),
  anon: key('anon'),
  file: key('file'),
};

/** One number from a file (null: absent, `max`, or not a number). */
function number(dir: string, file: string): number | null {
  const f = sampleFiles();
  return numberIn(f.buffer, f.read(dir, file));
}

function sampleCpu(cg: TaskCgroup): CpuSample | null {
  const f = sampleFiles();
  if (cg.dirs.cpuacct !== undefined) {
    const total = number(cg.dirs.cpuacct, 'cpuacct.usage');
    if (total !== null) {
      const n = f.read(cg.dirs.cpuacct, 'cpuacct.stat');
      return { totalNs: total, userNs: (keyedValue(f.buffer, n, K.user) ?? 0) * USER_HZ_NS, systemNs: (keyedValue(f.buffer, n, K.system) ?? 0) * USER_HZ_NS };
    }
  }
  if (cg.dirs.unified !== undefined) {
    const n = f.read(cg.dirs.unified, 'cpu.stat');
    const usage = keyedValue(f.buffer, n, K.usageUsec);
    if (usage !== undefined) return { totalNs: usage * 1000, userNs: (keyedValue(f.buffer, n, K.userUsec) ?? 0) * 1000, systemNs: (keyedValue(f.buffer, n, K.systemUsec) ?? 0) * 1000 };
  }
  return null;
}

function sampleMemory(cg: TaskCgroup): MemorySample | null {
  const f = sampleFiles();
  const v1 = cg.dirs.memory;
  if (v1 !== undefined) {
    const usage = number(v1, 'memory.usage_in_bytes');
    if (usage !== null) {
      const n = f.read(v1, 'memory.stat');
      const b = f.buffer;
      const rss = keyedValue(b, n, K.totalRss) ?? keyedValue(b, n, K.rss) ?? 0;
      const cache = keyedValue(b, n, K.totalCache) ?? keyedValue(b, n, K.cache) ?? 0;
      const swap = keyedValue(b, n, K.totalSwap) ?? keyedValue(b, n, K.swap) ?? 0;
      return { rss, cache, swap, usage, maxUsage: number(v1, 'memory.max_usage_in_bytes') ?? usage };
    }
  }
  const v2 = cg.dirs.unified;
  if (v2 !== undefined) {
    const usage = number(v2, 'memory.current');
    if (usage !== null) {
      const n = f.read(v2, 'memory.stat');
      const rss = keyedValue(f.buffer, n, K.anon) ?? 0;
      const cache = keyedValue(f.buffer, n, K.file) ?? 0;
      return {
        rss,
        cache,
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
