/**
 * The raw_exec driver: runs `command` + `args` on the host, in the task dir, in its own
 * process group, under the exit-recording shim (shim.ts). Nothing here outlives what the
 * stored handle can rebuild: the task map is a cache and `recoverTask` refills it.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../../util/clock.js';
import { BivouacError, TaskNotFoundError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { Capabilities, Driver, FingerprintResult, TaskConfig, TaskHandle, TaskResourceSample, TaskStatus } from '../types.js';
import { sampleTask } from '../proc-stats.js';
import { readBootId, signalNumber } from '../proc.js';
import { destroyCgroup, killAll, type CgroupManager, type TaskCgroup } from '../../cgroups/index.js';
import { spawnShim } from '../shim-spawn.js';
import { createSpawner, type Spawner } from '../spawner/client.js';
import { EXIT_FILE_NAME } from '../exit-shim.js';
import { decodeRawExecConfig } from './config.js';
import { resolveTaskUser, unreachableAncestor } from '../users.js';
import { RawExecTask, type HandleDeps } from './handle.js';
import { lookupBin } from './lookup.js';
import { RAW_EXEC_HANDLE_VERSION, decodeState, encodeState, type RawExecState } from './state.js';

export const RAW_EXEC = 'raw_exec';
/** Marks every task process so an orphan can be found by scanning /proc/<pid>/environ. */
export const TASK_ID_ENV = 'BIVOUAC_TASK_ID';
export { EXIT_FILE_NAME } from '../exit-shim.js';

const SIGKILL = 9;

export interface RawExecDriverDeps {
  readonly log: Logger;
  readonly enabled: boolean;
  readonly procRoot?: string;
  /** How often a re-attached task (one this agent did not fork) is checked for exit. */
  readonly pollIntervalMs?: number;
  readonly clock?: Clock;
  /** Task containment; null or absent runs tasks uncontained (tracked by process group only). */
  readonly cgroups?: CgroupManager | null;
  /** Starts task processes from a small helper; one of the driver's own when absent. */
  readonly spawner?: Spawner;
}

const CAPABILITIES: Capabilities = { sendSignals: true, exec: false, fsIsolation: 'none' };

