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
import { liveTaskFilter, unmountSecrets } from './secrets-tmpfs.js';

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
  /** Told when the allocation finishes (the agent re-runs its pass). */
  readonly onAllocChange: (allocId: string) => void;
}

/**
 * Runs the tasks of one allocation and derives the allocation's client status from
 * their states (Nomad's getClientStatus). A failed task stops its siblings; a dead
 * leader stops the rest.
 */
export class AllocRunner {
  private readonly runners: TaskRunner[] = [];
  private done: Promise<void> | null = null;
  private lastStatus: ClientStatus | null = null;
  private killed: { description: string; eventType?: string } | null = null;

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
      const runner = new TaskRunner(this.alloc.id, this.job, task, this.alloc.createTime, {
        db: this.deps.db,
        driver: driver ?? missingDriver(task.driver),
        clock: this.deps.clock,
        rand: this.deps.rand,
        log: log.child({ task: task.name }),
        onStateChange: () => this.onTaskChange(task),
        prepare: (attempt) => this.prepare(task, attempt),
        cleanupOrphans: (attempt) => this.deps.killOrphans(taskMarker(this.alloc.id, task.name, attempt)),
      });
      this.runners.push(runner);
      if (this.killed) runner.stop({ kind: 'kill', ...this.killed });
    }
    this.done = Promise.all(
      this.runners.map((r) =>
        r.run().catch((err: unknown) => {
          log.fatal({ err, task: r.name }, 'task runner crashed');
          throw err;
        }),
      ),
    )
      .then(() => this.updateStatus())
      .then(() => this.releaseMounts(log));
    return this.done;
  }

  /** Kills every task (desired status stop); before start(), the tasks are killed as they are made. */
  kill(description: string, eventType?: string): void {
    this.killed = { description, eventType };
    for (const r of this.runners) r.stop({ kind: 'kill', description, eventType });
  }

  /** `alloc restart`: the running tasks (or the named one) restarted; false when none was running. */
  async restart(task: string | null, reason: string): Promise<boolean> {
    const results = await Promise.all(this.runners.filter((r) => task === null || r.name === task).map((r) => r.restart(reason)));
    return results.some(Boolean);
  }

  /** `alloc signal`: the running tasks (or the named one) signalled; false when none was running. */
  async signal(task: string | null, sig: string): Promise<boolean> {
    const results = await Promise.all(this.runners.filter((r) => task === null || r.name === task).map((r) => r.signal(sig)));
    return results.some(Boolean);
  }

  hasTask(name: string): boolean {
    return this.group.tasks.some((t) => t.name === name);
  }

  /** Lets go of the tasks without stopping them (agent shutdown). */
  detach(): void {
    for (const r of this.runners) r.stop({ kind: 'detach' });
  }

  wait(): Promise<void> {
    return this.done ?? Promise.resolve();
  }

  private prepare(task: Task, attempt: number): Promise<TaskConfig> {
    const current = getAlloc(this.deps.db, this.alloc.id);
    if (!current) throw new BivouacError('TASK_SETUP', `allocation ${this.alloc.id} is gone`, { recoverable: false });
    // exec's chroot shows the task /alloc, /local, /secrets just as an image does.
    const isolating = (this.deps.drivers.get(task.driver)?.capabilities.fsIsolation ?? 'none') !== 'none';
    return buildTaskConfig({
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
    });
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
    if (me && me.state === 'dead') {
      if (me.failed) {
        for (const r of this.runners) if (r.name !== task.name) r.stop({ kind: 'kill', description: `Task's sibling "${task.name}" failed`, eventType: 'Sibling Task Failed' });
      } else if (task.leader) {
        for (const r of this.runners) if (r.name !== task.name) r.stop({ kind: 'kill', description: 'Leader Task in Group dead', eventType: 'Leader Task Dead' });
      }
    }
    this.updateStatus();
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
