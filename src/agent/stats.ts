/**
 * The stats sampler: every `sampleMs` (5 s) it asks each driver for a sample of every task that
 * has a handle (Nomad's TaskStats), turns the CPU time since the previous sample into
 * Nomad's Percent / UserMode / SystemMode and MHz (TotalTicks = Percent of one core's
 * frequency), and keeps the latest per task in memory. Every `writeMs` the latest samples
 * go to the database in one transaction (task_stats), so `alloc status` shows usage with
 * no call to the agent, at the cost of one small write every ~10 s, not one per sample.
 * A task whose figures are the same as its stored row's (an idle task: no CPU, the same
 * memory) is not written again until that row is a minute old, so an idle node writes its
 * stats once a minute; the API serves the in-memory samples, fresh each round.
 */
import { endSampleRound } from '../cgroups/index.js';
import type { Driver, TaskResourceSample } from '../drivers/types.js';
import { listSampledTasks, replaceTaskStats, updateTaskStats, type Database, type TaskStatsRow } from '../state/index.js';
import type { TaskResourceUsage } from '../status/stats.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

export interface StatsSamplerDeps {
  readonly db: Database;
  readonly drivers: ReadonlyMap<string, Driver>;
  readonly clock: Clock;
  readonly log: Logger;
  /** MHz of one core (the node's cpu.frequency). */
  readonly mhzPerCore: () => number;
  /** Default 5 s (a round over 100 cgroups costs ~3 ms of CPU here, most of it the kernel making memory.stat). */
  readonly sampleMs?: number;
  /** Default 10 s. */
  readonly writeMs?: number;
}

/** A stored row whose figures did not change is written again once it is this old. */
const REFRESH_MS = 60_000;

interface Stored {
  /** The usage's ResourceUsage as JSON: the figures, without the time. */
  readonly figures: string;
  readonly sampledAt: number;
}

interface Latest {
  readonly sample: TaskResourceSample;
  readonly usage: TaskResourceUsage;
}

const CGROUP_MEMORY = ['RSS', 'Cache', 'Swap', 'Usage', 'Max Usage'];
const PROC_MEMORY = ['RSS', 'Swap'];
const CPU_MEASURED = ['System Mode', 'User Mode', 'Percent'];

/** Two samples of one task → Nomad's TaskResourceUsage; without a previous one the rates are 0. */
export function toTaskUsage(prev: TaskResourceSample | null, cur: TaskResourceSample, mhzPerCore: number): TaskResourceUsage {
  const dt = prev ? (cur.timestamp - prev.timestamp) * 1e6 : 0;
  const rate = (a: number | undefined, b: number | undefined): number => (dt > 0 && a !== undefined && b !== undefined ? Math.max(0, ((b - a) / dt) * 100) : 0);
  const percent = rate(prev?.cpu?.totalNs, cur.cpu?.totalNs);
  const m = cur.memory;
  return {
    ResourceUsage: {
      MemoryStats: {
        RSS: m?.rss ?? 0,
        Cache: m?.cache ?? 0,
        Swap: m?.swap ?? 0,
        Usage: m?.usage ?? 0,
        MaxUsage: m?.maxUsage ?? 0,
        KernelUsage: 0,
        KernelMaxUsage: 0,
        Measured: cur.source === 'cgroup' ? CGROUP_MEMORY : PROC_MEMORY,
      },
      CpuStats: {
        SystemMode: rate(prev?.cpu?.systemNs, cur.cpu?.systemNs),
        UserMode: rate(prev?.cpu?.userNs, cur.cpu?.userNs),
        TotalTicks: (percent / 100) * mhzPerCore,
        ThrottledPeriods: 0,
        ThrottledTime: 0,
        Percent: percent,
        Measured: CPU_MEASURED,
      },
      DeviceStats: null,
    },
    Timestamp: cur.timestamp * 1e6,
    Pids: null,
  };
}

