/**
 * Nomad's AllocResourceUsage (`GET /v1/client/allocation/:id/stats`, the shape of
 * src/status/stats.ts) and HostStats (`GET /v1/client/stats`, from node:os and statfs).
 */
import { statfsSync } from 'node:fs';
import { cpus, freemem, totalmem, uptime } from 'node:os';
import type { Database } from '../state/index.js';
import { listTaskStates } from '../state/index.js';
import { MS_TO_NS } from '../cli/format.js';
import { allocResourceUsage, sumUsage, type AllocResourceUsage, type TaskResourceUsage } from '../status/stats.js';

/** The agent's in-memory usage of one task, or null when it has no sample. */
export type TaskUsageSource = (allocId: string, task: string) => TaskResourceUsage | null;

/** A task with no sample yet: Nomad's shape, nothing measured. */
function unmeasured(now: number): TaskResourceUsage {
  return {
    ResourceUsage: {
      MemoryStats: { RSS: 0, Cache: 0, Swap: 0, Usage: 0, MaxUsage: 0, KernelUsage: 0, KernelMaxUsage: 0, Measured: [] },
      CpuStats: { SystemMode: 0, UserMode: 0, TotalTicks: 0, ThrottledPeriods: 0, ThrottledTime: 0, Percent: 0, Measured: [] },
      DeviceStats: null,
    },
    Timestamp: now * MS_TO_NS,
    Pids: null,
  };
}

/**
 * Each task's latest usage from the agent's sampler (in memory, every 2 s), else the sample
 * the agent last stored, else an unmeasured zero; summed into the allocation's as Nomad does.
 */
export function allocStats(db: Database, allocId: string, now: number, live: TaskUsageSource | null): AllocResourceUsage {
  const stored = allocResourceUsage(db, allocId);
  const tasks: Record<string, TaskResourceUsage> = {};
  for (const t of listTaskStates(db, allocId)) tasks[t.task] = live?.(allocId, t.task) ?? stored?.Tasks[t.task] ?? unmeasured(now);
  return { ...sumUsage(tasks), Timestamp: now * MS_TO_NS };
}

export function hostStats(dataDir: string, now: number): Record<string, unknown> {
  let disk: Record<string, unknown> = { Available: 0, Device: '', InodesUsedPercent: 0, Mountpoint: '', Size: 0, Used: 0, UsedPercent: 0 };
  try {
    const s = statfsSync(dataDir);
    const size = s.blocks * s.bsize;
    const avail = s.bavail * s.bsize;
    const used = size - s.bfree * s.bsize;
    disk = { Available: avail, Device: '', InodesUsedPercent: s.files > 0 ? ((s.files - s.ffree) / s.files) * 100 : 0, Mountpoint: '', Size: size, Used: used, UsedPercent: size > 0 ? (used / size) * 100 : 0 };
  } catch {
    // No data dir to measure (yet): the zero figures stand.
  }
  const total = totalmem();
  const free = freemem();
  return {
    AllocDirStats: disk,
    CPU: cpus().map((c, i) => {
      const t = c.times;
      const sum = t.user + t.nice + t.sys + t.idle + t.irq || 1;
      return { CPU: `cpu${i}`, Idle: (t.idle / sum) * 100, System: (t.sys / sum) * 100, Total: ((sum - t.idle) / sum) * 100, User: (t.user / sum) * 100 };
    }),
    CPUTicksConsumed: 0,
    DeviceStats: null,
    DiskStats: [{ ...disk, Mountpoint: dataDir }],
    Memory: { Available: free, Free: free, Total: total, Used: total - free },
    Timestamp: now * MS_TO_NS,
    Uptime: Math.floor(uptime()),
  };
}
