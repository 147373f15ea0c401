/**
 * What the host-task drivers (raw_exec, exec: a task under the exit-status shim, found again
 * by pid and start time) share, whatever command they run and however they isolate it: the
 * task table, a cache the stored handles can always refill; what every task handle is given;
 * the spawner; starting the shim in the task's cgroup; recovery from a handle; wait, inspect,
 * stats and signal; and the two steps every stop begins with (nothing left to stop? then the
 * kill signal's `kill_timeout`). One copy, so the drivers cannot drift apart on them.
 */
import { destroyCgroup, distinctDirs, limitWrites, type CgroupLimits, type CgroupManager, type TaskCgroup } from '../cgroups/index.js';
import { systemClock, type Clock } from '../util/clock.js';
import { BivouacError, TaskNotFoundError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { sampleTask } from './proc-stats.js';
import { readBootId, signalNumber } from './proc.js';
import { spawnShim, type ShimSpawnInput, type ShimStarted } from './shim-spawn.js';
import { createSpawner, type Spawner } from './spawner/client.js';
import type { Driver, ExitResult, TaskConfig, TaskHandle } from './types.js';

/** What the table needs of a live task (RawExecTask and ExecTask are ones). */
export interface ShimTask {
  readonly id: string;
  readonly state: { readonly pid: number; readonly startedAt: number; readonly cgroup: TaskCgroup | null };
  exitResult(): ExitResult | null;
  wait(signal?: AbortSignal): Promise<ExitResult>;
  /** Signals the task itself (not the shim); false when it is not running. */
  signalTask(sig: number): boolean;
  /** Every process left of the task: its cgroup's, else its process group's. */
  members(): number[];
  /** Members of its process group (the stats of a task without a cgroup). */
  groupMembers(): number[];
  /** Starts watching a recovered task for its end. */
  watch(): void;
  dispose(): void;
}

/** What every task handle of the table is given. */
export interface HandleDeps {
  readonly procRoot: string;
  /** This boot's id, read once by the driver. */
  readonly bootId: string;
  readonly pollIntervalMs: number;
  readonly log: Logger;
}

/** What a host-task driver (raw_exec, exec) is given besides its own settings. */
export interface ShimDriverDeps {
  readonly log: Logger;
  readonly procRoot?: string;
  /** How often a re-attached task (one this agent did not fork) is checked for exit. */
  readonly pollIntervalMs?: number;
  readonly clock?: Clock;
  /** Task containment (src/cgroups); null or absent runs tasks uncontained (tracked by process group only). */
  readonly cgroups?: CgroupManager | null;
  /** Starts task processes from a small helper; one of the driver's own when absent. */
  readonly spawner?: Spawner;
}

/** Rebuilds a task this agent did not start from a handle's state (decoded by the driver). */
export type RecoverTask<T> = (taskId: string, state: Readonly<Record<string, unknown>>, deps: HandleDeps) => T;

/** How to run the task under the shim: the rest (logs, cgroup, spawner) comes from the task and the table. */
export type ShimLaunch = Pick<ShimSpawnInput, 'what' | 'exitFile' | 'command' | 'args' | 'cwd' | 'env' | 'ids'>;

/** The driver methods that are the same for every shim driver. */
export type SharedMethods = Pick<Driver, 'recoverTask' | 'waitTask' | 'inspectTask' | 'taskStats' | 'signalTask'>;

export interface ShimTaskTable<T extends ShimTask> {
  /** The driver's logger and the deps with their defaults. */
  readonly log: Logger;
  readonly procRoot: string;
  readonly pollIntervalMs: number;
  readonly clock: Clock;
  readonly cgroups: CgroupManager | null;
  handleDeps(): HandleDeps;
  spawner(): Spawner;
  get(taskId: string): T;
  find(taskId: string): T | undefined;
  /**
   * Plans the task's cgroup (with `limits`, or tracking only when null), has the spawner make
   * it and start the shim in it; a failed start leaves no cgroup behind. The cgroup goes into
   * the handle with the pid.
   */
  spawnInCgroup(cfg: TaskConfig, launch: ShimLaunch, limits: CgroupLimits | null): Promise<ShimStarted & { readonly cgroup: TaskCgroup | null }>;
  /** Before a start: a task still running under the id is refused, an ended one forgotten. */
  claim(taskId: string): void;
  add(taskId: string, task: T): void;
  /** After a destroy. */
  forget(taskId: string): void;
  /** The task and the stop signal's number, or null when nothing of it is left to stop. */
  toStop(taskId: string, sig: string): { readonly task: T; readonly sig: number } | null;
  /** Waits up to the kill timeout for the task to exit; false when it has not. */
  exitsWithin(task: T, timeoutMs: number): Promise<boolean>;
  readonly methods: SharedMethods;
}

export function createShimTaskTable<T extends ShimTask>(driver: string, deps: ShimDriverDeps, recover: RecoverTask<T>): ShimTaskTable<T> {
  const tasks = new Map<string, T>();
  const log = deps.log.child({ component: 'driver', driver });
  const procRoot = deps.procRoot ?? '/proc';
  const pollIntervalMs = deps.pollIntervalMs ?? 500;
  const clock = deps.clock ?? systemClock;
  // Read on first use: the boot id cannot change while this process lives.
  let handleDeps: HandleDeps | null = null;
  const hdeps = (): HandleDeps => (handleDeps ??= { procRoot, bootId: readBootId(procRoot), pollIntervalMs, log });
  let ownSpawner: Spawner | null = null;
  const spawner = (): Spawner => deps.spawner ?? (ownSpawner ??= createSpawner(log.child({ component: 'spawner' })));

  const get = (taskId: string): T => {
    const t = tasks.get(taskId);
    if (!t) throw new TaskNotFoundError(taskId);
    return t;
  };

  const methods: SharedMethods = {
    async recoverTask(handle: TaskHandle): Promise<void> {
      if (tasks.has(handle.taskId)) return;
      if (handle.driver !== driver) throw new TaskNotFoundError(handle.taskId, `handle is for driver ${handle.driver}`);
      const task = recover(handle.taskId, handle.state, hdeps());
      tasks.set(handle.taskId, task);
      task.watch();
      log.debug({ taskId: handle.taskId, pid: task.state.pid, exited: task.exitResult() !== null }, 'task recovered');
    },

    async waitTask(taskId: string, signal?: AbortSignal): Promise<ExitResult> {
      return get(taskId).wait(signal);
    },

    inspectTask(taskId: string) {
      const t = get(taskId);
      const exitResult = t.exitResult();
      return { id: taskId, state: exitResult ? 'exited' : 'running', startedAt: t.state.startedAt, exitResult };
    },

    taskStats(taskId: string) {
      const t = tasks.get(taskId);
      if (!t || t.exitResult() !== null) return null;
      return sampleTask(procRoot, t.state.cgroup, () => t.groupMembers(), clock.now());
    },

    async signalTask(taskId: string, sig: string): Promise<void> {
      const t = get(taskId);
      if (!t.signalTask(signalNumber(sig))) log.debug({ taskId, sig }, 'signal not delivered: task not running');
    },
  };

  return {
    log,
    procRoot,
    pollIntervalMs,
    clock,
    cgroups: deps.cgroups ?? null,
    handleDeps: hdeps,
    spawner,
    get,
    find: (taskId) => tasks.get(taskId),
    async spawnInCgroup(cfg, launch, limits) {
      const cgroups = deps.cgroups ?? null;
      const t0 = performance.now();
      // Only a limited task joins the cpu hierarchy. Planned here, made by the spawner in the
      // request that forks the task (off the agent's loop, beside the fork).
      const cgroup = cgroups ? await cgroups.plan(cfg.allocId, cfg.taskName, { limits: limits !== null }) : null;
      try {
        const make = cgroup ? { dirs: distinctDirs(cgroup), writes: limits ? limitWrites(cgroup, limits) : [] } : null;
        const t1 = performance.now();
        const started = await spawnShim({ ...launch, stdoutPath: cfg.stdoutPath, stderrPath: cfg.stderrPath, cgroup, cgroups, make, procRoot, spawner: spawner() });
        log.debug({ taskId: cfg.id, cgroupMs: ms(t1 - t0), spawnMs: ms(performance.now() - t1) }, 'shim spawned');
        return { ...started, cgroup };
      } catch (e) {
        if (cgroup) await destroyCgroup(cgroup);
        throw e;
      }
    },
    claim(taskId) {
      const prev = tasks.get(taskId);
      if (prev && prev.exitResult() === null) throw new BivouacError('DRIVER_START', `task ${taskId} is already running`, { recoverable: false });
      prev?.dispose();
      tasks.delete(taskId);
    },
    add: (taskId, task) => void tasks.set(taskId, task),
    forget(taskId) {
      tasks.get(taskId)?.dispose();
      tasks.delete(taskId);
    },
    toStop(taskId, sig) {
      const task = get(taskId);
      const n = signalNumber(sig);
      if (task.exitResult() !== null && task.members().length === 0) return null;
      return { task, sig: n };
    },
    async exitsWithin(task, timeoutMs) {
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), timeoutMs);
      try {
        await task.wait(ac.signal);
        return true;
      } catch {
        log.debug({ taskId: task.id, timeoutMs }, 'kill timeout reached');
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    methods,
  };
}

function ms(x: number): number {
  return Math.round(x * 100) / 100;
}