export function createRawExecDriver(deps: RawExecDriverDeps): Driver {
  const procRoot = deps.procRoot ?? '/proc';
  const pollIntervalMs = deps.pollIntervalMs ?? 500;
  const clock = deps.clock ?? systemClock;
  const log = deps.log.child({ component: 'driver', driver: RAW_EXEC });
  let ownSpawner: Spawner | null = null;
  const spawner = (): Spawner => deps.spawner ?? (ownSpawner ??= createSpawner(log.child({ component: 'spawner' })));
  const tasks = new Map<string, RawExecTask>();
  let handleDeps: HandleDeps | null = null;
  // Read on first use: the boot id cannot change while this process lives.
  const hdeps = (): HandleDeps => (handleDeps ??= { procRoot, bootId: readBootId(procRoot), pollIntervalMs, log });

  const get = (taskId: string): RawExecTask => {
    const t = tasks.get(taskId);
    if (!t) throw new TaskNotFoundError(taskId);
    return t;
  };

  const cgroups = deps.cgroups ?? null;

  /** Uncontained: the task and then every member of its process group gone. */
  const waitGroupGone = async (t: RawExecTask): Promise<void> => {
    await t.wait();
    while (t.groupMembers().length > 0) await sleep(Math.min(pollIntervalMs, 50));
  };

  return {
    name: RAW_EXEC,
    capabilities: CAPABILITIES,

    async fingerprint(): Promise<FingerprintResult> {
      // Nomad reports a disabled raw_exec as undetected with the message "disabled".
      if (!deps.enabled) return { detected: false, healthy: false, message: 'disabled', attributes: {} };
      return { detected: true, healthy: true, message: 'Healthy', attributes: { 'driver.raw_exec': '1' } };
    },

    async startTask(cfg: TaskConfig): Promise<TaskHandle> {
      if (!deps.enabled) throw new BivouacError('DRIVER_START', 'raw_exec is disabled on this node', { recoverable: false });
      const prev = tasks.get(cfg.id);
      if (prev && prev.exitResult() === null) {
        throw new BivouacError('DRIVER_START', `task ${cfg.id} is already running`, { recoverable: false });
      }
      prev?.dispose();
      tasks.delete(cfg.id);

      const conf = decodeRawExecConfig(cfg.driverConfig);
      const bin = lookupBin(cfg.dirs.taskDir, conf.command, cfg.env.PATH);
      const exitFile = join(cfg.dirs.taskDir, EXIT_FILE_NAME);
      // A status left by the previous run must not be read as this run's.
      rmSync(exitFile, { force: true });
      rmSync(`${exitFile}.tmp`, { force: true });

      const { bootId } = hdeps();
      const user = resolveTaskUser(cfg.user, process.getuid?.() ?? 0, [cfg.dirs.taskDir, cfg.dirs.localDir, cfg.dirs.secretsDir]);
      const blocked = user ? unreachableAncestor(cfg.dirs.taskDir, user) : null;
      if (user && blocked) {
        throw new BivouacError(
          'DRIVER_START',
          `user "${user.name}" cannot reach the task directory: ${blocked.dir} is mode ${blocked.mode.toString(8)}. Fix: put data_dir under a directory others may pass through (or chmod o+x ${blocked.dir})`,
          { recoverable: false },
        );
      }
      // The cgroup exists before the task does; its path goes into the handle with the pid.
      // raw_exec is tracked, never limited (as in Nomad): no cpu hierarchy to join.
      const cgroup: TaskCgroup | null = cgroups ? await cgroups.create(cfg.allocId, cfg.taskName, { limits: false }) : null;
      let started;
      try {
        started = await spawnShim({
          what: RAW_EXEC,
          exitFile,
          command: bin,
          args: conf.args,
          cwd: cfg.dirs.taskDir,
          env: { ...cfg.env, [TASK_ID_ENV]: cfg.id, ...(user ? { USER: user.name, HOME: user.home } : {}) },
          ids: user,
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
      const task = new RawExecTask(cfg.id, state, hdeps(), child);
      child.unref();
      tasks.set(cfg.id, task);
      log.debug({ taskId: cfg.id, pid, bin, cgroup: cgroup?.name }, 'task started');
      return { driver: RAW_EXEC, taskId: cfg.id, version: RAW_EXEC_HANDLE_VERSION, state: encodeState(state) };
    },

    async recoverTask(handle: TaskHandle): Promise<void> {
      if (tasks.has(handle.taskId)) return;
      if (handle.driver !== RAW_EXEC) throw new TaskNotFoundError(handle.taskId, `handle is for driver ${handle.driver}`);
      const state = decodeState(handle.taskId, handle.state);
      const task = new RawExecTask(handle.taskId, state, hdeps(), null);
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
      t.signalGroup(n);
      if (t.state.cgroup !== null) {
        // Nomad's order: the signal, kill_timeout for the task to exit, then every process in the cgroup.
        const ac = new AbortController();
        const timer = setTimeout(() => ac.abort(), timeoutMs);
        try {
          await t.wait(ac.signal);
        } catch {
          log.debug({ taskId, timeoutMs }, 'kill timeout reached, killing the cgroup');
        } finally {
          clearTimeout(timer);
        }
        t.noteKill();
        await killAll(t.state.cgroup);
        await t.wait();
        return;
      }
      const escalate = setTimeout(() => {
        log.debug({ taskId, timeoutMs }, 'kill timeout reached, sending SIGKILL');
        t.signalGroup(SIGKILL);
      }, timeoutMs);
      try {
        await waitGroupGone(t);
      } finally {
        clearTimeout(escalate);
      }
    },

    async destroyTask(taskId: string, force: boolean): Promise<void> {
      const t = tasks.get(taskId);
      if (!t) return;
      const running = t.exitResult() === null;
      if (t.state.cgroup !== null) {
        // A task that exited on its own may leave processes behind: they go with it (as in Nomad).
        if (force || !running) {
          if (running) t.noteKill();
          await destroyCgroup(t.state.cgroup);
          await t.wait();
        }
      } else if (force && (running || t.groupMembers().length > 0)) {
        t.signalGroup(SIGKILL);
        await waitGroupGone(t);
      }
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
