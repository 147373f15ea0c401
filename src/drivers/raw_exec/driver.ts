/**
 * The raw_exec driver: runs `command` + `args` on the host, in the task dir, in its own
 * process group, under the exit-recording shim (shim.ts). Nothing here outlives what the
 * stored handle can rebuild: the task map is a cache and `recoverTask` refills it.
 */
import { spawn } from 'node:child_process';
import { closeSync, rmSync } from 'node:fs';
import { openAppendNoFollow } from '../../util/fs-safe.js';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../../util/clock.js';
import { BivouacError, TaskNotFoundError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { Capabilities, Driver, FingerprintResult, TaskConfig, TaskHandle, TaskStatus } from '../types.js';
import { readBootId, readProcStat, signalNumber } from '../proc.js';
import { decodeRawExecConfig } from './config.js';
import { resolveTaskUser } from '../users.js';
import { RawExecTask, type HandleDeps } from './handle.js';
import { killQuietly } from '../watched-process.js';
import { lookupBin } from './lookup.js';
import { shimArgs } from './shim.js';
import { RAW_EXEC_HANDLE_VERSION, decodeState, encodeState, type RawExecState } from './state.js';

export const RAW_EXEC = 'raw_exec';
/** Marks every task process so an orphan can be found by scanning /proc/<pid>/environ. */
export const TASK_ID_ENV = 'BIVOUAC_TASK_ID';
/** In the task dir, beside what the task writes; the shim writes it last thing. */
export const EXIT_FILE_NAME = '.bivouac-exit';

const SIGKILL = 9;

export interface RawExecDriverDeps {
  readonly log: Logger;
  readonly enabled: boolean;
  readonly procRoot?: string;
  /** How often a re-attached task (one this agent did not fork) is checked for exit. */
  readonly pollIntervalMs?: number;
  readonly clock?: Clock;
}

const CAPABILITIES: Capabilities = { sendSignals: true, exec: false, fsIsolation: 'none' };

export function createRawExecDriver(deps: RawExecDriverDeps): Driver {
  const procRoot = deps.procRoot ?? '/proc';
  const pollIntervalMs = deps.pollIntervalMs ?? 500;
  const clock = deps.clock ?? systemClock;
  const log = deps.log.child({ component: 'driver', driver: RAW_EXEC });
  const tasks = new Map<string, RawExecTask>();
  let handleDeps: HandleDeps | null = null;
  // Read on first use: the boot id cannot change while this process lives.
  const hdeps = (): HandleDeps => (handleDeps ??= { procRoot, bootId: readBootId(procRoot), pollIntervalMs, log });

  const get = (taskId: string): RawExecTask => {
    const t = tasks.get(taskId);
    if (!t) throw new TaskNotFoundError(taskId);
    return t;
  };

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
      const out = openLog(cfg.stdoutPath);
      let child;
      try {
        const err = openLog(cfg.stderrPath);
        try {
          child = spawn('/bin/sh', shimArgs(exitFile, bin, conf.args), {
            cwd: cfg.dirs.taskDir,
            env: { ...cfg.env, [TASK_ID_ENV]: cfg.id, ...(user ? { USER: user.name, HOME: user.home } : {}) },
            detached: true,
            ...(user ? { uid: user.uid, gid: user.gid } : {}),
            stdio: ['ignore', out, err],
          });
        } finally {
          closeSync(err);
        }
      } catch (e) {
        throw new BivouacError('DRIVER_START', `raw_exec: cannot start ${conf.command}: ${(e as Error).message}`, { cause: e });
      } finally {
        closeSync(out);
      }
      const pid = child.pid;
      if (pid === undefined) {
        const e = await new Promise<Error>((resolve) => child.once('error', resolve));
        throw new BivouacError('DRIVER_START', `raw_exec: cannot start ${conf.command}: ${e.message}`, { cause: e });
      }
      child.on('error', (e) => log.warn({ taskId: cfg.id, err: e }, 'task process error'));
      // The shim cannot be reaped before we return to the event loop, so its stat is there.
      const stat = readProcStat(procRoot, pid);
      if (!stat) {
        killQuietly(-pid, SIGKILL);
        throw new BivouacError('DRIVER_START', `raw_exec: started pid ${pid} but cannot read its /proc entry`);
      }
      const state: RawExecState = { pid, pgid: pid, startTime: stat.startTime, bootId, exitFile, startedAt: clock.now() };
      const task = new RawExecTask(cfg.id, state, hdeps(), child);
      child.unref();
      tasks.set(cfg.id, task);
      log.debug({ taskId: cfg.id, pid, bin }, 'task started');
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
      if (t.exitResult() !== null && t.groupMembers().length === 0) return;
      t.signalGroup(n);
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
      if (force && (t.exitResult() === null || t.groupMembers().length > 0)) {
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

    async signalTask(taskId: string, sig: string): Promise<void> {
      const t = get(taskId);
      if (!t.signalTask(signalNumber(sig))) log.debug({ taskId, sig }, 'signal not delivered: task not running');
    },
  };
}

/** Append mode, so the task's writes land at the end even after rotation truncates the file. */
function openLog(path: string): number {
  try {
    return openAppendNoFollow(path);
  } catch (e) {
    throw new BivouacError('DRIVER_START', `raw_exec: cannot open log file ${path}`, { cause: e });
  }
}
