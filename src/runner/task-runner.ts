import type { Driver, ExitResult, TaskConfig, TaskHandle } from '../drivers/types.js';
import type { Job, Task } from '../jobspec/types.js';
import type { Database } from '../state/index.js';
import {
  appendTaskEvent,
  getHandle,
  getTaskState,
  listRestartTimes,
  markDead,
  markExited,
  markRestarting,
  markRunning,
  markStarting,
  tx,
} from '../state/index.js';
import { BivouacError, TaskNotFoundError, errorMessage } from '../util/errors.js';
import type { Clock, Rand } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { assertNever } from '../util/assert.js';
import { formatDuration } from '../util/duration.js';
import { decideRestart, type RestartOutcome } from './restart.js';
import { describeRestarting, describeTerminated } from './events.js';
import { runPoststart, runPrestart, runReattach, runStop, TaskHookError, type TaskControl, type TaskHook } from './hooks/index.js';
import { effectiveKillSignal } from './task-config.js';
import type { StartSlot } from './start-slots.js';

export interface TaskRunnerDeps {
  readonly db: Database;
  readonly driver: Driver;
  readonly clock: Clock;
  readonly rand: Rand;
  readonly log: Logger;
  /** Called after every change of this task's state row, so the alloc runner can derive the alloc's status. */
  readonly onStateChange: () => void;
  /** Builds the driver's TaskConfig for a start attempt (dirs, env, interpolation). Throws BivouacError('TASK_SETUP'). */
  readonly prepare: (attempt: number) => Promise<TaskConfig>;
  /** Kills what an interrupted start may have left behind (found by the task's marker). */
  readonly cleanupOrphans: (attempt: number) => Promise<number>;
  /** Prestart steps (artifacts, templates) run in this order before every start; see hooks/. */
  readonly hooks: readonly TaskHook[];
  /** A start waits for one of the agent's start slots (start-slots.ts); none: no limit. */
  readonly startSlot?: StartSlot;
}

export type StopReason = { readonly kind: 'kill'; readonly description: string; readonly eventType?: string } | { readonly kind: 'detach' };

/**
 * Runs one task of one allocation through its life: start, wait, restart by policy, stop.
 * Every step is written to the database before or as it happens; the runner's memory
 * holds nothing a restart could not rebuild (STYLE §4). On agent start a runner is made
 * for each non-terminal task and `run()` picks up where the rows say it was.
 */
export class TaskRunner {
  private stopReason: StopReason | null = null;
  private readonly abort = new AbortController();
  private taskId: string | null = null;
  /** A user's restart (`alloc restart`) under way: the exit it causes is not the policy's to judge. */
  private userRestart: { done: () => void } | null = null;
  /** When the current start was asked for (run() or a restart): the start's whole time, for its debug line. */
  private startAsked = 0;

  constructor(
    private readonly allocId: string,
    private readonly job: Job,
    private readonly task: Task,
    /** When this task's tracking began (the allocation's creation): the first restart interval opens here. */
    private readonly trackingSinceMs: number,
    private readonly deps: TaskRunnerDeps,
  ) {}

  get name(): string {
    return this.task.name;
  }

  /** Asks the task to stop (kill) or the runner to let go of it (detach, on agent shutdown). */
  stop(reason: StopReason): void {
    if (this.stopReason?.kind === 'kill') return;
    this.stopReason = reason;
    this.abort.abort();
  }

  async run(): Promise<void> {
    const { db, clock } = this.deps;
    this.startAsked = performance.now();
    const st = getTaskState(db, this.allocId, this.task.name);
    if (!st || st.state === 'dead') return;

    let next: number | 'done' | null = null;
    /** A fresh task takes its start slot before its first event, so a burst of them does not write 1,000 events in one go. */
    let slot: (() => void) | null = null;
    let received = false;
    const stored = getHandle(db, this.allocId, this.task.name);
    if (stored) {
      next = await this.resume(stored.handle as TaskHandle);
    } else if (st.starting) {
      // The agent died between writing the intent and writing the handle: whatever it
      // started is an orphan we cannot supervise. Kill it, then let the policy decide.
      const killed = await this.deps.cleanupOrphans(st.attempt);
      const note = killed > 0 ? ` (killed ${killed} orphaned process${killed > 1 ? 'es' : ''})` : '';
      next = this.settle({ kind: 'exited', exitCode: null, signal: 0 }, [['Failed Restoring Task', `failed to restore task: the start was interrupted${note}`, {}]]);
    } else if (st.restartAt !== null) {
      next = st.restartAt - clock.now();
    } else if (st.attempt === 0) {
      slot = await this.takeSlot();
      // Let go while it waited (agent shutdown): the next agent receives it.
      if (this.stopReason?.kind === 'detach') {
        slot();
        return this.finishStopped();
      }
      // A kill while it waited is recorded after Received, as before any start; otherwise
      // Received goes into the start's first commit.
      if (this.stopReason) this.event('Received', 'Task received by client');
      else received = true;
    }

    for (;;) {
      if (next === 'done') return void slot?.();
      if (next !== null && !(await this.sleep(next))) return this.finishStopped();
      if (this.stopReason) {
        slot?.();
        return this.finishStopped();
      }
      next = await this.startAndWait(slot, received);
      slot = null;
      received = false;
    }
  }

