/**
 * Nomad's AllocResourceUsage (`GET /v1/client/allocation/:id/stats`) and HostStats
 * (`GET /v1/client/stats`). Until the agent keeps sampled stats, a task's memory is read
 * from /proc for the pid its driver handle stores (RSS of the process group leader) and CPU
 * is reported unmeasured; the host figures come from node:os and statfs.
 */
import { readFileSync, statfsSync } from 'node:fs';
import { cpus, freemem, totalmem, uptime } from 'node:os';
import type { Database } from '../state/index.js';
import { getHandle, listTaskStates } from '../state/index.js';
import { MS_TO_NS } from '../cli/format.js';

interface ResourceUsage {
  readonly MemoryStats: { RSS: number; Cache: number; Swap: number; Usage: number; MaxUsage: number; KernelUsage: number; KernelMaxUsage: number; Measured: readonly string[] };
  readonly CpuStats: { SystemMode: number; UserMode: number; TotalTicks: number; ThrottledPeriods: number; ThrottledTime: number; Percent: number; Measured: readonly string[] };
  readonly DeviceStats: readonly unknown[] | null;
}

function usage(rss: number, measured: boolean, devices: readonly unknown[] | null): ResourceUsage {
  return {
    MemoryStats: { RSS: rss, Cache: 0, Swap: 0, Usage: 0, MaxUsage: 0, KernelUsage: 0, KernelMaxUsage: 0, Measured: measured ? ['RSS'] : [] },
    CpuStats: { SystemMode: 0, UserMode: 0, TotalTicks: 0, ThrottledPeriods: 0, ThrottledTime: 0, Percent: 0, Measured: [] },
    DeviceStats: devices,
  };
}

function rssOf(pid: number): number | null {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return Number.isFinite(pages) ? pages * 4096 : null;
  } catch {
    // The process is gone: nothing to measure.
    return null;
  }
}

export function allocStats(db: Database, allocId: string, now: number): Record<string, unknown> {
  const tasks: Record<string, unknown> = {};
  let total = 0;
  let measured = false;
  for (const t of listTaskStates(db, allocId)) {
    const h = t.state === 'running' ? getHandle(db, allocId, t.task) : null;
    const state = h && typeof h.handle === 'object' && h.handle !== null ? (h.handle as { state?: { pid?: unknown } }).state : undefined;
    const rss = typeof state?.pid === 'number' ? rssOf(state.pid) : null;
    if (rss !== null) {
      total += rss;
      measured = true;
    }
    tasks[t.task] = { ResourceUsage: usage(rss ?? 0, rss !== null, null), Timestamp: now * MS_TO_NS, Pids: null };
  }
  return { ResourceUsage: usage(total, measured, []), Tasks: tasks, Timestamp: now * MS_TO_NS };
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
