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
import { getJob, getLastLaunch, getTopLevelJob, insertChildJob, listChildren, listTopLevelJobs, setLastLaunch } from '../state/index.js';
import { canonicalHash } from '../jobspec/hash.js';
import { parseCron, type Cron } from '../jobspec/cron.js';
import { nextFire } from '../jobspec/cron-next.js';
import type { Job, Periodic } from '../jobspec/types.js';
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

  /**
   * Launches every child that is due at `now`; returns how many were launched. `atStart`:
   * the first call of this agent process, where launch times missed while it was down
   * collapse into one catch-up launch; afterwards every spec time gets its child, even
   * when a slow pass lets several go by. `only`: a targeted pass's jobs (a newly registered
   * periodic job gets its first launch time there); null looks at every job.
   */
  launch(db: Database, now: number, atStart: boolean, force: ReadonlySet<string> = new Set(), only: ReadonlySet<string> | null = null): number {
    let launched = 0;
    const candidates = only === null ? listTopLevelJobs(db) : [...only].map((id) => getTopLevelJob(db, id)).filter((j) => j !== null);
    for (const job of candidates) {
      if (job.stopped) continue;
      const parent = this.jobs.get(job.id, job.version);
      const p = parent?.periodic ?? null;
      if (parent === null || p === null || !p.enabled) continue;
      const last = getLastLaunch(db, job.id);
      if (force.has(job.id)) {
        launched += this.launchOne(db, job.id, job.sourceFile, parent, p, now, now);
        continue;
      }
      if (last === null) {
        // Registered now: the first launch is the first spec time after registration.
        setLastLaunch(db, job.id, now);
        continue;
      }
      let next = this.next(p, last);
      if (next === null || next > now) continue;
      const after = this.next(p, next);
      if (atStart && after !== null && after <= now) {
        launched += this.launchOne(db, job.id, job.sourceFile, parent, p, now, now);
        continue;
      }
      // Bounded, so a spec of every second after a long stall cannot launch without end.
      for (let i = 0; next !== null && next <= now && i < 100; i++) {
        launched += this.launchOne(db, job.id, job.sourceFile, parent, p, next, now);
        next = this.next(p, next);
      }
    }
    return launched;
  }

  /** Records the launch at `at` and registers its child unless overlap is prohibited. */
  private launchOne(db: Database, jobId: string, sourceFile: string, parent: Job, p: Periodic, at: number, now: number): number {
    setLastLaunch(db, jobId, at);
    if (p.prohibitOverlap && listChildren(db, jobId).some((c) => !c.stopped && (c.live > 0 || c.total === 0))) {
      this.log.info({ jobId }, 'skipping launch of periodic job because job prohibits overlap');
      return 0;
    }
    const id = periodicChildId(jobId, at);
    if (getJob(db, id) !== null) return 0;
    const child = childJob(parent, id);
    insertChildJob(db, jobId, child, canonicalHash(child), sourceFile, now, null);
    this.log.info({ jobId, child: id }, 'periodic job launched');
    return 1;
  }

  /** Whether any of these jobs is a periodic parent now: a pass that touched one re-reads the next launch. */
  anyPeriodic(db: Database, ids: Iterable<string>): boolean {
    for (const id of ids) {
      const job = getTopLevelJob(db, id);
      if (job !== null && (this.jobs.get(job.id, job.version)?.periodic ?? null) !== null) return true;
    }
    return false;
  }

  /** The earliest next launch of any enabled periodic job after `now`, for the agent's timer. */
  nextLaunch(db: Database, now: number): number | null {
    let best: number | null = null;
    for (const job of listTopLevelJobs(db)) {
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
