/**
 * The exec driver (Nomad's, without Docker): `command` + `args` in new mount, UTS, IPC and
 * PID namespaces, chrooted into the task dir with the chroot map bind-mounted read-only
 * (chroot.ts, setup.ts), as `nobody` unless `user` is set. The supervised process is
 * raw_exec's exit-status shim on the host, so exit codes survive an agent restart the same
 * way; the task map is a cache that `recoverTask` refills from the stored handle.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyLimits, destroyCgroup, limitsFor, killAll as killCgroup, type CgroupManager, type TaskCgroup } from '../../cgroups/index.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { BivouacError, TaskNotFoundError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { Capabilities, Driver, FingerprintResult, TaskConfig, TaskHandle, TaskResourceSample, TaskStatus } from '../types.js';
import { sampleTask } from '../proc-stats.js';
import { readBootId, signalNumber } from '../proc.js';
import type { HandleDeps } from '../raw_exec/handle.js';
import { TASK_ID_ENV } from '../raw_exec/index.js';
import { decodeState, encodeState, type RawExecState } from '../raw_exec/state.js';
import { spawnShim } from '../shim-spawn.js';
import { createSpawner, type Spawner } from '../spawner/client.js';
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

export interface ExecDriverDeps {
  readonly log: Logger;
  /** Host path → path in the task root; Nomad's default when the agent config sets none. */
  readonly chrootEnv?: Readonly<Record<string, string>>;
  readonly isRoot: () => boolean;
  readonly procRoot?: string;
  readonly binDirs?: readonly string[];
  readonly pollIntervalMs?: number;
  readonly clock?: Clock;
  /** Task containment (src/cgroups): the task's cgroup, its limits, kill-all and OOM. Null runs uncontained. */
  readonly cgroups?: CgroupManager | null;
  /** Starts task processes from a small helper; one of the driver's own when absent. */
  readonly spawner?: Spawner;
}

const CAPABILITIES: Capabilities = { sendSignals: true, exec: false, fsIsolation: 'chroot' };

