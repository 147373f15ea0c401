/**
 * Launches the children of periodic jobs, inside the pass's transaction. The last launch
 * time is a row (periodic_launches); the next launch is computed from it, so a restart
 * loses nothing and launches nothing twice (a child's ID is its launch second, and an ID
 * already registered is never registered again).
 *
 * Missed launches while the agent was down: exactly one catch-up launch at start, however
 * many were missed, then the schedule resumes from now. This is what Nomad's leader does
 * when it takes over (restorePeriodicDispatcher force-runs a job whose next launch after
 * the stored last launch is in the past); launching every missed time would start a burst
 * of identical batch runs, and skipping it would silently drop the run the user expected.
 */
import type { Database } from '../state/index.js';
import { getJob, getLastLaunch, insertChildJob, listChildren, listJobs, setLastLaunch } from '../state/index.js';
import { canonicalHash } from '../jobspec/hash.js';
import { nextFire, parseCron, type Cron } from '../jobspec/cron.js';
import type { Periodic } from '../jobspec/types.js';
import { childJob, periodicChildId } from '../scheduler/children.js';
import type { Logger } from '../util/logger.js';
import type { JobCache } from './job-cache.js';

export class PeriodicLauncher {
  /** Parsed specs by text: a cache only (specs are validated when the job file is read). */
  private readonly crons = new Map<string, Cron | null>();

  constructor(
    private readonly jobs: JobCache,
    private readonly log: Logger,
  ) {}

  /** Launches every child that is due at `now`; returns how many were launched. */
  launch(db: Database, now: number, force: ReadonlySet<string> = new Set()): number {
    let launched = 0;
    for (const job of listJobs(db)) {
      if (job.stopped) continue;
      const p = this.jobs.get(job.id, job.version)?.periodic ?? null;
      if (p === null || !p.enabled) continue;
      const last = getLastLaunch(db, job.id);
      if (last === null && !force.has(job.id)) {
        // Registered now: the first launch is the first spec time after registration.
        setLastLaunch(db, job.id, now);
        continue;
      }
      let at: number;
      if (force.has(job.id)) at = now;
      else {
        const next = this.next(p, last ?? now);
        if (next === null || next > now) continue;
        const after = this.next(p, next);
        // More than one launch time went by (the agent was down): one catch-up launch, now.
        at = after !== null && after <= now ? now : next;
      }
      setLastLaunch(db, job.id, at);
      if (p.prohibitOverlap && listChildren(db, job.id).some((c) => !c.stopped && (c.live > 0 || c.total === 0))) {
        this.log.info({ jobId: job.id }, 'skipping launch of periodic job because job prohibits overlap');
        continue;
      }
      const id = periodicChildId(job.id, at);
      if (getJob(db, id) !== null) continue;
      const parent = this.jobs.get(job.id, job.version);
      if (parent === null) continue;
      const child = childJob(parent, id);
      insertChildJob(db, job.id, child, canonicalHash(child), job.sourceFile, now, null);
      this.log.info({ jobId: job.id, child: id }, 'periodic job launched');
      launched++;
    }
    return launched;
  }

  /** The earliest next launch of any enabled periodic job after `now`, for the agent's timer. */
  nextLaunch(db: Database, now: number): number | null {
    let best: number | null = null;
    for (const job of listJobs(db)) {
      if (job.stopped) continue;
      const p = this.jobs.get(job.id, job.version)?.periodic ?? null;
      if (p === null || !p.enabled) continue;
      const n = this.next(p, Math.max(getLastLaunch(db, job.id) ?? now, now - 1));
      if (n !== null && (best === null || n < best)) best = n;
    }
    return best;
  }

  /** The next launch strictly after `after` over every spec of the job (crons: the earliest). */
  next(p: Periodic, after: number): number | null {
    let best: number | null = null;
    for (const spec of p.crons) {
      let c = this.crons.get(spec);
      if (c === undefined) {
        const r = parseCron(spec);
        c = r.ok ? r.cron : null;
        this.crons.set(spec, c);
      }
      const n = c === null ? null : nextFire(c, after, p.timeZone);
      if (n !== null && (best === null || n < best)) best = n;
    }
    return best;
  }
}
