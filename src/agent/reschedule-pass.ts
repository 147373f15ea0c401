/**
 * The agent's side of rescheduling, run inside the scheduling pass's transaction: decide
 * the fate of each newly failed allocation (a `due` row with its time is the intent),
 * cancel what a job update or stop made moot, and hand the pass the reschedules that are
 * due now. The replacement is placed and the row marked done in the same transaction, so
 * a reschedule survives kill -9 and happens once.
 */
import type { AllocRecord, Database, JobRecord, StoredRescheduleEvent } from '../state/index.js';
import { cancelReschedule, getTracker, listDueReschedules, listUndecidedFailedAllocs, putRescheduleDecision, recordReplacement } from '../state/index.js';
import { decideReschedule } from '../scheduler/reschedule.js';
import type { Logger } from '../util/logger.js';
import type { JobCache } from './job-cache.js';

export interface DueReschedule {
  readonly prev: AllocRecord;
  readonly group: string;
  readonly index: number;
  readonly delayMs: number;
}

/**
 * Decides new failures and cancels moot reschedules; returns the reschedules due now, by job.
 * `scope`: a targeted pass's jobs (`current` and `allocsByJob` hold only those); rows of
 * other jobs wait for a pass that looks at their job (an allocation's end asks for one).
 */
export function reschedulesDue(
  db: Database,
  jobs: JobCache,
  current: ReadonlyMap<string, JobRecord>,
  allocsByJob: ReadonlyMap<string, readonly AllocRecord[]>,
  now: number,
  log: Logger,
  scope: ReadonlySet<string> | null = null,
): Map<string, DueReschedule[]> {
  for (const a of listUndecidedFailedAllocs(db)) {
    if (scope !== null && !scope.has(a.jobId)) continue;
    const job = current.get(a.jobId);
    const stale = job === undefined || job.stopped || job.version !== a.jobVersion;
    const policy = stale ? null : (jobs.get(a.jobId, a.jobVersion)?.groups.find((g) => g.name === a.group)?.reschedule ?? null);
    const d = decideReschedule({ policy, events: getTracker(db, a.id), failedAt: a.failedAt });
    putRescheduleDecision(db, a.id, a.jobId, d.reschedule ? d.dueAt : null, d.reschedule ? d.delayMs : 0, now);
    if (d.reschedule) log.info({ allocId: a.id, jobId: a.jobId, dueAt: new Date(d.dueAt).toISOString(), delayMs: d.delayMs }, 'reschedule due');
    else log.info({ allocId: a.id, jobId: a.jobId, reason: d.reason }, 'not rescheduling');
  }
  const out = new Map<string, DueReschedule[]>();
  for (const r of listDueReschedules(db)) {
    if (scope !== null && !scope.has(r.jobId)) continue;
    const job = current.get(r.jobId);
    const prev = allocsByJob.get(r.jobId)?.find((x) => x.id === r.allocId);
    // A job update or stop cancels a pending reschedule: the new version places its own.
    if (job === undefined || prev === undefined || job.stopped || job.version !== prev.jobVersion || prev.desiredStatus !== 'run') {
      cancelReschedule(db, r.allocId);
      log.info({ allocId: r.allocId, jobId: r.jobId }, 'pending reschedule cancelled by a job update or stop');
      continue;
    }
    if (r.dueAt === null || r.dueAt > now) continue;
    const list = out.get(r.jobId) ?? [];
    list.push({ prev, group: prev.taskGroup, index: prev.index, delayMs: r.delayMs });
    out.set(r.jobId, list);
  }
  return out;
}

/** Records the replacement of `prev` by `nextId`: lineage, tracker event, reschedule done. */
export function linkReplacement(db: Database, prev: AllocRecord, nextId: string, nodeId: string, now: number, delayMs: number): void {
  const event: StoredRescheduleEvent = { rescheduleTime: now, prevAllocId: prev.id, prevNodeId: nodeId, delayMs };
  recordReplacement(db, prev, nextId, [...getTracker(db, prev.id), event]);
}
