/**
 * The exec driver (Nomad's, without Docker): `command` + `args` in new mount, UTS, IPC and
 * PID namespaces, chrooted into the task dir with the chroot map bind-mounted read-only
 * (chroot.ts, setup.ts), as `nobody` unless `user` is set. The supervised process is
 * raw_exec's exit-status shim on the host, so exit codes survive an agent restart the same
 * way; the task map is a cache that `recoverTask` refills from the stored handle.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { destroyCgroup, limitsFor, killAll as killCgroup } from '../../cgroups/index.js';
import { BivouacError } from '../../util/errors.js';
import type { Capabilities, Driver, FingerprintResult, TaskConfig, TaskHandle } from '../types.js';
import { clearExitFile } from '../exit-shim.js';
import { createShimTaskTable, type ShimDriverDeps } from '../shim-task-table.js';
import { TASK_ID_ENV } from '../raw_exec/index.js';
import { decodeState, encodeState, type RawExecState } from '../raw_exec/state.js';
import { DEFAULT_CHROOT_ENV, devSkeleton, prepareChroot } from './chroot.js';
import { decodeExecConfig } from './config.js';
import { fingerprintExec } from './fingerprint.js';
import { ExecTask } from './handle.js';
import { fstabText, launchArgv, type HostTools } from './setup.js';
import { execTaskUser } from './user.js';

export const EXEC = 'exec';
export const EXEC_HANDLE_VERSION = 1;
/** Beside the task dir, not in it: the task's root must not hold the status the agent trusts. */
export const EXEC_EXIT_SUFFIX = '.bivouac-exit';

const SIGKILL = 9;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** `cgroups` gives the task its cgroup, its limits, kill-all and OOM; null runs it uncontained. */
export interface ExecDriverDeps extends ShimDriverDeps {
  /** Host path → path in the task root; Nomad's default when the agent config sets none. */
  readonly chrootEnv?: Readonly<Record<string, string>>;
  readonly isRoot: () => boolean;
  readonly binDirs?: readonly string[];
}

const CAPABILITIES: Capabilities = { sendSignals: true, exec: false, fsIsolation: 'chroot' };

export function createExecDriver(deps: ExecDriverDeps): Driver {
  const chrootEnv = deps.chrootEnv ?? DEFAULT_CHROOT_ENV;
  const tasks = createShimTaskTable(EXEC, deps, (taskId, state, hd) => new ExecTask(taskId, decodeState(taskId, state), hd, null));
  const { log, procRoot, pollIntervalMs, clock, cgroups } = tasks;
  const hdeps = tasks.handleDeps;

  const detect = (): { result: FingerprintResult; tools: HostTools | null } =>
    fingerprintExec({ platform: process.platform, isRoot: deps.isRoot(), procRoot, binDirs: deps.binDirs ?? ['/usr/bin', '/bin', '/usr/sbin', '/sbin'] });
  let tools: HostTools | null = null;

  /** Everything of the task gone: its cgroup emptied and removed, or (uncontained) its process group. */
  const waitAllGone = async (t: ExecTask): Promise<void> => {
    await t.wait();
    if (t.state.cgroup !== null) return destroyCgroup(t.state.cgroup);
    while (t.groupMembers().length > 0) await sleep(Math.min(pollIntervalMs, 50));
  };

  // SIGKILL to the namespace's init takes every process of the namespace with it; the
  // cgroup (or, uncontained, the group) kill then catches the shim, unshare, and the
  // processes of a task whose pid_mode is host.
  const killAll = async (t: ExecTask): Promise<void> => {
    t.noteKill();
    t.signalTask(SIGKILL);
    if (t.state.cgroup !== null) await killCgroup(t.state.cgroup);
    else t.signalGroup(SIGKILL);
  };

  return {
    name: EXEC,
    capabilities: CAPABILITIES,

    async fingerprint(): Promise<FingerprintResult> {
      const d = detect();
      tools = d.tools;
      return d.result;
    },

    async startTask(cfg: TaskConfig): Promise<TaskHandle> {
      tools ??= detect().tools;
      if (!tools) throw new BivouacError('DRIVER_START', `exec is not available on this node: ${detect().result.message}`, { recoverable: false });
      tasks.claim(cfg.id);

      const conf = decodeExecConfig(cfg.driverConfig);
      const user = execTaskUser(cfg.user, [cfg.dirs.localDir, cfg.dirs.secretsDir, cfg.dirs.tmpDir]);
      const binds = prepareChroot(cfg.dirs, chrootEnv);
      const exitFile = `${cfg.dirs.taskDir.replace(/\/+$/, '')}${EXEC_EXIT_SUFFIX}`;
      clearExitFile(exitFile);
      const launch = launchArgv({
        tools,
        taskDir: cfg.dirs.taskDir,
        uid: user.uid,
        gid: user.gid,
        pidMode: conf.pidMode,
        ipcMode: conf.ipcMode,
        fstab: writeFstab(cfg.dirs.taskDir, fstabText(cfg.dirs.taskDir, binds)),
        devSkeleton: devSkeleton(cfg.dirs.taskDir),
        command: conf.command,
        args: conf.args,
      });

      const { bootId } = hdeps();
      const env = { PATH: DEFAULT_PATH, ...cfg.env, [TASK_ID_ENV]: cfg.id, USER: user.name };
      // Limited: the task's memory and CPU on its cgroup, as Nomad's exec sets them.
      const shim = { what: EXEC, exitFile, command: launch.command, args: launch.args, cwd: cfg.dirs.taskDir, env, ids: null };
      const started = await tasks.spawnInCgroup(cfg, shim, limitsFor(cfg.resources));
      const { child, pid, cgroup } = started;
      const state: RawExecState = { pid, pgid: pid, startTime: started.startTime, bootId, exitFile, startedAt: clock.now(), cgroup };
      const task = new ExecTask(cfg.id, state, hdeps(), child);
      child.unref();
      tasks.add(cfg.id, task);
      log.debug({ taskId: cfg.id, pid, command: conf.command, cgroup: cgroup?.name }, 'task started');
      return { driver: EXEC, taskId: cfg.id, version: EXEC_HANDLE_VERSION, state: encodeState(state) };
    },

    ...tasks.methods,

    async stopTask(taskId: string, timeoutMs: number, sig: string): Promise<void> {
      const stop = tasks.toStop(taskId, sig);
      if (stop === null) return;
      stop.task.signalTask(stop.sig);
      // Nomad's order: the signal, kill_timeout for the task to exit, then everything left.
      if (!(await tasks.exitsWithin(stop.task, timeoutMs))) await killAll(stop.task);
      await waitAllGone(stop.task);
    },

    async destroyTask(taskId: string, force: boolean): Promise<void> {
      const t = tasks.find(taskId);
      if (!t) return;
      const running = t.exitResult() === null;
      // A task that exited on its own may leave processes behind: they go with it (as in Nomad).
      if (force && running) await killAll(t);
      if (force || !running) await waitAllGone(t);
      tasks.forget(taskId);
    },
  };
}

/** Beside the task dir (root's alloc dir, out of the task's reach), rewritten at every start. */
function writeFstab(taskDir: string, text: string): string {
  const path = `${taskDir.replace(/\/+$/, '')}.bivouac-fstab`;
  rmSync(path, { force: true });
  writeFileSync(path, text, { mode: 0o644, flag: 'wx' });
  return path;
}
