/**
 * `/v1/metrics` and `?format=prometheus` through prom-client, loaded by the agent's API only
 * (the CLI never pays its ~90 ms). Nomad's names where Nomad has the metric
 * (`nomad.client.allocated.*`, `unallocated.*`, `host.*`, `allocs.cpu|memory.*`,
 * `allocations.*`), computed from the rows and /proc at scrape time; bivouac's own under
 * `bivouac_`. Prometheus gets underscores, the JSON Nomad's dotted names, as Nomad does.
 */
import type { Gauge, Registry } from 'prom-client';
import { cpus, freemem, hostname, totalmem } from 'node:os';
import { statfsSync } from 'node:fs';
import type { Database } from '../state/index.js';
import { countTaskEventsOfType, getNode, listAllAllocs, listFileErrors, getJobVersion, listTaskStates } from '../state/index.js';
import type { TaskUsageSource } from './stats.js';

export interface ApiMetrics {
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** One reconcile pass: its whole duration and its SQLite transaction's. */
  observePass(seconds: number, txSeconds: number): void;
  /** Where task usage comes from once the agent's stats sampler runs. */
  useTaskUsage(source: TaskUsageSource): void;
  /** The agent's event-loop delay since the previous scrape (agent/loop-delay.ts). */
  useLoopDelay(source: () => { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number }): void;
  prometheus(): Promise<{ text: string; contentType: string }>;
  json(): Promise<Record<string, unknown>>;
}

type PromClient = typeof import('prom-client');

interface Sources {
  readonly db: Database;
  readonly dataDir: string;
}

