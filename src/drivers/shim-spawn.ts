/**
 * Starting a task process under the exit-status shim (exit-shim.ts), shared by raw_exec
 * and rkt: open the log files, fork the gated shim, put it in the task's cgroup, then let
 * it run. The shim leads its own process group (detached), so the task's group can be
 * signalled without the agent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import type { CgroupManager, TaskCgroup } from '../cgroups/index.js';
import { BivouacError } from '../util/errors.js';
import { openAppendNoFollow } from '../util/fs-safe.js';
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
  /** The task's cgroup, already created; null runs it uncontained. */
  readonly cgroup: TaskCgroup | null;
  readonly cgroups: CgroupManager | null;
  readonly procRoot: string;
}

export interface ShimStarted {
  readonly child: ChildProcess;
  readonly pid: number;
  /** /proc/<pid>/stat start time of the shim. */
  readonly startTime: number;
}

export async function spawnShim(o: ShimSpawnInput): Promise<ShimStarted> {
  const out = openLog(o.what, o.stdoutPath);
  let child: ChildProcess;
  try {
    const err = openLog(o.what, o.stderrPath);
    try {
      child = spawn('/bin/sh', shimArgs(o.exitFile, o.command, o.args), {
        cwd: o.cwd,
        env: o.env,
        detached: true,
        ...(o.ids ? { uid: o.ids.uid, gid: o.ids.gid } : {}),
        stdio: ['pipe', out, err],
      });
    } finally {
      closeSync(err);
    }
  } catch (e) {
    throw new BivouacError('DRIVER_START', `${o.what}: cannot start ${o.command}: ${(e as Error).message}`, { cause: e });
  } finally {
    closeSync(out);
  }
  const pid = child.pid;
  if (pid === undefined) {
    const e = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new BivouacError('DRIVER_START', `${o.what}: cannot start ${o.command}: ${e.message}`, { cause: e });
  }
  // The shim reads its go-ahead; if it died first, the write fails with EPIPE, and its exit says why.
  child.stdin?.on('error', () => undefined);
  // The shim cannot be reaped before we return to the event loop, so its stat is there.
  const stat = readProcStat(o.procRoot, pid);
  if (!stat) {
    killQuietly(-pid, 9);
    throw new BivouacError('DRIVER_START', `${o.what}: started pid ${pid} but cannot read its /proc entry`);
  }
  if (o.cgroup && o.cgroups) {
    try {
      o.cgroups.join(o.cgroup, pid);
    } catch (e) {
      killQuietly(-pid, 9);
      throw new BivouacError('DRIVER_START', `${o.what}: cannot put the task in its cgroup ${o.cgroup.name}: ${(e as Error).message}`, { cause: e });
    }
  }
  child.stdin?.end('go\n');
  return { child, pid, startTime: stat.startTime };
}

/** Append mode, so the task's writes land at the end even after rotation truncates the file. */
function openLog(what: string, path: string): number {
  try {
    return openAppendNoFollow(path);
  } catch (e) {
    throw new BivouacError('DRIVER_START', `${what}: cannot open log file ${path}`, { cause: e });
  }
}
