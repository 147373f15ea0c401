/**
 * Starting a task process under the exit-status shim (exit-shim.ts), shared by raw_exec,
 * exec and rkt: the spawner helper opens the log files and forks the gated shim, the agent
 * puts it in the task's cgroup, then lets it run. The shim leads its own process group (detached), so the task's group can be
 * signalled without the agent.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupManager, CgroupWrite, TaskCgroup } from '../cgroups/index.js';
import { BivouacError } from '../util/errors.js';
import type { SpawnedProcess, Spawner } from './spawner/client.js';
import { shimArgs } from './exit-shim.js';
import { readProcStat } from './proc.js';
import { killQuietly } from './watched-process.js';

export interface ShimSpawnInput {
  /** For messages: "raw_exec", "rkt run-prepared". */
  readonly what: string;
  readonly exitFile: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly ids?: { readonly uid: number; readonly gid: number } | null;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  /** The task's cgroup, already created unless `make` says what to make; null runs it uncontained. */
  readonly cgroup: TaskCgroup | null;
  /**
   * The cgroup is planned, not made: its directories to make and control files (limits) to
   * write before the join. The spawner helper makes them beside the fork; the caller
   * removes the cgroup if the start fails.
   */
  readonly make?: { readonly dirs: readonly string[]; readonly writes: readonly CgroupWrite[] } | null;
  readonly cgroups: CgroupManager | null;
  readonly procRoot: string;
  /** Forks the shim from a small helper process rather than from the agent (spawner/). */
  readonly spawner: Spawner;
}

export interface ShimStarted {
  readonly child: SpawnedProcess;
  readonly pid: number;
  /** /proc/<pid>/stat start time of the shim. */
  readonly startTime: number;
}

export async function spawnShim(o: ShimSpawnInput): Promise<ShimStarted> {
  // On the host's own /proc the helper joins the cgroup, reads the start time and releases
  // the shim itself (off the agent's event loop, one round trip fewer: measured ~1.4 ms of
  // the agent's loop per start when 1,000 start together). Another proc root (tests) is
  // the agent's to read, so the agent does those steps.
  const byHelper = o.procRoot === '/proc';
  const make = o.cgroup && o.cgroups ? (o.make ?? null) : null;
  if (make && !byHelper) makeCgroup(o.what, make);
  let child: SpawnedProcess;
  try {
    child = await o.spawner.spawn({
      file: '/bin/sh',
      args: shimArgs(o.exitFile, o.command, o.args),
      ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
      ...(o.env !== undefined ? { env: o.env } : {}),
      ...(o.ids ? { uid: o.ids.uid, gid: o.ids.gid } : {}),
      stdoutPath: o.stdoutPath,
      stderrPath: o.stderrPath,
      gated: true,
      ...(byHelper ? { join: o.cgroup && o.cgroups ? o.cgroups.procsFiles(o.cgroup) : [] } : {}),
      ...(byHelper && make ? { mkdirs: make.dirs, writes: make.writes.map((w) => ({ file: join(w.dir, w.file), value: w.value })) } : {}),
    });
  } catch (e) {
    throw new BivouacError('DRIVER_START', `${o.what}: ${(e as Error).message}`, { cause: e });
  }
  const pid = child.pid;
  if (byHelper && child.startTime !== null) return { child, pid, startTime: child.startTime };
  // The shim waits on its gate, so it cannot have been reaped: its stat is there.
  const stat = readProcStat(o.procRoot, pid);
  if (!stat) {
    child.release(false);
    killQuietly(-pid, 9);
    throw new BivouacError('DRIVER_START', `${o.what}: started pid ${pid} but cannot read its /proc entry`);
  }
  if (o.cgroup && o.cgroups) {
    try {
      o.cgroups.join(o.cgroup, pid);
    } catch (e) {
      child.release(false);
      killQuietly(-pid, 9);
      throw new BivouacError('DRIVER_START', `${o.what}: cannot put the task in its cgroup ${o.cgroup.name}: ${(e as Error).message}`, { cause: e });
    }
  }
  child.release(true);
  return { child, pid, startTime: stat.startTime };
}

/** The agent makes a planned cgroup itself (a proc root other than the host's: tests). */
function makeCgroup(what: string, make: { readonly dirs: readonly string[]; readonly writes: readonly CgroupWrite[] }): void {
  try {
    for (const d of make.dirs) mkdirSync(d);
    for (const w of make.writes) if (existsSync(join(w.dir, w.file))) writeFileSync(join(w.dir, w.file), w.value);
  } catch (e) {
    throw new BivouacError('DRIVER_START', `${what}: cannot create the task's cgroup: ${(e as Error).message}`, { cause: e });
  }
}