export async function createMetrics(src: Sources): Promise<ApiMetrics> {
  const prom: PromClient = await import('prom-client');
  const registry: Registry = new prom.Registry();
  const dotted = new Map<string, string>();
  const gauge = (name: string, help: string, labelNames: readonly string[], collect: (g: Gauge<string>) => void): void => {
    const prometheusName = name.replace(/\./g, '_');
    dotted.set(prometheusName, name);
    new prom.Gauge({ name: prometheusName, help, labelNames: [...labelNames], registers: [registry], collect() {
      this.reset();
      collect(this);
    } });
  };
  const nodeLabels = (): Record<string, string> => {
    const n = getNode(src.db);
    return { node_id: n?.info.id ?? '', datacenter: n?.info.datacenter ?? '', node_class: n?.info.nodeClass || 'none', node_status: n?.status ?? 'initializing', node_scheduling_eligibility: 'eligible', host: hostname() };
  };
  const NODE = ['node_id', 'datacenter', 'node_class', 'node_status', 'node_scheduling_eligibility', 'host'];
  const ALLOC = ['namespace', 'job', 'task_group', 'alloc_id', 'task', 'host'];
  const live = (): ReturnType<typeof listAllAllocs> => listAllAllocs(src.db).filter((a) => a.clientStatus === 'pending' || a.clientStatus === 'running');
  const allocated = (): { cpu: number; memory: number; disk: number } => {
    const out = { cpu: 0, memory: 0, disk: 0 };
    for (const a of live()) {
      out.cpu += a.resources.cpu;
      out.memory += a.resources.memoryMB;
      out.disk += a.resources.diskMB;
    }
    return out;
  };
  const capacity = (): { cpu: number; memory: number; disk: number } => {
    const n = getNode(src.db);
    const attr = (k: string): number => Number(n?.info.attributes[k] ?? 0) || 0;
    return { cpu: attr('cpu.totalcompute') - (n?.info.reserved.cpu ?? 0), memory: Math.floor(attr('memory.totalbytes') / 2 ** 20) - (n?.info.reserved.memoryMB ?? 0), disk: Math.floor(attr('unique.storage.bytesfree') / 2 ** 20) };
  };
  for (const dim of ['cpu', 'memory', 'disk'] as const) {
    gauge(`nomad.client.allocated.${dim}`, `Resources (${dim}) allocated to allocations on this node`, NODE, (g) => g.set(nodeLabels(), allocated()[dim]));
    gauge(`nomad.client.unallocated.${dim}`, `Resources (${dim}) left unallocated on this node`, NODE, (g) => g.set(nodeLabels(), Math.max(0, capacity()[dim] - allocated()[dim])));
  }
  const counts = (): Record<string, number> => {
    const c: Record<string, number> = { running: 0, pending: 0, terminal: 0, blocked: 0, migrating: 0 };
    for (const a of listAllAllocs(src.db)) {
      if (a.clientStatus === 'running') c.running++;
      else if (a.clientStatus === 'pending') c.pending++;
      else c.terminal++;
    }
    return c;
  };
  for (const s of ['running', 'pending', 'terminal', 'blocked', 'migrating']) {
    gauge(`nomad.client.allocations.${s}`, `Allocations ${s} on this node`, NODE, (g) => g.set(nodeLabels(), counts()[s]));
  }
  gauge('nomad.client.host.memory.total', 'Host memory, bytes', ['host'], (g) => g.set({ host: hostname() }, totalmem()));
  gauge('nomad.client.host.memory.free', 'Host memory free, bytes', ['host'], (g) => g.set({ host: hostname() }, freemem()));
  gauge('nomad.client.host.memory.available', 'Host memory available, bytes', ['host'], (g) => g.set({ host: hostname() }, freemem()));
  gauge('nomad.client.host.memory.used', 'Host memory used, bytes', ['host'], (g) => g.set({ host: hostname() }, totalmem() - freemem()));
  gauge('nomad.client.host.cpu.total', 'Host CPU busy since boot, percent', ['cpu', 'host'], (g) => {
    cpus().forEach((c, i) => {
      const t = c.times;
      const sum = t.user + t.nice + t.sys + t.idle + t.irq || 1;
      g.set({ cpu: `cpu${i}`, host: hostname() }, ((sum - t.idle) / sum) * 100);
    });
  });
  const disk = (): { size: number; available: number; used: number } => {
    try {
      const s = statfsSync(src.dataDir);
      return { size: s.blocks * s.bsize, available: s.bavail * s.bsize, used: (s.blocks - s.bfree) * s.bsize };
    } catch {
      // No data dir to measure yet: report nothing rather than a guess.
      return { size: 0, available: 0, used: 0 };
    }
  };
  for (const k of ['size', 'available', 'used'] as const) {
    gauge(`nomad.client.host.disk.${k}`, `Data dir file system ${k}, bytes`, ['disk', 'host'], (g) => g.set({ disk: src.dataDir, host: hostname() }, disk()[k]));
  }
  const perTask = (fn: (labels: Record<string, string>, allocId: string, task: string, spec: { cpu: number; memoryMB: number } | null) => void): void => {
    for (const a of live()) {
      const job = getJobVersion(src.db, a.jobId, a.jobVersion)?.job;
      const group = job?.groups.find((x) => x.name === a.taskGroup);
      for (const t of listTaskStates(src.db, a.id)) {
        const spec = group?.tasks.find((x) => x.name === t.task);
        fn({ namespace: job?.namespace ?? 'default', job: a.jobId, task_group: a.taskGroup, alloc_id: a.id, task: t.task, host: hostname() }, a.id, t.task, spec ? { cpu: spec.resources.cpu, memoryMB: spec.resources.memoryMB } : null);
      }
    }
  };
  gauge('nomad.client.allocs.cpu.allocated', 'CPU (MHz) allocated to the task', ALLOC, (g) => perTask((l, _a, _t, s) => g.set(l, s?.cpu ?? 0)));
  gauge('nomad.client.allocs.memory.allocated', 'Memory (bytes) allocated to the task', ALLOC, (g) => perTask((l, _a, _t, s) => g.set(l, (s?.memoryMB ?? 0) * 2 ** 20)));
  let usage: TaskUsageSource = () => null;
  const usageGauge = (name: string, help: string, pick: (u: NonNullable<ReturnType<TaskUsageSource>>['ResourceUsage']) => number): void =>
    gauge(name, help, ALLOC, (g) =>
      perTask((l, allocId, task) => {
        const u = usage(allocId, task);
        if (u) g.set(l, pick(u.ResourceUsage));
      }),
    );
  usageGauge('nomad.client.allocs.memory.rss', 'Resident memory of the task, bytes', (u) => u.MemoryStats.RSS);
  usageGauge('nomad.client.allocs.memory.cache', 'Page cache charged to the task, bytes', (u) => u.MemoryStats.Cache);
  usageGauge('nomad.client.allocs.memory.swap', 'Swap used by the task, bytes', (u) => u.MemoryStats.Swap);
  usageGauge('nomad.client.allocs.memory.usage', 'Memory charged to the task, bytes', (u) => u.MemoryStats.Usage);
  usageGauge('nomad.client.allocs.cpu.total_percent', 'CPU used by the task, percent of one core', (u) => u.CpuStats.Percent);
  usageGauge('nomad.client.allocs.cpu.user', 'CPU in user mode, percent of one core', (u) => u.CpuStats.UserMode);
  usageGauge('nomad.client.allocs.cpu.system', 'CPU in kernel mode, percent of one core', (u) => u.CpuStats.SystemMode);
  usageGauge('nomad.client.allocs.cpu.total_ticks', 'CPU used by the task, MHz', (u) => u.CpuStats.TotalTicks);
  usageGauge('nomad.client.allocs.cpu.throttled_periods', 'CPU periods the task was throttled', (u) => u.CpuStats.ThrottledPeriods);
  usageGauge('nomad.client.allocs.cpu.throttled_time', 'Time the task was throttled, ns', (u) => u.CpuStats.ThrottledTime);

  const ownGauge = (name: string, help: string, value: () => number): void => {
    dotted.set(name, name);
    new prom.Gauge({ name, help, registers: [registry], collect() {
      this.set(value());
    } });
  };
  ownGauge('bivouac_job_file_errors', 'Job files in the jobs dir that do not parse or validate', () => listFileErrors(src.db).length);
  const eventCount = (type: string): number => countTaskEventsOfType(src.db, type);
  ownGauge('bivouac_tasks_started', 'Task starts recorded (Started events)', () => eventCount('Started'));
  ownGauge('bivouac_tasks_restarted', 'Task restarts decided (Restarting events)', () => eventCount('Restarting'));
  ownGauge('bivouac_tasks_failed', 'Tasks failed for good (Not Restarting events)', () => eventCount('Not Restarting'));
  let loopDelay: (() => { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number }) | null = null;
  dotted.set('bivouac_event_loop_delay_seconds', 'bivouac_event_loop_delay_seconds');
  new prom.Gauge({ name: 'bivouac_event_loop_delay_seconds', help: "The agent's event-loop delay since the previous scrape (quantile 1 is the max)", labelNames: ['quantile'], registers: [registry], collect() {
    const d = loopDelay?.();
    if (!d) return;
    this.set({ quantile: '0.5' }, d.p50Ms / 1000);
    this.set({ quantile: '0.99' }, d.p99Ms / 1000);
    this.set({ quantile: '1' }, d.maxMs / 1000);
  } });
  const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
  const pass = new prom.Histogram({ name: 'bivouac_reconcile_pass_seconds', help: 'Duration of a reconcile pass', buckets, registers: [registry] });
  const passTx = new prom.Histogram({ name: 'bivouac_sqlite_commit_seconds', help: "Duration of a pass's SQLite transaction, commit included", buckets, registers: [registry] });
  const http = new prom.Histogram({ name: 'bivouac_http_request_seconds', help: 'HTTP API request duration', labelNames: ['method', 'route', 'code'], buckets, registers: [registry] });

  return {
    useTaskUsage(source) {
      usage = source;
    },
    useLoopDelay(source) {
      loopDelay = source;
    },
    observeRequest(method, route, status, seconds) {
      http.observe({ method, route, code: String(status) }, seconds);
    },
    observePass(seconds, txSeconds) {
      pass.observe(seconds);
      passTx.observe(txSeconds);
    },
    async prometheus() {
      return { text: await registry.metrics(), contentType: registry.contentType };
    },
    async json() {
      const metrics = await registry.getMetricsAsJSON();
      const gauges: unknown[] = [];
      const samples: unknown[] = [];
      for (const m of metrics) {
        const name = dotted.get(m.name) ?? m.name;
        // prom-client's typings say an enum; at run time the type is its text.
        const type = String(m.type);
        if (type === 'gauge') {
          for (const v of m.values) gauges.push({ Labels: v.labels, Name: name, Value: v.value });
        } else if (type === 'histogram') {
          const byLabels = new Map<string, { labels: Record<string, string | number>; sum: number; count: number }>();
          for (const v of m.values) {
            const { le: _le, ...labels } = v.labels as Record<string, string | number>;
            void _le;
            const key = JSON.stringify(labels);
            const e = byLabels.get(key) ?? { labels, sum: 0, count: 0 };
            const metricName = (v as { metricName?: string }).metricName ?? '';
            if (metricName.endsWith('_sum')) e.sum = v.value;
            if (metricName.endsWith('_count')) e.count = v.value;
            byLabels.set(key, e);
          }
          for (const e of byLabels.values()) {
            const mean = e.count > 0 ? (e.sum / e.count) * 1000 : 0;
            samples.push({ Count: e.count, Labels: e.labels, Max: mean, Mean: mean, Min: mean, Name: name, Rate: 0, Stddev: 0, Sum: e.sum * 1000 });
          }
        }
      }
      return { Counters: [], Gauges: gauges, Points: [], Samples: samples, Timestamp: goTime(new Date()) };
    },
  };
}

/** go-metrics' timestamp text: `2026-11-30 23:34:30 +0000 UTC`. */
function goTime(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}