export class StatsSampler {
  private readonly latest = new Map<string, Latest>();
  /** What task_stats holds, as this sampler last wrote it. */
  private readonly stored = new Map<string, Stored>();
  /** The next write replaces the whole table: the first one (rows an earlier agent left), and after a failed one. */
  private replaceAll = true;
  private timers: NodeJS.Timeout[] = [];
  private readonly sampleMs: number;
  private readonly writeMs: number;
  /** Told after each round (the API thread keeps its own copy of the latest usage). */
  onSample: ((latest: [string, TaskResourceUsage][]) => void) | null = null;

  constructor(private readonly deps: StatsSamplerDeps) {
    this.sampleMs = deps.sampleMs ?? 5_000;
    this.writeMs = deps.writeMs ?? 10_000;
  }

  start(): void {
    this.sampleOnce();
    const s = setInterval(() => this.sampleOnce(), this.sampleMs);
    const w = setInterval(() => this.writeOnce(), this.writeMs);
    s.unref();
    w.unref();
    this.timers = [s, w];
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** One round over every task with a handle; tasks gone since the last round are forgotten. */
  sampleOnce(): void {
    const { db, drivers, log } = this.deps;
    const seen = new Set<string>();
    const mhz = this.deps.mhzPerCore();
    for (const h of listSampledTasks(db)) {
      const key = `${h.allocId}\u0000${h.task}`;
      const taskId = h.taskId;
      const driver = drivers.get(h.driver);
      if (taskId === null || !driver?.taskStats) continue;
      let sample: TaskResourceSample | null;
      try {
        sample = driver.taskStats(taskId);
      } catch (err) {
        log.debug({ err, taskId }, 'task sample failed');
        continue;
      }
      if (sample === null) continue;
      seen.add(key);
      this.latest.set(key, { sample, usage: toTaskUsage(this.latest.get(key)?.sample ?? null, sample, mhz) });
    }
    for (const k of this.latest.keys()) if (!seen.has(k)) this.latest.delete(k);
    // The files of tasks this round did not sample (gone) are closed; the rest stay open for the next.
    endSampleRound();
    this.onSample?.(this.latestUsage());
  }

  /** The latest samples that changed (or whose row is a minute old) in one transaction; rows of tasks gone are removed. */
  writeOnce(): void {
    const put: TaskStatsRow[] = [];
    const written = new Map<string, Stored>();
    for (const [key, l] of this.latest) {
      const figures = JSON.stringify(l.usage.ResourceUsage);
      const s = this.stored.get(key);
      if (!this.replaceAll && s !== undefined && s.figures === figures && l.sample.timestamp - s.sampledAt < REFRESH_MS) continue;
      const [allocId, task] = key.split('\u0000');
      put.push({ allocId, task, sampledAt: l.sample.timestamp, sampleJson: JSON.stringify(l.usage) });
      written.set(key, { figures, sampledAt: l.sample.timestamp });
    }
    const gone = [...this.stored.keys()].filter((k) => !this.latest.has(k));
    try {
      if (this.replaceAll) {
        replaceTaskStats(this.deps.db, put);
        this.stored.clear();
      } else {
        updateTaskStats(
          this.deps.db,
          put,
          gone.map((k) => {
            const [allocId, task] = k.split('\u0000');
            return { allocId, task };
          }),
        );
        for (const k of gone) this.stored.delete(k);
      }
      for (const [k, s] of written) this.stored.set(k, s);
      this.replaceAll = false;
    } catch (err) {
      this.replaceAll = true;
      this.deps.log.warn({ err }, 'writing task stats failed; retried at the next write');
    }
  }

  /** Every task's latest usage, keyed `alloc\0task`. */
  latestUsage(): [string, TaskResourceUsage][] {
    return [...this.latest].map(([k, l]) => [k, l.usage]);
  }

  /** The in-memory latest usage of one task (the API may serve it fresher than the table). */
  usage(allocId: string, task: string): TaskResourceUsage | null {
    return this.latest.get(`${allocId}\u0000${task}`)?.usage ?? null;
  }
}
