/**
 * One resource sample of a task's cgroup: cumulative CPU time and memory, in the units the
 * kernel gives (ns, bytes). v2 files: cpu.stat (usage_usec, always present), memory.current,
 * memory.peak, memory.stat (anon, file), memory.swap.current. v1 files: cpuacct.usage (ns),
 * cpuacct.stat (user/system in USER_HZ ticks), memory.usage_in_bytes,
 * memory.max_usage_in_bytes, memory.stat (total_rss, total_cache, total_swap).
 * Memory is null where no memory controller covers the task (the caller falls back to /proc).
 */
import { readKeyed, readNumber } from './files.js';
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

export function sampleCgroup(cg: TaskCgroup): CgroupSample {
  return { cpu: sampleCpu(cg), memory: sampleMemory(cg) };
}

function sampleCpu(cg: TaskCgroup): CpuSample | null {
  if (cg.dirs.cpuacct !== undefined) {
    const total = readNumber(cg.dirs.cpuacct, 'cpuacct.usage');
    if (total !== null) {
      const st = readKeyed(cg.dirs.cpuacct, 'cpuacct.stat');
      return { totalNs: total, userNs: (st.get('user') ?? 0) * USER_HZ_NS, systemNs: (st.get('system') ?? 0) * USER_HZ_NS };
    }
  }
  if (cg.dirs.unified !== undefined) {
    const st = readKeyed(cg.dirs.unified, 'cpu.stat');
    const usage = st.get('usage_usec');
    if (usage !== undefined) return { totalNs: usage * 1000, userNs: (st.get('user_usec') ?? 0) * 1000, systemNs: (st.get('system_usec') ?? 0) * 1000 };
  }
  return null;
}

function sampleMemory(cg: TaskCgroup): MemorySample | null {
  const v1 = cg.dirs.memory;
  if (v1 !== undefined) {
    const usage = readNumber(v1, 'memory.usage_in_bytes');
    if (usage !== null) {
      const st = readKeyed(v1, 'memory.stat');
      return {
        rss: st.get('total_rss') ?? st.get('rss') ?? 0,
        cache: st.get('total_cache') ?? st.get('cache') ?? 0,
        swap: st.get('total_swap') ?? st.get('swap') ?? 0,
        usage,
        maxUsage: readNumber(v1, 'memory.max_usage_in_bytes') ?? usage,
      };
    }
  }
  const v2 = cg.dirs.unified;
  if (v2 !== undefined) {
    const usage = readNumber(v2, 'memory.current');
    if (usage !== null) {
      const st = readKeyed(v2, 'memory.stat');
      return {
        rss: st.get('anon') ?? 0,
        cache: st.get('file') ?? 0,
        swap: readNumber(v2, 'memory.swap.current') ?? 0,
        usage,
        // memory.peak exists from Linux 5.19; before it the current usage is the best known.
        maxUsage: readNumber(v2, 'memory.peak') ?? usage,
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
