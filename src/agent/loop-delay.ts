import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** The agent's event-loop delay over a window, in milliseconds. */
export interface LoopDelayWindow {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * How long the agent's event loop kept callbacks waiting (perf_hooks' histogram, sampled
 * every 10 ms): the time an API request, a fs.watch event or a task's exit waits for the
 * pass or start that holds the loop. Read as windows: each `take` covers the time since
 * the one before (the metrics scrape and the periodic debug line take from separate windows).
 */
export class LoopDelay {
  private readonly windows = new Map<string, IntervalHistogram>();

  /** A new window for `reader`, starting now. */
  take(reader: string): LoopDelayWindow {
    let h = this.windows.get(reader);
    if (!h) {
      h = monitorEventLoopDelay({ resolution: 10 });
      h.enable();
      this.windows.set(reader, h);
    }
    // Nanoseconds; a histogram with no sample yet says NaN/1e308-ish, reported as 0.
    const ms = (ns: number): number => (Number.isFinite(ns) && h.count > 0 ? Math.round(ns / 1e4) / 100 : 0);
    const out = { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) };
    h.reset();
    return out;
  }

  stop(): void {
    for (const h of this.windows.values()) h.disable();
    this.windows.clear();
  }
}
