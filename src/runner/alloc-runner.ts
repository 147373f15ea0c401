import type { Driver, TaskConfig } from '../drivers/types.js';
import type { Group, Job, Task } from '../jobspec/types.js';
import type { NodeInfo } from '../node/types.js';
import type { AllocRecord, ClientStatus, Database } from '../state/index.js';
import { getAlloc, listTaskStates, setAllocClientStatus } from '../state/index.js';
import { BivouacError } from '../util/errors.js';
import type { Clock, Rand } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { TaskRunner } from './task-runner.js';
import { allocClientStatus } from '../scheduler/index.js';
import { buildTaskConfig } from './task-config.js';
import { taskHooks, type HookSettings } from './hooks/index.js';
import { nodeVariables } from './interpolate.js';
import { writeDispatchPayload } from './dispatch-payload.js';
import { isSidecar, mainDone, mainStarted, phaseOf, prestartDone, readyForPoststop, restartsOnSuccess, type Phase, type TaskView } from './lifecycle.js';
import { liveTaskFilter, unmountSecrets } from './secrets-tmpfs.js';
import type { StartSlot } from './start-slots.js';
import type { SpareAllocDirs } from './spare-dirs.js';

export interface AllocRunnerDeps {
  readonly db: Database;
  readonly drivers: ReadonlyMap<string, Driver>;
  readonly node: () => NodeInfo;
  readonly dataDir: string;
  readonly hostEnv: Readonly<Record<string, string>>;
  readonly clock: Clock;
  readonly rand: Rand;
  readonly log: Logger;
  readonly killOrphans: (marker: string) => Promise<number>;
  /** Artifact limits and the template poll period, from the agent config. */
  readonly hookSettings: HookSettings;
  /** The agent's bound on starts under way at once (start-slots.ts); none: no bound. */
  readonly startSlot?: StartSlot;
  /** Allocation trees made ahead of need (spare-dirs.ts); none: each start builds its own. */
  readonly spareDirs?: SpareAllocDirs;
  /** Told when the allocation finishes (the agent re-runs its pass). */
  readonly onAllocChange: (allocId: string) => void;
}

/**
 * Runs the tasks of one allocation and derives the allocation's client status from
 * their states (Nomad's getClientStatus). A failed task stops its siblings; a dead
 * leader stops the rest. Lifecycle hooks order the starts (lifecycle.ts): every gate is a
 * condition over the task state rows, so after an agent restart the same gates hold and a
 * prestart task that already completed is not run again.
 */
export class AllocRunner {
  private readonly runners: { readonly runner: TaskRunner; readonly task: Task; readonly phase: Phase }[] = [];
  private readonly launched = new Set<TaskRunner>();
  private readonly running: Promise<void>[] = [];
  private waiters: (() => void)[] = [];
  private done: Promise<void> | null = null;
  private lastStatus: ClientStatus | null = null;
  private killed: { description: string; eventType?: string } | null = null;
  private detached = false;

  constructor(
    readonly alloc: AllocRecord,
    private readonly job: Job,
    private readonly group: Group,
    private readonly deps: AllocRunnerDeps,
  ) {}

  start(): Promise<void> {
    if (this.done) return this.done;
    const log = this.deps.log.child({ allocId: this.alloc.id });
    for (const task of this.group.tasks) {
      const driver = this.deps.drivers.get(task.driver);
      const taskLog = log.child({ task: task.name });
      // Nomad ends a non-sidecar hook task on success whatever the job type: the restart
      // policy sees it as a batch task.
      const job = restartsOnSuccess(task) ? this.job : { ...this.job, type: 'batch' as const };
      const runner = new TaskRunner(this.alloc.id, job, task, this.alloc.createTime, {
        db: this.deps.db,
        driver: driver ?? missingDriver(task.driver),
        clock: this.deps.clock,
        rand: this.deps.rand,
        log: taskLog,
        onStateChange: () => this.onTaskChange(task),
        prepare: (attempt) => this.prepare(task, attempt),
        ...(this.deps.startSlot ? { startSlot: this.deps.startSlot } : {}),
        cleanupOrphans: (attempt) => this.deps.killOrphans(taskMarker(this.alloc.id, task.name, attempt)),
        hooks: taskHooks({
          task,
          settings: this.deps.hookSettings,
          nodeVars: nodeVariables(this.deps.node()),
          internalEnv: ['BIVOUAC_TASK_ID'],
          rand: this.deps.rand,
          log: taskLog,
        }),
      });
      const phase = phaseOf(task);
      this.runners.push({ runner, task, phase });
      if (this.killed && phase !== 'poststop') runner.stop({ kind: 'kill', ...this.killed });
    }
    this.done = this.runPhases(log)
      .then(() => this.updateStatus())
      .then(() => this.releaseMounts(log));
    return this.done;
  }

