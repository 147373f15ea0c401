import type { NodeInfo } from '../node/types.js';
import type { AllocRecord, Database, JobRecord, PlacementFailure } from '../state/index.js';
import {
  getJob,
  insertAlloc,
  listAllocsByJob,
  listAllocsForJob,
  listJobs,
  listLiveAllocs,
  setAllocDesired,
  setAllocJobVersion,
  setPlacementFailures,
} from '../state/index.js';
import { place, portAsks, reconcile, type ExistingAlloc, type PlacementRequest } from '../scheduler/index.js';
import type { Rand } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { JobCache } from './job-cache.js';
import { linkReplacement, reschedulesDue } from './reschedule-pass.js';
import type { LiveAllocs } from './live-allocs.js';

export interface ScheduleDeps {
  readonly db: Database;
  readonly jobs: JobCache;
  readonly node: NodeInfo;
  readonly now: number;
  readonly rand: Rand;
  readonly newId: () => string;
  readonly log: Logger;
  /** Ports in use on the host, read only when something is to be placed. */
  readonly hostPorts: () => ReadonlySet<number>;
  /** The allocations holding resources: reloaded by a full pass, kept current by a targeted one. */
  readonly live: LiveAllocs;
  /**
   * The jobs to reconcile, or null for every job (the full pass: the rescan, and every pass
   * not caused by named files or an allocation's end). A targeted pass reads only these
   * jobs' rows; the resources in use come from `live`.
   */
  readonly scope: ReadonlySet<string> | null;
}

const NO_PORTS: ReadonlySet<number> = new Set();

export interface ScheduleResult {
  /** Allocations whose desired status just became stop: their runners must kill them. */
  readonly stop: readonly { readonly allocId: string; readonly reason: string }[];
  readonly placed: number;
  /**
   * A targeted pass's jobs' allocations that are pending or running (placed ones included):
   * the only ones that can lack a runner after it. Null after a full pass (any may).
   */
  readonly liveIds: readonly string[] | null;
}

export function toExisting(a: AllocRecord): ExistingAlloc {
  return {
    id: a.id,
    jobId: a.jobId,
    jobVersion: a.jobVersion,
    group: a.taskGroup,
    index: a.index,
    desiredStatus: a.desiredStatus,
    clientStatus: a.clientStatus,
    resources: a.resources,
    ports: a.ports,
  };
}

/**
 * One scheduling pass over every job, inside the caller's transaction: reconcile each job's
 * current version against its allocations, record stops and in-place updates, and place
 * what is missing. A replacement for a destructively updated allocation is placed only
 * once its predecessor has finished, so the two never hold the same static port or run
 * side by side (Nomad's client waits for the previous allocation the same way).
 */
