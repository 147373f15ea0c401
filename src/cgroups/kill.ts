/**
 * Killing every process of a task's cgroup, which a process group cannot do: `setsid`,
 * double forks and daemons leave the group but never the cgroup.
 *
 * - v2 (and hybrid, through the unified hierarchy): one write of `1` to `cgroup.kill`; the
 *   kernel SIGKILLs every process in the subtree, including ones forking at that moment.
 * - v1 without it: freeze (`freezer.state` = FROZEN, so nothing forks while we read the
 *   list), SIGKILL every pid in `cgroup.procs`, thaw (a frozen process dies only once thawed).
 * - Neither: SIGKILL what `cgroup.procs` lists, again until it is empty.
 *
 * Then it waits, with a bound, until the cgroup is empty: processes stuck in the kernel (D
 * state) take their time, and the caller must not remove the cgroup before.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BivouacError } from '../util/errors.js';
import { readPids, readText, writeText } from './files.js';
import { trackingDir, type TaskCgroup } from './task-cgroup.js';

export interface KillOptions {
  /** Bound on the wait for an empty cgroup. Default 10 s. */
  readonly timeoutMs?: number;
  /** Default 10 ms, growing to 100 ms. */
  readonly pollMs?: number;
}

/** Every live pid in the task's cgroup. */
export function cgroupPids(cg: TaskCgroup): number[] {
  const dir = trackingDir(cg);
  return dir === null ? [] : readPids(dir);
}

export async function killAll(cg: TaskCgroup, opts: KillOptions = {}): Promise<void> {
  const dir = trackingDir(cg);
  if (dir === null || !existsSync(dir)) return;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let poll = opts.pollMs ?? 10;
  const deadline = Date.now() + timeoutMs;
  const uni = cg.dirs.unified;
  if (uni !== undefined && existsSync(join(uni, 'cgroup.kill'))) writeText(uni, 'cgroup.kill', '1');
  else if (cg.dirs.freezer !== undefined && existsSync(join(cg.dirs.freezer, 'freezer.state'))) await freezeKillThaw(cg.dirs.freezer, deadline);
  for (;;) {
    const left = readPids(dir).filter((p) => p !== process.pid);
    if (left.length === 0) return;
    // Without cgroup.kill, a process forked after the list was read is caught on this pass.
    if (uni === undefined || !existsSync(join(uni, 'cgroup.kill'))) for (const p of left) sigkill(p);
    if (Date.now() > deadline) {
      throw new BivouacError('TASK_SETUP', `cgroup ${dir} still holds ${left.length} process(es) after SIGKILL: ${left.slice(0, 5).join(', ')}`);
    }
    await sleep(poll);
    poll = Math.min(poll * 2, 100);
  }
}

async function freezeKillThaw(dir: string, deadline: number): Promise<void> {
  writeText(dir, 'freezer.state', 'FROZEN');
  try {
    // FREEZING until every task has stopped; a task in D state may hold it there a while.
    while (readText(dir, 'freezer.state')?.trim() === 'FREEZING' && Date.now() < deadline) await sleep(5);
    for (const p of readPids(dir)) if (p !== process.pid) sigkill(p);
  } finally {
    writeText(dir, 'freezer.state', 'THAWED');
  }
}

function sigkill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (e) {
    // ESRCH: it died between the list and the kill, which is what we want.
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}
