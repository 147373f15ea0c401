/**
 * Keeps the kernel's cgroup migration lock warm while task starts are expected.
 *
 * Why: every write to a `cgroup.procs` file takes the global cgroup_threadgroup_rwsem for
 * writing, and a writer after a quiet spell waits out an RCU grace period first (rcu_sync):
 * measured here 5–13 ms for a task's join, against 0.1 ms for a join within ~15 ms of
 * another migration. A task's join is on the path from job file to running task, so when
 * a job file changes the helper re-enters its own cgroup (a migration that moves nothing)
 * every few ms for a short while: the grace period is waited out here, in parallel with the
 * agent's parsing and scheduling, and the task's join finds the lock warm.
 *
 * Nothing is moved: the helper writes its own pid into the cgroup it is already in. A host
 * that refuses the write (no cgroups, a read-only mount) only loses the head start.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WarmRequest } from './protocol.js';

/** The rcu_sync stays warm for about one grace period after a migration ends (~15 ms measured): re-enter well within it. */
const REWARM_MS = 5;

/** This process's own `cgroup.procs` in the hierarchy, from /proc/self/cgroup; null when it is not in it. */
export function ownProcsFile(mount: string, controller: string, procSelfCgroup = '/proc/self/cgroup'): string | null {
  for (const line of readFileSync(procSelfCgroup, 'utf8').split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const matches = controller === '' ? m[1] === '' : m[1].split(',').includes(controller);
    if (matches) return join(mount, m[2], 'cgroup.procs');
  }
  return null;
}

export function createWarmer(onError: (message: string) => void): (req: WarmRequest) => void {
  let until = 0;
  let running = false;
  let failed = false;
  const loop = async (req: WarmRequest): Promise<void> => {
    running = true;
    try {
      const file = ownProcsFile(req.mount, req.controller);
      if (file === null) throw new Error(`not in a cgroup of ${req.mount}`);
      // A pool thread waits out the grace period; this process stays free to fork meanwhile.
      while (Date.now() < until) {
        await writeFile(file, String(process.pid));
        await new Promise((r) => setTimeout(r, REWARM_MS));
      }
    } catch (e) {
      failed = true;
      onError(`spawner: cannot warm cgroup migrations, starts pay the kernel's grace period: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      running = false;
    }
  };
  return (req) => {
    if (failed) return;
    until = Math.max(until, Date.now() + req.forMs);
    if (!running) void loop(req);
  };
}