export function schedulePass(deps: ScheduleDeps): ScheduleResult {
  const { db, node, now } = deps;
  const stop: { allocId: string; reason: string }[] = [];
  const stopping = new Set<string>();
  let placed = 0;
  let hostPorts: ReadonlySet<number> | null = null;
  const { jobs, allocsByJob } = readScope(deps);
  // Read once and kept current through the pass: every placement holds resources for the next.
  const live = deps.live.list();
  const due = reschedulesDue(db, deps.jobs, new Map(jobs.map((j) => [j.id, j])), allocsByJob, now, deps.log, deps.scope);
  const liveIds: string[] = [];
  for (const job of jobs) {
    const spec = deps.jobs.get(job.id, job.version);
    if (!spec) continue;
    // A periodic or parameterized job never runs itself: its children do (periodic.ts, dispatch).
    if (spec.periodic !== null || spec.parameterized !== null) continue;
    const rescheduling = [...(due.get(job.id) ?? [])];
    const allocs = allocsByJob.get(job.id) ?? [];
    const plan = reconcile(spec, job.version, allocs.map(toExisting), {
      stopped: job.stopped,
      jobAt: (v) => deps.jobs.get(job.id, v),
    });
    const stopOne = (allocId: string, reason: string): void => {
      setAllocDesired(db, allocId, 'stop', reason, now);
      stop.push({ allocId, reason });
      stopping.add(allocId);
      deps.live.markStopped(allocId);
    };
    for (const s of plan.stop) stopOne(s.allocId, s.reason);
    for (const d of plan.destructive) stopOne(d.allocId, `alloc is being updated due to job update (${d.reason})`);
    for (const u of plan.inPlace) setAllocJobVersion(db, u.allocId, job.version, now);

    const running = allocs.filter((a) => a.clientStatus === 'pending' || a.clientStatus === 'running');
    for (const a of running) liveIds.push(a.id);
    const occupied = new Set(running.map((a) => `${a.taskGroup}[${a.index}]`));
    const requests: PlacementRequest[] = [
      ...plan.place,
      ...plan.destructive.map((d) => ({ group: d.group, index: d.index })),
      ...rescheduling.map((r) => ({ group: r.group, index: r.index })),
    ].filter(
      (r) => !occupied.has(`${r.group}[${r.index}]`),
    );
    if (requests.length === 0) {
      if (plan.place.length === 0 && job.placementFailures) setPlacementFailures(db, job.id, null);
      continue;
    }
    // Reading /proc/net/tcp{,6} walks the kernel's socket table (~2 ms here): only for a job that asks for ports.
    const asksPorts = requests.some((r) => spec.groups.some((g) => g.name === r.group && portAsks(g).length > 0));
    if (asksPorts) hostPorts ??= deps.hostPorts();
    const result = place({ job: spec, node, existing: live, hostPorts: hostPorts ?? NO_PORTS, requests, stopping }, { rand: deps.rand });
    for (const p of result.placements) {
      const group = spec.groups.find((g) => g.name === p.group);
      if (!group) continue;
      const alloc = {
        id: deps.newId(),
        jobId: job.id,
        jobVersion: job.version,
        taskGroup: p.group,
        index: p.index,
        name: `${job.id}.${p.group}[${p.index}]`,
        resources: p.resources,
        ports: p.ports,
        tasks: group.tasks.map((t) => ({ name: t.name, driver: t.driver })),
      };
      insertAlloc(db, alloc, now);
      const r = rescheduling.findIndex((x) => x.group === p.group && x.index === p.index);
      if (r >= 0) {
        linkReplacement(db, rescheduling[r].prev, alloc.id, node.id, now, rescheduling[r].delayMs);
        rescheduling.splice(r, 1);
      }
      const held: ExistingAlloc = { id: alloc.id, jobId: job.id, jobVersion: job.version, group: p.group, index: p.index, desiredStatus: 'run', clientStatus: 'pending', resources: p.resources, ports: p.ports };
      live.push(held);
      deps.live.add(held);
      liveIds.push(alloc.id);
      placed++;
    }
    const failures: PlacementFailure[] = result.failures.map((f) => ({ group: f.group, count: f.count, reasons: f.reasons }));
    const changed = JSON.stringify(job.placementFailures ?? []) !== JSON.stringify(failures);
    if (changed) {
      setPlacementFailures(db, job.id, failures.length > 0 ? failures : null);
      if (failures.length > 0) deps.log.warn({ jobId: job.id, failures }, 'placement failed');
    }
  }
  return { stop, placed, liveIds: deps.scope === null ? null : liveIds };
}

/**
 * The jobs a pass reconciles and their allocations (every job's, or the scope's), and the
 * resources in use brought up to date: a full pass reloads every live allocation, a
 * targeted one only its jobs' (their rows are read anyway), trusting `live` for the rest.
 */
function readScope(deps: ScheduleDeps): { jobs: JobRecord[]; allocsByJob: Map<string, AllocRecord[]> } {
  const { db, scope } = deps;
  if (scope === null) {
    // Every allocation is read anyway: the live ones come from the same rows (a second read
    // of them was ~1,000 rows and two JSON parses each, every rescan).
    const allocsByJob = listAllocsByJob(db);
    const live: ExistingAlloc[] = [];
    for (const list of allocsByJob.values()) for (const a of list) if (a.clientStatus === 'pending' || a.clientStatus === 'running') live.push(toExisting(a));
    deps.live.reset(live);
    return { jobs: listJobs(db), allocsByJob };
  }
  if (!deps.live.valid) deps.live.reset(listLiveAllocs(db).map(toExisting));
  const jobs: JobRecord[] = [];
  const allocsByJob = new Map<string, AllocRecord[]>();
  for (const id of [...scope].sort()) {
    const allocs = listAllocsForJob(db, id);
    deps.live.replaceJob(id, allocs.filter((a) => a.clientStatus === 'pending' || a.clientStatus === 'running').map(toExisting));
    const job = getJob(db, id);
    if (job === null) continue;
    jobs.push(job);
    if (allocs.length > 0) allocsByJob.set(id, allocs);
  }
  return { jobs, allocsByJob };
}
