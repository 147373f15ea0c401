import { destroyCgroup, cgroupPids, type CgroupManager } from '../cgroups/index.js';
import { findProcessesByEnv, readProcStat } from '../drivers/proc.js';
import type { Logger } from '../util/logger.js';

/**
 * Kills the process groups of processes left by an interrupted start (found by their
 * BIVOUAC_TASK_ID marker). Each task runs in its own group, so the group takes the task's
 * children too. Returns how many groups were signalled.
 */
export function killProcessGroups(pids: readonly number[], procRoot = '/proc'): number {
  const groups = new Set<number>();
  // Never our own group: a task process that somehow shares it would take the agent down.
  const ours = readProcStat(procRoot, process.pid)?.pgrp;
  for (const pid of pids) {
    const st = readProcStat(procRoot, pid);
    if (st && st.pgrp > 1 && st.pgrp !== ours) groups.add(st.pgrp);
  }
  for (const g of groups) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch (err) {
      // ESRCH: the group died between the scan and the kill, which is what we wanted.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  return groups.size;
}

/** `<allocId>.<attempt>.<task>` (runner's taskMarker) → alloc and task; null if it is not one. */
export function parseTaskMarker(marker: string): { allocId: string; task: string } | null {
  const m = /^([^.]+)\.(\d+)\.(.+)$/.exec(marker);
  return m ? { allocId: m[1], task: m[3] } : null;
}

export interface OrphanDeps {
  readonly procRoot: string;
  readonly cgroups: CgroupManager | null;
  readonly log: Logger;
}

/**
 * What an interrupted start left: processes carrying its marker (killed by group), and the
 * task's cgroup with everything in it, daemons that left the group included. Returns how
 * many processes or groups were killed.
 */
export async function killOrphans(deps: OrphanDeps, marker: string): Promise<number> {
  let killed = killProcessGroups(findProcessesByEnv(deps.procRoot, 'BIVOUAC_TASK_ID', marker), deps.procRoot);
  const t = parseTaskMarker(marker);
  if (deps.cgroups && t) {
    const cg = deps.cgroups.list().find((c) => c.name === deps.cgroups?.nameOf(t.allocId, t.task));
    if (cg) {
      killed = Math.max(killed, cgroupPids(cg).length);
      await destroyCgroup(cg);
    }
  }
  return killed;
}

/**
 * At agent start: removes (killing what is inside) every cgroup of this agent whose
 * allocation is over or unknown, so no cgroup outlives its allocation even when a crash
 * came between a task's end and its cgroup's removal.
 */
export async function sweepCgroups(cgroups: CgroupManager, liveAllocIds: ReadonlySet<string>, log: Logger): Promise<number> {
  let removed = 0;
  for (const cg of cgroups.list()) {
    const allocId = cg.name.slice(0, cg.name.indexOf('.'));
    if (liveAllocIds.has(allocId)) continue;
    try {
      await destroyCgroup(cg);
      removed++;
      log.info({ cgroup: cg.name }, 'removed the cgroup of an allocation that is over');
    } catch (err) {
      log.warn({ cgroup: cg.name, err }, 'cannot remove an orphaned cgroup; retried at the next start');
    }
  }
  return removed;
}
