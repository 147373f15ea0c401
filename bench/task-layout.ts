/**
 * The per-allocation work a raw_exec start must do on this machine, done bare from this
 * process with the product's own pieces: the allocation tree published from a spare
 * (runner/spare-dirs.ts through taskdir.ts's buildAllocDir, as the agent does), the task's
 * cgroups below this process's own (cgroups/manager.ts, the hierarchies raw_exec asks for),
 * the task's log files opened as the spawner opens them, the gated exit-status shim spawned,
 * joined to its cgroups, its start time read for the handle, and released with `go`.
 * No agent, no protocol, no scheduling: what is left is what the guarantees cost.
 * Used by bench/floor-steps.ts (one start at a time) and bench/thousand-jobs.ts (a burst).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupContainment, type CgroupManager, type TaskCgroup } from '../src/cgroups/index.js';
import { EXIT_FILE_NAME, shimArgs } from '../src/drivers/exit-shim.js';
import { readProcStat } from '../src/drivers/proc.js';
import { createWarmer } from '../src/drivers/spawner/spawner-warm.js';
import { logFilePath } from '../src/runner/logs.js';
import { createSpareAllocDirs, SPARE_ALLOC_DIRS, type SpareAllocDirs } from '../src/runner/spare-dirs.js';
import { buildAllocDir } from '../src/runner/taskdir.js';
import { openAppendNoFollow } from '../src/util/fs-safe.js';
import { silentLogger } from '../src/util/logger.js';

/** Records the time since the previous lap under a step's name. */
export type Lap = (step: string) => void;

/** A lap recorder: `lap(name)` adds the ms since the last lap (or creation) to `times[name]`. */
export function laps(): { readonly lap: Lap; readonly times: Record<string, number>; total(): number } {
  const t0 = performance.now();
  let last = t0;
  const times: Record<string, number> = {};
  return {
    times,
    lap(step) {
      const now = performance.now();
      times[step] = (times[step] ?? 0) + (now - last);
      last = now;
    },
    total: () => last - t0,
  };
}

export interface StartedTask {
  readonly child: ChildProcess;
  readonly pid: number;
  /** /proc/<pid>/stat's start time, read before the release: what a raw_exec handle stores. */
  readonly startTime: number;
  readonly cgroup: TaskCgroup | null;
}

export interface TaskLayout {
  /** Where allocation trees go (`<dataDir>/alloc/<id>`). */
  readonly dataDir: string;
  /** '' when tasks are put in cgroups; else why not (the cgroup steps then cost nothing). */
  readonly containmentOff: string;
  /** The steps a start takes, in order, as `start` laps them. */
  readonly steps: readonly string[];
  /**
   * Keeps cgroup migrations cheap for a while, as the agent's spawner does when a job file
   * event arrives (spawner-warm.ts): the join then skips the kernel's RCU grace period.
   */
  warm(forMs: number): void;
  /** Resolves once the spare pool is full (a start in steady state finds one ready). */
  sparesReady(): Promise<void>;
  start(allocId: string, task: string, lap: Lap): Promise<StartedTask>;
  /** Kills the task's process group, waits for the shim's exit, removes its cgroups. */
  stop(t: StartedTask): Promise<void>;
  /** Stops what is still running, removes the cgroup bases and every directory made. */
  close(): Promise<void>;
}

/** The steps `start` laps, in order. */
export const LAYOUT_STEPS = ['allocTree', 'cgroups', 'spawn', 'join'] as const;

/** The task: the same command the benchmark's job files run. */
const COMMAND = '/bin/sleep';
const ARGS = ['600'];