  /** Kills every task (desired status stop) but the poststop ones, which then run; before start(), the tasks are killed as they are made. */
  kill(description: string, eventType?: string): void {
    this.killed = { description, eventType };
    for (const r of this.runners) if (r.phase !== 'poststop') r.runner.stop({ kind: 'kill', description, eventType });
    this.wake();
  }

  /** `alloc restart`: the running tasks (or the named one) restarted; false when none was running. */
  async restart(task: string | null, reason: string): Promise<boolean> {
    const results = await Promise.all(this.runners.filter((r) => task === null || r.task.name === task).map((r) => r.runner.restart(reason)));
    return results.some(Boolean);
  }

  /** `alloc signal`: the running tasks (or the named one) signalled; false when none was running. */
  async signal(task: string | null, sig: string): Promise<boolean> {
    const results = await Promise.all(this.runners.filter((r) => task === null || r.task.name === task).map((r) => r.runner.signal(sig)));
    return results.some(Boolean);
  }

  hasTask(name: string): boolean {
    return this.group.tasks.some((t) => t.name === name);
  }

  /** Lets go of the tasks without stopping them (agent shutdown); tasks not yet started stay unstarted. */
  detach(): void {
    this.detached = true;
    for (const r of this.runners) r.runner.stop({ kind: 'detach' });
    this.wake();
  }

  wait(): Promise<void> {
    return this.done ?? Promise.resolve();
  }

  private async runPhases(log: Logger): Promise<void> {
    const launch = (pred: (p: Phase) => boolean): void => {
      for (const r of this.runners) {
        if (!pred(r.phase) || this.launched.has(r.runner)) continue;
        this.launched.add(r.runner);
        this.running.push(
          r.runner.run().catch((err: unknown) => {
            log.fatal({ err, task: r.task.name }, 'task runner crashed');
            throw err;
          }),
        );
      }
    };
    // A failed or killed allocation runs no further phase: the tasks not started are
    // launched already stopped, so they end dead and the allocation can finish.
    const halted = (): boolean => this.killed !== null || this.views().some((v) => v.failed);
    launch((p) => p === 'prestart');
    if (await this.until((v) => prestartDone(v) || halted())) {
      launch((p) => p === 'main');
      if (await this.until((v) => mainStarted(v) || halted())) {
        launch((p) => p === 'poststart');
        if (await this.until((v) => mainDone(v))) {
          this.stopSidecars();
          launch((p) => p !== 'poststop');
          if (await this.until((v) => readyForPoststop(v))) launch(() => true);
        }
      }
    }
    // Detached, what was launched lets go of its task and the rest waits for the next agent.
    await Promise.all(this.running);
  }

