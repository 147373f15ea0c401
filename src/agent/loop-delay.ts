import { createHistogram, performance, type EventLoopUtilization, type RecordableHistogram } from 'node:perf_hooks';

/** The agent's event-loop delay over a window, in milliseconds. */
export interface LoopDelayWindow {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface LoopDelayOptions {
  /** How often the loop's utilization is checked (default 1 s). */
  readonly checkMs?: number;
}

/** The sampling timer's period: the interval between its ticks is the recorded value. */
const RESOLUTION_MS = 10;
/** A check period with the loop busy at least this share of it counts as work. */
const BUSY_UTILIZATION = 0.02;
/** While sampling, the utilization is checked every this many ticks (100 ms), so sampling ends soon after the work. */
const QUIET_TICKS = 10;

/**
 * How long the agent's event loop kept callbacks waiting: a 10 ms timer records the time
 * between its ticks (as perf_hooks' monitorEventLoopDelay does), so a stretch that holds the
 * loop shows as one long interval: the time an API request, a fs.watch event or a task's
 * exit waits for the pass or start that holds the loop. Read as windows: each `take`
 * covers the time since the one before (the metrics scrape and the periodic debug line
 * take from separate windows).
 *
 * Sampled only while the loop has work: a 10 ms timer alone cost ~0.45 % of a core here
 * (100 wake-ups a second), about half of the idle agent's whole CPU. Sampling runs from the
 * start, from every `busy()` (a pass asked for: a job file event, the rescan, an API write)
 * and from any second the loop was ≥ 2 % busy (a once-a-second utilization check), and
 * stops once 100 ms of sampling find the loop < 2 % busy: the 10 s rescan's pass is sampled
 * for a tenth of a second or two, not for the rest of its second. The timer is the agent's own, not monitorEventLoopDelay's: that one records nothing
 * for its first interval after it is enabled, which is the very stall a `busy()` announces.
 * An idle loop has no delay to measure; what the windows leave out is the small work of a
 * quiet agent between checks.
 */
export class LoopDelay {
  private readonly windows = new Map<string, RecordableHistogram>();
  private readonly checkMs: number;
  private tick: NodeJS.Timeout | null = null;
  private last = 0;
  private ticks = 0;
  private eluTicks: EventLoopUtilization = performance.eventLoopUtilization();
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private check: NodeJS.Timeout | null = null;

  constructor(opts: LoopDelayOptions = {}) {
    this.checkMs = opts.checkMs ?? 1000;
  }

  /** Whether the delay is being sampled now. */
  get active(): boolean {
    return this.tick !== null;
  }

  /** Work is coming (a pass was asked for): sample from now on, until the loop is quiet again. */
  busy(): void {
    if (this.tick !== null || this.windows.size === 0) return;
    this.last = performance.now();
    this.ticks = 0;
    this.eluTicks = performance.eventLoopUtilization();
    this.tick = setInterval(() => this.sample(), RESOLUTION_MS);
    this.tick.unref();
  }

  /** A new window for `reader`, starting now. */
  take(reader: string): LoopDelayWindow {
    let h = this.windows.get(reader);
    if (!h) {
      h = createHistogram();
      this.windows.set(reader, h);
      this.busy();
      this.armCheck();
    }
    // Nanoseconds; a histogram with no sample yet says NaN/1e308-ish, reported as 0.
    const ms = (ns: number): number => (Number.isFinite(ns) && h.count > 0 ? Math.round(ns / 1e4) / 100 : 0);
    const out = { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) };
    h.reset();
    return out;
  }

  stop(): void {
    this.idle();
    if (this.check !== null) clearInterval(this.check);
    this.check = null;
    this.windows.clear();
  }

  private sample(): void {
    const now = performance.now();
    const ns = Math.max(1, Math.round((now - this.last) * 1e6));
    this.last = now;
    for (const h of this.windows.values()) h.record(ns);
    if (++this.ticks % QUIET_TICKS !== 0) return;
    const elu = performance.eventLoopUtilization();
    const quiet = performance.eventLoopUtilization(elu, this.eluTicks).utilization < BUSY_UTILIZATION;
    this.eluTicks = elu;
    if (quiet) this.idle();
  }

  private idle(): void {
    if (this.tick !== null) clearInterval(this.tick);
    this.tick = null;
  }

  private armCheck(): void {
    if (this.check !== null) return;
    this.elu = performance.eventLoopUtilization();
    this.check = setInterval(() => this.onCheck(), this.checkMs);
    this.check.unref();
  }

  private onCheck(): void {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, this.elu).utilization >= BUSY_UTILIZATION;
    this.elu = now;
    if (busy) this.busy();
    else this.idle();
  }
}