  private takeSlot(): Promise<() => void> {
    return this.deps.startSlot ? this.deps.startSlot() : Promise.resolve(() => undefined);
  }

  /** Re-attaches to a task started by an earlier agent and waits for it. */
  private async resume(handle: TaskHandle): Promise<number | 'done'> {
    try {
      await this.deps.driver.recoverTask(handle);
    } catch (err) {
      if (!(err instanceof TaskNotFoundError)) this.deps.log.error({ err }, 'recovering task failed');
      return this.settle({ kind: 'exited', exitCode: null, signal: 0 }, [['Failed Restoring Task', `failed to restore task: ${errorMessage(err)}`, {}]]);
    }
    this.taskId = handle.taskId;
    this.deps.log.info({ taskId: handle.taskId }, 'task re-attached');
    const attempt = getTaskState(this.deps.db, this.allocId, this.task.name)?.attempt ?? 0;
    await runReattach(this.deps.hooks, () => this.deps.prepare(attempt), () => this.control(), this.deps.log);
    return this.waitForExit(handle.taskId, true);
  }

  /** One start under a start slot (`held`, or one taken now), then the wait for the task's end outside it. */
  private async startAndWait(held: (() => void) | null, received = false): Promise<number | 'done'> {
    if (held === null) this.startAsked = performance.now();
    const release = held ?? (await this.takeSlot());
    let started: { readonly taskId: string } | number | 'done';
    try {
      started = await this.startOnce(received);
    } finally {
      release();
    }
    if (typeof started !== 'object') return started;
    runPoststart(this.deps.hooks, this.control());
    return this.waitForExit(started.taskId);
  }

  /** `received`: a fresh task's Received event is still to be written. */
  private async startOnce(received: boolean): Promise<{ readonly taskId: string } | number | 'done'> {
    const { db, driver } = this.deps;
    const t0 = performance.now();
    // Received, Task Setup (a first start) and the intent in one commit: two fewer per start.
    let notify = received;
    const attempt = tx(db, () => {
      if (received) this.event('Received', 'Task received by client', {}, false);
      if (getTaskState(db, this.allocId, this.task.name)?.attempt === 0) {
        this.event('Task Setup', 'Building Task Directory', {}, false);
        notify = true;
      }
      return markStarting(db, this.allocId, this.task.name);
    });
    if (notify) this.deps.onStateChange();
    let cfg: TaskConfig;
    try {
      cfg = await this.deps.prepare(attempt);
      cfg = await runPrestart(this.deps.hooks, cfg, (type, message, details = {}) => this.event(type, message, details), this.abort.signal);
    } catch (err) {
      if (this.stopReason) {
        // Stopped during prestart (a download aborted): nothing started; the run loop records the stop.
        markExited(db, this.allocId, this.task.name);
        return 0;
      }
      const recoverable = err instanceof BivouacError ? err.recoverable : false;
      if (err instanceof TaskHookError) return this.settle({ kind: 'startError', recoverable }, [[err.eventType, err.userMessage, err.details]]);
      const type = err instanceof BivouacError && err.code === 'TASK_VALIDATION' ? 'Failed Validation' : 'Setup Failure';
      return this.settle({ kind: 'startError', recoverable }, [[type, errorMessage(err), {}]]);
    }
    const prepared = performance.now();
    let handle: TaskHandle;
    try {
      handle = await driver.startTask(cfg);
    } catch (err) {
      const recoverable = err instanceof BivouacError ? err.recoverable : true;
      return this.settle({ kind: 'startError', recoverable }, [['Driver Failure', errorMessage(err), {}]]);
    }
    this.taskId = handle.taskId;
    const started = performance.now();
    tx(db, () => {
      markRunning(db, this.allocId, this.task.name, attempt, driver.name, handle, this.deps.clock.now());
      appendTaskEvent(db, this.allocId, this.task.name, this.deps.clock.now(), 'Started', 'Task started by client');
    });
    this.deps.onStateChange();
    // Where a start's time goes (read by bench/start-path): all of it (the slot, Received, Task Setup …), the rows and the task dir, the driver, the Started row.
    const recorded = performance.now();
    this.deps.log.debug({ totalMs: ms(recorded - this.startAsked), prepareMs: ms(prepared - t0), driverMs: ms(started - prepared), recordMs: ms(recorded - started) }, 'task start timing');
    return { taskId: handle.taskId };
  }