  /** Resolves true once the gate holds over the task states, false if the runner is let go first. */
  private async until(gate: (views: readonly TaskView[]) => boolean): Promise<boolean> {
    for (;;) {
      if (this.detached) return false;
      if (gate(this.views())) return true;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private views(): TaskView[] {
    const states = new Map(listTaskStates(this.deps.db, this.alloc.id).map((s) => [s.task, s]));
    return this.group.tasks.map((task) => {
      const s = states.get(task.name);
      return { task, state: s?.state ?? 'pending', failed: s?.failed ?? false, started: (s?.startedAt ?? null) !== null };
    });
  }

  /** The main tasks are done: sidecars are stopped with their kill_signal, as Nomad does. */
  private stopSidecars(): void {
    for (const r of this.runners) {
      if (isSidecar(r.task)) r.runner.stop({ kind: 'kill', description: 'Main tasks in the group died', eventType: 'Main Tasks Dead' });
    }
  }

  private async prepare(task: Task, attempt: number): Promise<TaskConfig> {
    const current = getAlloc(this.deps.db, this.alloc.id);
    if (!current) throw new BivouacError('TASK_SETUP', `allocation ${this.alloc.id} is gone`, { recoverable: false });
    // exec's chroot shows the task /alloc, /local, /secrets just as an image does.
    const isolating = (this.deps.drivers.get(task.driver)?.capabilities.fsIsolation ?? 'none') !== 'none';
    const cfg = await buildTaskConfig({
      dataDir: this.deps.dataDir,
      alloc: current,
      job: this.job,
      group: this.group,
      task,
      node: this.deps.node(),
      hostEnv: this.deps.hostEnv,
      attempt,
      marker: taskMarker(this.alloc.id, task.name, attempt),
      imageDriver: isolating,
      // Nomad's secrets tmpfs, where the task cannot see the host's mounts and we may mount.
      secretsTmpfs: isolating && process.getuid?.() === 0,
      ...(this.deps.spareDirs ? { spareDirs: this.deps.spareDirs } : {}),
    });
    // A dispatched job's payload goes to the task's dispatch_payload file (Nomad's dispatch hook).
    if (task.dispatchPayloadFile !== null) await writeDispatchPayload(this.deps.db, this.alloc.jobId, cfg.dirs.localDir, task.dispatchPayloadFile);
    return cfg;
  }

  /** Once every task is dead (not merely let go at shutdown), its secrets tmpfs goes. */
  private async releaseMounts(log: Logger): Promise<void> {
    if (!listTaskStates(this.deps.db, this.alloc.id).every((s) => s.state === 'dead')) return;
    const live = liveTaskFilter(this.deps.db);
    await unmountSecrets(this.deps.dataDir, (a, t) => a !== this.alloc.id || live(a, t)).catch((err: unknown) =>
      log.warn({ err }, 'unmounting the secrets tmpfs failed; retried at the next agent start'),
    );
  }

  private onTaskChange(task: Task): void {
    const states = listTaskStates(this.deps.db, this.alloc.id);
    const me = states.find((s) => s.task === task.name);
    // Poststop tasks are never stopped by a sibling: they run once the others are dead.
    const others = this.runners.filter((r) => r.task.name !== task.name && r.phase !== 'poststop').map((r) => r.runner);
    if (me && me.state === 'dead') {
      if (me.failed) {
        for (const r of others) r.stop({ kind: 'kill', description: `Task's sibling "${task.name}" failed`, eventType: 'Sibling Task Failed' });
      } else if (task.leader) {
        for (const r of others) r.stop({ kind: 'kill', description: 'Leader Task in Group dead', eventType: 'Leader Task Dead' });
      }
    }
    this.updateStatus();
    this.wake();
  }

  private updateStatus(): void {
    const states = listTaskStates(this.deps.db, this.alloc.id);
    const { status, description } = allocClientStatus(states);
    if (status === this.lastStatus) return;
    this.lastStatus = status;
    const changed = setAllocClientStatus(this.deps.db, this.alloc.id, status, description, this.deps.clock.now());
    // Only a finished allocation can unblock scheduling (a replacement waits for it), so
    // only that asks for a pass; a burst of starts would otherwise queue a pass per task.
    if (changed && (status === 'complete' || status === 'failed')) this.deps.onAllocChange(this.alloc.id);
  }
}

/** The value of BIVOUAC_TASK_ID for one start attempt: how orphans are found after a crash. */
export function taskMarker(allocId: string, task: string, attempt: number): string {
  return `${allocId}.${attempt}.${task}`;
}

function missingDriver(name: string): Driver {
  const fail = (): never => {
    throw new BivouacError('DRIVER_START', `Driver "${name}" is not available on this node`, { recoverable: false });
  };
  return {
    name,
    capabilities: { sendSignals: false, exec: false, fsIsolation: 'none' },
    fingerprint: async () => ({ detected: false, healthy: false, message: 'not available', attributes: {} }),
    startTask: async () => fail(),
    recoverTask: async () => fail(),
    waitTask: async () => fail(),
    stopTask: async () => undefined,
    destroyTask: async () => undefined,
    inspectTask: () => fail(),
  };
}
