import type { ExistingAlloc } from '../scheduler/index.js';

/**
 * The allocations that hold resources on this node (client status pending or running), as
 * the scheduler accounts them: a cache of rows, never a record of its own. A full pass
 * reloads it from the database (`reset`); a targeted pass reloads the jobs it looks at
 * (`replaceJob`) and adds what it places, so it needs no read of every allocation row.
 *
 * Why it cannot drift between full passes: every allocation is inserted by a pass (which
 * adds it here), and an allocation leaves pending/running only in its runner, which then
 * asks for a pass of that job (onAllocChange), which reloads the job's rows. Anything else
 * (a failed pass, another process's commit, a timer) makes the next pass a full one.
 */
export class LiveAllocs {
  private readonly byId = new Map<string, ExistingAlloc>();
  private readonly byJob = new Map<string, Set<string>>();
  private loaded = false;

  /** Whether a full pass has loaded it since the agent started (or since `invalidate`). */
  get valid(): boolean {
    return this.loaded;
  }

  reset(allocs: readonly ExistingAlloc[]): void {
    this.byId.clear();
    this.byJob.clear();
    for (const a of allocs) this.add(a);
    this.loaded = true;
  }

  /** Forgets everything: the next pass must reload from the rows (a failed pass's writes were rolled back). */
  invalidate(): void {
    this.byId.clear();
    this.byJob.clear();
    this.loaded = false;
  }

  /** The job's live allocations are now exactly `allocs` (its rows as just read). */
  replaceJob(jobId: string, allocs: readonly ExistingAlloc[]): void {
    for (const id of this.byJob.get(jobId) ?? []) this.byId.delete(id);
    this.byJob.delete(jobId);
    for (const a of allocs) this.add(a);
  }

  add(a: ExistingAlloc): void {
    this.byId.set(a.id, a);
    const ids = this.byJob.get(a.jobId);
    if (ids) ids.add(a.id);
    else this.byJob.set(a.jobId, new Set([a.id]));
  }

  /** The pass recorded a stop: the allocation no longer holds resources for placements. */
  markStopped(allocId: string): void {
    const a = this.byId.get(allocId);
    if (a) this.byId.set(allocId, { ...a, desiredStatus: 'stop' });
  }

  list(): ExistingAlloc[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }
}
