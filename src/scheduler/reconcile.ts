import type { Group, Job } from '../jobspec/types.js';
import { destructiveChange, jobWideChange } from './tasks-updated.js';
import { isTerminalClientStatus, type ExistingAlloc, type PlacementRequest } from './types.js';

/** Nomad's stop description for allocs a job no longer wants (scheduler/reconcile.go). */
export const ALLOC_NOT_NEEDED = 'alloc not needed due to job update';

export interface ReconcileOptions {
  /** The job is stopped (`job stop`): every running alloc stops. */
  readonly stopped: boolean;
  /** The job as registered at an older version; null when unknown, which counts as destructive. */
  readonly jobAt: (version: number) => Job | null;
}

export interface ReconcileResult {
  readonly place: readonly PlacementRequest[];
  readonly stop: readonly { readonly allocId: string; readonly reason: string }[];
  /** Same group and index, new job version, no restart. */
  readonly inPlace: readonly { readonly allocId: string }[];
  /** Stop the alloc and place its group and index anew (`reason` names the change). */
  readonly destructive: readonly { readonly allocId: string; readonly group: string; readonly index: number; readonly reason: string }[];
  /** Left as they are: current, terminal, or already told to stop. */
  readonly ignore: readonly { readonly allocId: string }[];
}

/**
 * Compares job `job` at `version` with this job's allocs on the node and decides each
 * alloc's fate; every alloc lands in exactly one list. Per group, indexes 0..count-1 are
 * wanted (system jobs: one alloc); a live alloc above the count, or a second one on an
 * index, stops; a live alloc of an older version is updated in place or replaced by
 * `destructiveChange`; a missing index is placed. A removed group's allocs stop.
 *
 * Terminal allocs (complete, failed, lost) are never restarted here: with one node there
 * is nowhere to reschedule, so a failed service alloc whose restart policy gave up stays
 * failed and a completed batch alloc stays complete. They hold their index unless the job
 * has changed since: for a service job any newer version re-places the index; for a batch
 * job only a destructive change does (Nomad re-runs a batch job on a changed spec, not on,
 * say, a count or restart-policy edit).
 */
export function reconcile(job: Job, version: number, allocs: readonly ExistingAlloc[], opts: ReconcileOptions): ReconcileResult {
  const out: Building = { place: [], stop: [], inPlace: [], destructive: [], ignore: [] };
  const active = allocs.filter((a) => a.desiredStatus === 'run');
  for (const a of allocs) if (a.desiredStatus !== 'run') out.ignore.push({ allocId: a.id });

  if (opts.stopped) {
    for (const a of active) {
      if (isTerminalClientStatus(a.clientStatus)) out.ignore.push({ allocId: a.id });
      else out.stop.push({ allocId: a.id, reason: ALLOC_NOT_NEEDED });
    }
    return out;
  }

  // The answer depends only on (old version, group), so it is worked out once per pair.
  const seen = new Map<string, string | null>();
  const why = (a: ExistingAlloc, g: Group): string | null => {
    if (a.jobVersion === version) return null;
    const key = `${a.jobVersion}\u0000${g.name}`;
    if (!seen.has(key)) seen.set(key, changeSince(a.jobVersion, g));
    return seen.get(key) ?? null;
  };
  const changeSince = (v: number, g: Group): string | null => {
    const old = opts.jobAt(v);
    const oldGroup = old?.groups.find((x) => x.name === g.name);
    if (!old || !oldGroup) return `job version ${v} unknown`;
    return jobWideChange(old, job) ?? destructiveChange(oldGroup, g);
  };

  for (const g of job.groups) {
    const count = job.type === 'system' || job.type === 'sysbatch' ? 1 : g.count;
    const mine = active.filter((a) => a.group === g.name).sort(byIndexLiveFirstNewest);
    const held = new Set<number>();
    for (const a of mine) {
      if (isTerminalClientStatus(a.clientStatus)) {
        out.ignore.push({ allocId: a.id });
        const replaced = job.type === 'batch' || job.type === 'sysbatch' ? why(a, g) !== null : a.jobVersion !== version;
        if (!replaced && a.index < count) held.add(a.index);
        continue;
      }
      if (a.index >= count || held.has(a.index)) {
        out.stop.push({ allocId: a.id, reason: ALLOC_NOT_NEEDED });
        continue;
      }
      held.add(a.index);
      const change = why(a, g);
      if (a.jobVersion === version) out.ignore.push({ allocId: a.id });
      else if (change === null) out.inPlace.push({ allocId: a.id });
      else out.destructive.push({ allocId: a.id, group: g.name, index: a.index, reason: change });
    }
    for (let i = 0; i < count; i++) if (!held.has(i)) out.place.push({ group: g.name, index: i });
  }

  const groups = new Set(job.groups.map((g) => g.name));
  for (const a of active) {
    if (groups.has(a.group)) continue;
    if (isTerminalClientStatus(a.clientStatus)) out.ignore.push({ allocId: a.id });
    else out.stop.push({ allocId: a.id, reason: ALLOC_NOT_NEEDED });
  }
  return out;
}

type Building = { -readonly [K in keyof ReconcileResult]: ReconcileResult[K][number][] };

// Live allocs claim an index before terminal ones, newer versions before older.
function byIndexLiveFirstNewest(a: ExistingAlloc, b: ExistingAlloc): number {
  if (a.index !== b.index) return a.index - b.index;
  const ta = isTerminalClientStatus(a.clientStatus) ? 1 : 0;
  const tb = isTerminalClientStatus(b.clientStatus) ? 1 : 0;
  if (ta !== tb) return ta - tb;
  return b.jobVersion - a.jobVersion;
}
