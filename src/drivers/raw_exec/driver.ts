/**
 * The raw_exec driver: runs `command` + `args` on the host, in the task dir, in its own
 * process group, under the exit-recording shim (shim.ts). Nothing here outlives what the
 * stored handle can rebuild: the task map is a cache and `recoverTask` refills it.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BivouacError } from '../../util/errors.js';
import type { Capabilities, Driver, FingerprintResult, TaskConfig, TaskHandle } from '../types.js';
import { destroyCgroup, killAll } from '../../cgroups/index.js';
import { EXIT_FILE_NAME, clearExitFile } from '../exit-shim.js';
import { createShimTaskTable, type ShimDriverDeps } from '../shim-task-table.js';
import { decodeRawExecConfig } from './config.js';
import { resolveTaskUser, unreachableAncestor } from '../users.js';
import { RawExecTask } from './handle.js';
import { lookupBin } from './lookup.js';
import { RAW_EXEC_HANDLE_VERSION, decodeState, encodeState, type RawExecState } from './state.js';

export const RAW_EXEC = 'raw_exec';
/** Marks every task process so an orphan can be found by scanning /proc/<pid>/environ. */
export const TASK_ID_ENV = 'BIVOUAC_TASK_ID';
export { EXIT_FILE_NAME } from '../exit-shim.js';

const SIGKILL = 9;

export interface RawExecDriverDeps extends ShimDriverDeps {
  readonly enabled: boolean;
}

const CAPABILITIES: Capabilities = { sendSignals: true, exec: false, fsIsolation: 'none' };

export function createRawExecDriver(deps: RawExecDriverDeps): Driver {
  const tasks = createShimTaskTable(RAW_EXEC, deps, (taskId, state, hd) => new RawExecTask(taskId, decodeState(taskId, state), hd, null));
  const { log, procRoot, pollIntervalMs, clock, cgroups } = tasks;
  const hdeps = tasks.handleDeps;

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
      tasks.claim(cfg.id);

      const conf = decodeRawExecConfig(cfg.driverConfig);
      const bin = lookupBin(cfg.dirs.taskDir, conf.command, cfg.env.PATH);
      const exitFile = join(cfg.dirs.taskDir, EXIT_FILE_NAME);
      clearExitFile(exitFile);

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
      // raw_exec is tracked, never limited (as in Nomad): no cpu hierarchy to join.
      const launch = { what: RAW_EXEC, exitFile, command: bin, args: conf.args, cwd: cfg.dirs.taskDir, ids: user };
      const env = { ...cfg.env, [TASK_ID_ENV]: cfg.id, ...(user ? { USER: user.name, HOME: user.home } : {}) };
      const started = await tasks.spawnInCgroup(cfg, { ...launch, env }, null);
      const { child, pid, cgroup } = started;
      const state: RawExecState = { pid, pgid: pid, startTime: started.startTime, bootId, exitFile, startedAt: clock.now(), cgroup };
      const task = new RawExecTask(cfg.id, state, hdeps(), child);
      child.unref();
      tasks.add(cfg.id, task);
      log.debug({ taskId: cfg.id, pid, bin, cgroup: cgroup?.name }, 'task started');
      return { driver: RAW_EXEC, taskId: cfg.id, version: RAW_EXEC_HANDLE_VERSION, state: encodeState(state) };
    },

    ...tasks.methods,

    async stopTask(taskId: string, timeoutMs: number, sig: string): Promise<void> {
      const stop = tasks.toStop(taskId, sig);
      if (stop === null) return;
      const t = stop.task;
      t.signalGroup(stop.sig);
      if (t.state.cgroup !== null) {
        // Nomad's order: the signal, kill_timeout for the task to exit, then every process in the cgroup.
        await tasks.exitsWithin(t, timeoutMs);
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
      const t = tasks.find(taskId);
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
      tasks.forget(taskId);
    },
  };
}