export function createExecDriver(deps: ExecDriverDeps): Driver {
  const procRoot = deps.procRoot ?? '/proc';
  const pollIntervalMs = deps.pollIntervalMs ?? 500;
  const clock = deps.clock ?? systemClock;
  const chrootEnv = deps.chrootEnv ?? DEFAULT_CHROOT_ENV;
  const log = deps.log.child({ component: 'driver', driver: EXEC });
  let ownSpawner: Spawner | null = null;
  const spawner = (): Spawner => deps.spawner ?? (ownSpawner ??= createSpawner(log.child({ component: 'spawner' })));
  const tasks = new Map<string, ExecTask>();
  let handleDeps: HandleDeps | null = null;
  const hdeps = (): HandleDeps => (handleDeps ??= { procRoot, bootId: readBootId(procRoot), pollIntervalMs, log });

  const detect = (): { result: FingerprintResult; tools: HostTools | null } =>
    fingerprintExec({ platform: process.platform, isRoot: deps.isRoot(), procRoot, binDirs: deps.binDirs ?? ['/usr/bin', '/bin', '/usr/sbin', '/sbin'] });
  let tools: HostTools | null = null;

  const get = (taskId: string): ExecTask => {
    const t = tasks.get(taskId);
    if (!t) throw new TaskNotFoundError(taskId);
    return t;
  };

  const cgroups = deps.cgroups ?? null;

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
      const prev = tasks.get(cfg.id);
      if (prev && prev.exitResult() === null) throw new BivouacError('DRIVER_START', `task ${cfg.id} is already running`, { recoverable: false });
      prev?.dispose();
      tasks.delete(cfg.id);

      const conf = decodeExecConfig(cfg.driverConfig);
      const user = execTaskUser(cfg.user, [cfg.dirs.localDir, cfg.dirs.secretsDir, cfg.dirs.tmpDir]);
      const binds = prepareChroot(cfg.dirs, chrootEnv);
      const exitFile = `${cfg.dirs.taskDir.replace(/\/+$/, '')}${EXEC_EXIT_SUFFIX}`;
      // A status left by the previous run must not be read as this run's.
      rmSync(exitFile, { force: true });
      rmSync(`${exitFile}.tmp`, { force: true });
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
      // The cgroup exists, limited, before the task does; its path goes into the handle with the pid.
      const cgroup: TaskCgroup | null = cgroups ? await cgroups.create(cfg.allocId, cfg.taskName) : null;
      let started;
      try {
        if (cgroup) applyLimits(cgroup, limitsFor(cfg.resources));
        started = await spawnShim({
          what: EXEC,
          exitFile,
          command: launch.command,
          args: launch.args,
          cwd: cfg.dirs.taskDir,
          env: { PATH: DEFAULT_PATH, ...cfg.env, [TASK_ID_ENV]: cfg.id, USER: user.name },
          ids: null,
          stdoutPath: cfg.stdoutPath,
          stderrPath: cfg.stderrPath,
          cgroup,
          cgroups,
          procRoot,
          spawner: spawner(),
        });
      } catch (e) {
        if (cgroup) await destroyCgroup(cgroup);
        throw e;
      }
      const { child, pid } = started;
      const state: RawExecState = { pid, pgid: pid, startTime: started.startTime, bootId, exitFile, startedAt: clock.now(), cgroup };
      const task = new ExecTask(cfg.id, state, hdeps(), child);
      child.unref();
      tasks.set(cfg.id, task);
      log.debug({ taskId: cfg.id, pid, command: conf.command, cgroup: cgroup?.name }, 'task started');
      return { driver: EXEC, taskId: cfg.id, version: EXEC_HANDLE_VERSION, state: encodeState(state) };
    },

    async recoverTask(handle: TaskHandle): Promise<void> {
      if (tasks.has(handle.taskId)) return;
      if (handle.driver !== EXEC) throw new TaskNotFoundError(handle.taskId, `handle is for driver ${handle.driver}`);
      const state = decodeState(handle.taskId, handle.state);
      const task = new ExecTask(handle.taskId, state, hdeps(), null);
      tasks.set(handle.taskId, task);
      task.watch();
      log.debug({ taskId: handle.taskId, pid: state.pid, exited: task.exitResult() !== null }, 'task recovered');
    },

    async waitTask(taskId: string, signal?: AbortSignal) {
      return get(taskId).wait(signal);
    },

    async stopTask(taskId: string, timeoutMs: number, sig: string): Promise<void> {
      const t = get(taskId);
      const n = signalNumber(sig);
      if (t.exitResult() !== null && t.members().length === 0) return;
      t.signalTask(n);
      // Nomad's order: the signal, kill_timeout for the task to exit, then everything left.
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), timeoutMs);
      try {
        await t.wait(ac.signal);
      } catch {
        log.debug({ taskId, timeoutMs }, 'kill timeout reached, killing the task');
        await killAll(t);
      } finally {
        clearTimeout(timer);
      }
      await waitAllGone(t);
    },

    async destroyTask(taskId: string, force: boolean): Promise<void> {
      const t = tasks.get(taskId);
      if (!t) return;
      const running = t.exitResult() === null;
      // A task that exited on its own may leave processes behind: they go with it (as in Nomad).
      if (force && running) await killAll(t);
      if (force || !running) await waitAllGone(t);
      t.dispose();
      tasks.delete(taskId);
    },

    inspectTask(taskId: string): TaskStatus {
      const t = get(taskId);
      const exitResult = t.exitResult();
      return { id: taskId, state: exitResult ? 'exited' : 'running', startedAt: t.state.startedAt, exitResult };
    },

    taskStats(taskId: string): TaskResourceSample | null {
      const t = tasks.get(taskId);
      if (!t || t.exitResult() !== null) return null;
      return sampleTask(procRoot, t.state.cgroup, () => t.groupMembers(), clock.now());
    },

    async signalTask(taskId: string, sig: string): Promise<void> {
      const t = get(taskId);
      if (!t.signalTask(signalNumber(sig))) log.debug({ taskId, sig }, 'signal not delivered: task not running');
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