export function createTaskLayout(prefix = 'bivouac-bench-layout-'): TaskLayout {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(root, 'data');
  const spares: SpareAllocDirs = createSpareAllocDirs({ dataDir, size: SPARE_ALLOC_DIRS, log: silentLogger });
  // A cgroup directory named for this process (bivouac-bench-<pid>), like an agent's bivouac-<node id>.
  const containment = setupContainment({ scope: `bench-${process.pid}`, log: silentLogger });
  const manager: CgroupManager | null = containment.manager;
  const unified = manager?.layout.hierarchies.find((h) => h.kind === 'unified') ?? manager?.layout.hierarchies[0];
  const warmer = createWarmer((message) => process.stderr.write(`${message}\n`));
  const live = new Set<StartedTask>();

  return {
    dataDir,
    containmentOff: containment.reason,
    steps: LAYOUT_STEPS,
    warm(forMs) {
      if (unified) warmer({ kind: 'warm', mount: unified.mount, controller: unified.kind === 'unified' ? '' : unified.kind, forMs });
    },
    sparesReady: () => spares.filled(),
    async start(allocId, task, lap) {
      const allocRoot = join(dataDir, 'alloc', allocId);
      const spare = await spares.take(allocRoot);
      const paths = buildAllocDir(dataDir, allocId, [task], spare === null ? undefined : { dirs: spares, path: spare, task });
      lap('allocTree');
      // raw_exec asks for no limits: the unified hierarchy, memory, and freezer where there is no cgroup.kill.
      const cg = manager ? await manager.create(allocId, task, { limits: false }) : null;
      lap('cgroups');
      const taskDir = paths.tasks.get(task)?.dir ?? allocRoot;
      const out = openAppendNoFollow(logFilePath(paths.logsDir, task, 'stdout', 0));
      const err = openAppendNoFollow(logFilePath(paths.logsDir, task, 'stderr', 0));
      let child: ChildProcess;
      try {
        child = spawn('/bin/sh', shimArgs(join(taskDir, EXIT_FILE_NAME), COMMAND, ARGS), { cwd: taskDir, detached: true, stdio: ['pipe', out, err] });
        await new Promise<void>((resolve, reject) => {
          child.once('spawn', resolve);
          child.once('error', reject);
        });
      } finally {
        closeSync(out);
        closeSync(err);
      }
      const pid = child.pid as number;
      lap('spawn');
      if (cg && manager) manager.join(cg, pid);
      const stat = readProcStat('/proc', pid);
      child.stdin?.end('go\n');
      lap('join');
      const t: StartedTask = { child, pid, startTime: stat?.startTime ?? 0, cgroup: cg };
      live.add(t);
      return t;
    },
    stop: (t) => stopTask(t, manager, live),
    async close() {
      try {
        await Promise.all([...live].map((t) => stopTask(t, manager, live)));
        manager?.removeBases();
      } finally {
        await spares.close();
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

async function stopTask(t: StartedTask, manager: CgroupManager | null, live: Set<StartedTask>): Promise<void> {
  const exited = t.child.exitCode !== null || t.child.signalCode !== null ? Promise.resolve() : new Promise((r) => t.child.once('exit', r));
  try {
    process.kill(-t.pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
  await exited;
  // Anything the task forked outside its group is in its cgroup: destroy kills it, then removes the cgroup.
  if (t.cgroup && manager) await manager.destroy(t.cgroup);
  live.delete(t);
}

/**
 * Starts `count` tasks one after another through `layout` (the bare spawn loop plus the
 * per-allocation work): the wall time from the first start to the last release, and the
 * ms each step took summed over the tasks. The spare trees are made on the thread pool
 * while this thread forks, as in the agent, so `allocTree` is mostly the wait for one.
 */
export async function startBurst(layout: TaskLayout, count: number, idPrefix: string): Promise<{ readonly wallMs: number; readonly stepsMs: Readonly<Record<string, number>> }> {
  const { lap, times, total } = laps();
  for (let i = 0; i < count; i++) {
    // The agent's spawner warms on every job file event; a burst keeps it warm throughout.
    layout.warm(150);
    await layout.start(`${idPrefix}-${String(i).padStart(5, '0')}`, 'sleep', lap);
  }
  return { wallMs: total(), stepsMs: times };
}