  /** What hooks may do to the running task: Nomad's TaskLifecycle. */
  private control(): TaskControl {
    return {
      emit: (type, message, details = {}) => this.event(type, message, details),
      // Template change_mode restart: the same restart as `alloc restart`, outside the policy.
      restart: async (reason) => {
        await this.restart(reason);
      },
      signal: async (sig, reason) => {
        const { driver } = this.deps;
        const id = this.taskId;
        if (id === null || !driver.capabilities.sendSignals || !driver.signalTask) return false;
        this.event('Signaling', `Task being sent signal ${sig}: ${reason}`, { signal: sig, reason });
        await driver.signalTask(id, sig);
        return true;
      },
    };
  }

  /** 'done' also when the runner was stopped (the task killed or let go) rather than the task exiting. */
  private async waitForExit(taskId: string, recovered = false): Promise<number | 'done'> {
    let exit: ExitResult;
    try {
      exit = await this.deps.driver.waitTask(taskId, this.abort.signal);
    } catch (err) {
      runStop(this.deps.hooks);
      if (this.stopReason) return this.onStopWhileRunning(taskId);
      throw err;
    }
    runStop(this.deps.hooks);
    if (this.stopReason?.kind === 'kill') return this.onStopWhileRunning(taskId);
    if (this.userRestart) return this.afterUserRestart(taskId, exit);
    // The task ended by itself: free what the driver keeps for it (rkt's pod, via rkt rm).
    await this.deps.driver.destroyTask(taskId, false).catch((err: unknown) => this.destroyFailed(err));
    // oom_killed: Nomad's detail key, "true" or "false" on every Terminated event.
    const details = { exitCode: exit.exitCode, signal: exit.signal, oomKilled: exit.oomKilled, oom_killed: String(exit.oomKilled) };
    const outcome: RestartOutcome = { kind: 'exited', exitCode: exit.exitCode, signal: exit.signal };
    if (recovered && exit.exitCode === null) {
      // Gone while the agent was down, leaving no exit status behind: nothing to restore.
      return this.settle(outcome, [['Failed Restoring Task', `failed to restore task: ${exit.err ?? 'exit code unknown'}`, details]]);
    }
    return this.settle(outcome, [['Terminated', describeTerminated(exit), details]]);
  }

  /**
   * `alloc restart`: Nomad's Restart Signaled, the kill with the task's kill signal, then a
   * restart at once that the restart policy does not count. Resolves when the task has been
   * started again (or could not be stopped); false when the task is not running.
   */
  restart(reason: string): Promise<boolean> {
    const taskId = this.taskId;
    const st = getTaskState(this.deps.db, this.allocId, this.task.name);
    if (taskId === null || this.stopReason || this.userRestart || st?.state !== 'running') return Promise.resolve(false);
    return new Promise((resolve) => {
      this.userRestart = { done: () => resolve(true) };
      this.event('Restart Signaled', reason, { reason });
      this.deps.driver.stopTask(taskId, this.task.killTimeoutMs, effectiveKillSignal(this.task)).catch((err: unknown) => {
        this.deps.log.warn({ err }, 'stopping the task for a restart failed');
        this.userRestart = null;
        resolve(true);
      });
    });
  }

  /** `alloc signal`: records Nomad's Signaling event, then signals the task's own process. */
  async signal(sig: string): Promise<boolean> {
    const taskId = this.taskId;
    const st = getTaskState(this.deps.db, this.allocId, this.task.name);
    if (taskId === null || st?.state !== 'running' || !this.deps.driver.capabilities.sendSignals || !this.deps.driver.signalTask) return false;
    this.event('Signaling', 'Task being sent a signal', { signal: sig });
    await this.deps.driver.signalTask(taskId, sig);
    return true;
  }

  private async afterUserRestart(taskId: string, exit: ExitResult): Promise<number> {
    const { db, clock } = this.deps;
    await this.deps.driver.destroyTask(taskId, false).catch((err: unknown) => this.deps.log.warn({ err }, 'destroying task failed'));
    const now = clock.now();
    tx(db, () => {
      this.event('Terminated', describeTerminated(exit), { exitCode: exit.exitCode, signal: exit.signal, oomKilled: exit.oomKilled }, false);
      markExited(db, this.allocId, this.task.name);
      this.event('Restarting', describeRestarting(0, ''), { reason: '', delayMs: 0, user: true }, false);
      markRestarting(db, this.allocId, this.task.name, now, now);
    });
    const done = this.userRestart;
    this.userRestart = null;
    this.deps.onStateChange();
    // Told once the next start has been recorded, so the API's caller sees the task running again.
    setImmediate(() => done?.done());
    return 0;
  }

