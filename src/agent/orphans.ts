import { readProcStat } from '../drivers/proc.js';

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
