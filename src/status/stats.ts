/**
 * Resource usage in the JSON shape of Nomad's GET /v1/client/allocation/:id/stats
 * (AllocResourceUsage, TaskResourceUsage, ResourceUsage, MemoryStats, CpuStats), built from
 * the samples the agent stores (task_stats, schema 4), and the `CPU` / `Memory` cells of
 * `alloc status` (`12/100 MHz`, `41 MiB/64 MiB`) as Nomad prints them.
 */
import { formatIBytes, formatTable } from '../cli/format.js';
import { listTaskStats, type Database } from '../state/index.js';

export interface MemoryStats {
  readonly RSS: number;
  readonly Cache: number;
  readonly Swap: number;
  readonly Usage: number;
  readonly MaxUsage: number;
  readonly KernelUsage: number;
  readonly KernelMaxUsage: number;
  readonly Measured: readonly string[];
}

export interface CpuStats {
  /** Percent of one core spent in the kernel since the previous sample. */
  readonly SystemMode: number;
  readonly UserMode: number;
  /** MHz used: Percent of one core's frequency. */
  readonly TotalTicks: number;
  readonly ThrottledPeriods: number;
  readonly ThrottledTime: number;
  /** Percent of one core. */
  readonly Percent: number;
  readonly Measured: readonly string[];
}

export interface ResourceUsage {
  readonly MemoryStats: MemoryStats;
  readonly CpuStats: CpuStats;
  readonly DeviceStats: readonly unknown[] | null;
}

export interface TaskResourceUsage {
  readonly ResourceUsage: ResourceUsage;
  /** Epoch ns. */
  readonly Timestamp: number;
  readonly Pids: Readonly<Record<string, ResourceUsage>> | null;
}

export interface AllocResourceUsage {
  readonly ResourceUsage: ResourceUsage;
  readonly Tasks: Readonly<Record<string, TaskResourceUsage>>;
  readonly Timestamp: number;
}

/** Nomad's sum of its tasks' usage (client/allocrunner: AllocResourceUsage). */
export function sumUsage(tasks: Readonly<Record<string, TaskResourceUsage>>): AllocResourceUsage {
  const list = Object.values(tasks);
  const add = (f: (u: ResourceUsage) => number): number => list.reduce((n, t) => n + f(t.ResourceUsage), 0);
  const first = list[0]?.ResourceUsage;
  return {
    ResourceUsage: {
      MemoryStats: {
        RSS: add((u) => u.MemoryStats.RSS),
        Cache: add((u) => u.MemoryStats.Cache),
        Swap: add((u) => u.MemoryStats.Swap),
        Usage: add((u) => u.MemoryStats.Usage),
        MaxUsage: add((u) => u.MemoryStats.MaxUsage),
        KernelUsage: add((u) => u.MemoryStats.KernelUsage),
        KernelMaxUsage: add((u) => u.MemoryStats.KernelMaxUsage),
        Measured: first?.MemoryStats.Measured ?? [],
      },
      CpuStats: {
        SystemMode: add((u) => u.CpuStats.SystemMode),
        UserMode: add((u) => u.CpuStats.UserMode),
        TotalTicks: add((u) => u.CpuStats.TotalTicks),
        ThrottledPeriods: add((u) => u.CpuStats.ThrottledPeriods),
        ThrottledTime: add((u) => u.CpuStats.ThrottledTime),
        Percent: add((u) => u.CpuStats.Percent),
        Measured: first?.CpuStats.Measured ?? [],
      },
      DeviceStats: [],
    },
    Tasks: tasks,
    Timestamp: list.reduce((n, t) => Math.max(n, t.Timestamp), 0),
  };
}

/** The stored samples of an allocation's running tasks; null when none has one yet. */
export function allocResourceUsage(db: Database, allocId: string): AllocResourceUsage | null {
  const tasks: Record<string, TaskResourceUsage> = {};
  for (const r of listTaskStats(db, allocId)) tasks[r.task] = JSON.parse(r.sampleJson) as TaskResourceUsage;
  return Object.keys(tasks).length === 0 ? null : sumUsage(tasks);
}

/**
 * The `CPU` and `Memory` cells of alloc status's Task Resources: `<used>/<limit> MHz` and
 * `<rss>/<limit>` when a sample exists (Nomad 1.0: floor of TotalTicks, RSS), else the limits.
 */
export function resourceCells(usage: TaskResourceUsage | null, cpuMHz: number, memoryMB: number): { cpu: string; memory: string } {
  const limit = formatIBytes(memoryMB * 1024 * 1024);
  if (usage === null) return { cpu: `${cpuMHz} MHz`, memory: limit };
  const u = usage.ResourceUsage;
  return { cpu: `${Math.floor(u.CpuStats.TotalTicks)}/${cpuMHz} MHz`, memory: `${formatIBytes(u.MemoryStats.RSS)}/${limit}` };
}

/** `-verbose`: the breakdown Nomad prints under `alloc status -stats`. */
export function renderUsageBreakdown(usage: TaskResourceUsage): string {
  const m = usage.ResourceUsage.MemoryStats;
  const c = usage.ResourceUsage.CpuStats;
  const pct = (n: number): string => `${n.toFixed(2)}%`;
  return (
    'Memory Stats\n' +
    formatTable(['Cache', 'Max Usage', 'RSS', 'Swap', 'Usage'], [[m.Cache, m.MaxUsage, m.RSS, m.Swap, m.Usage].map(formatIBytes)]) +
    '\nCPU Stats\n' +
    formatTable(['Percent', 'System Mode', 'Total Ticks', 'User Mode'], [[pct(c.Percent), pct(c.SystemMode), String(Math.floor(c.TotalTicks)), pct(c.UserMode)]])
  );
}
