import { HclHost } from './hcl-host.js';
import type { ParseRequest } from './hcl-worker.js';

/** Parses queued on one parser before another is loaded: a load costs ~0.5–1 s of a core, ~1 ms a parse. */
const GROW_AT = 8;

/**
 * Up to `size` parser processes (HclHost each) for files that arrive together: 1,000 job
 * files dropped at once parse on every core instead of one after another in one process.
 * One parser serves a trickle; another is loaded only once parses queue behind the first,
 * and each is let go when idle as a single one is. HCL1 files always go to the first, where
 * their grammar was loaded (`hcl1-load` then `hcl1` for the same file).
 */
export class HclPool {
  private readonly hosts: HclHost[] = [];

  constructor(
    private readonly timeoutMs: number,
    private readonly idleMs: number,
    private readonly size: number,
  ) {
    this.hosts.push(new HclHost(timeoutMs, idleMs));
  }

  parse(file: string, text: string, timeoutMs = this.timeoutMs, grammar: ParseRequest['grammar'] = 'hcl2'): Promise<unknown> {
    return this.pick(grammar).parse(file, text, timeoutMs, grammar);
  }

  /** Loads the first parser (see HclHost.warm); the others load when work queues. */
  warm(): Promise<void> {
    return this.hosts[0].warm();
  }

  /** Parser processes loaded now (for tests). */
  get loaded(): number {
    return this.hosts.filter((h) => h.loaded).length;
  }

  private pick(grammar: ParseRequest['grammar']): HclHost {
    if (grammar !== 'hcl2') return this.hosts[0];
    // The least busy, preferring one already loaded: an idle released host costs a load.
    let best: HclHost | null = null;
    for (const h of this.hosts) {
      if (best === null || h.pending < best.pending || (h.pending === best.pending && h.loaded && !best.loaded)) best = h;
    }
    const least = best as HclHost;
    if (least.pending >= GROW_AT && this.hosts.length < this.size) {
      const grown = new HclHost(this.timeoutMs, this.idleMs);
      this.hosts.push(grown);
      return grown;
    }
    return least;
  }
}