  private async onStopWhileRunning(taskId: string): Promise<'done'> {
    const reason = this.stopReason;
    if (reason === null || reason.kind === 'detach') return 'done';
    const { driver, db } = this.deps;
    const timeout = this.task.killTimeoutMs;
    if (reason.eventType) this.event(reason.eventType, reason.description);
    const signal = effectiveKillSignal(this.task);
    this.event('Killing', `Sent interrupt. Waiting ${formatDuration(timeout)} before force killing`, { signal });
    const events: [string, string, Readonly<Record<string, unknown>>][] = [];
    try {
      await driver.stopTask(taskId, timeout, signal);
      const exit = await driver.waitTask(taskId);
      events.push(
        ['Terminated', describeTerminated(exit), { exitCode: exit.exitCode, signal: exit.signal, oomKilled: exit.oomKilled, oom_killed: String(exit.oomKilled) }],
        ['Killed', 'Task successfully killed', {}],
      );
    } catch (err) {
      if (!(err instanceof TaskNotFoundError)) events.push(['Killed', errorMessage(err), {}]);
    }
    await driver.destroyTask(taskId, true).catch((err: unknown) => this.destroyFailed(err));
    // The outcome and the dead state land together: a crash between them would leave a
    // task that is gone recorded as running, with a handle, in an allocation already over.
    tx(db, () => {
      for (const [type, message, details] of events) this.event(type, message, details, false);
      markDead(db, this.allocId, this.task.name, false, this.deps.clock.now());
    });
    this.deps.onStateChange();
    return 'done';
  }

  /**
   * Records how an attempt ended and what the restart policy makes of it, in one
   * transaction: a crash can never leave an exit recorded without its decision.
   * Returns the delay before the next start, or 'done'.
   */
  private settle(outcome: RestartOutcome, events: readonly (readonly [string, string, Readonly<Record<string, unknown>>])[]): number | 'done' {
    const { db, clock } = this.deps;
    const now = clock.now();
    const result = tx(db, (): number | 'done' => {
      for (const [type, message, details] of events) this.event(type, message, details, false);
      markExited(db, this.allocId, this.task.name);
      const d = decideRestart({
        policy: this.task.restart,
        jobType: this.job.type,
        trackingSinceMs: this.trackingSinceMs,
        restartTimes: listRestartTimes(db, this.allocId, this.task.name),
        outcome,
        now,
        rand: this.deps.rand,
      });
      switch (d.action) {
        case 'restart':
          this.event('Restarting', describeRestarting(d.delayMs, d.reason), { reason: d.reason, delayMs: d.delayMs }, false);
          markRestarting(db, this.allocId, this.task.name, now + d.delayMs, now);
          return d.delayMs;
        case 'fail':
          this.event('Not Restarting', d.reason, {}, false);
          markDead(db, this.allocId, this.task.name, true, now);
          return 'done';
        case 'terminate':
        case 'killed':
          markDead(db, this.allocId, this.task.name, false, now);
          return 'done';
        default:
          return assertNever(d.action, 'restart action');
      }
    });
    this.deps.onStateChange();
    return result;
  }

  private finishStopped(): void {
    runStop(this.deps.hooks);
    if (this.stopReason?.kind !== 'kill') return;
    const { db, clock } = this.deps;
    const st = getTaskState(db, this.allocId, this.task.name);
    if (st && st.state !== 'dead') {
      markDead(db, this.allocId, this.task.name, false, clock.now());
      this.deps.onStateChange();
    }
  }

  /** Resolves true after ms, false if the runner is stopped first. */
  private sleep(ms: number): Promise<boolean> {
    if (this.stopReason) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.abort.signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private event(type: string, message: string, details: Readonly<Record<string, unknown>> = {}, notify = true): void {
    appendTaskEvent(this.deps.db, this.allocId, this.task.name, this.deps.clock.now(), type, message, details);
    this.deps.log.info({ type, message }, 'task event');
    if (notify) this.deps.onStateChange();
  }

  /** A destroy that failed (an rkt pod that will not go) is shown in the task's events, not only logged. */
  private destroyFailed(err: unknown): void {
    this.deps.log.warn({ err }, 'destroying task failed');
    this.event('Driver', errorMessage(err), {}, false);
  }

  /** The driver's ID for the current run, for status and tests. */
  get currentTaskId(): string | null {
    return this.taskId;
  }
}

function ms(x: number): number {
  return Math.round(x * 100) / 100;
}
