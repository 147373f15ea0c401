/**
 * What every driver's live-task handle shares: an exit that settles once, waiters that
 * can abort, polling for a process this agent did not fork, and keeping the event loop
 * alive only while someone awaits the exit. Drivers subclass it and say how to poll.
 */
import { constants } from 'node:os';
import type { Logger } from '../util/logger.js';
import type { ExitResult } from './types.js';

/**
 * What a driver needs of a process it started: its end, and whether it keeps the event loop
 * alive meanwhile. A ChildProcess is one; so is a spawner-started process, which can also be
 * `lost` when the spawner dies first (the end is then found by polling, as after a restart).
 */
export interface ExitWatch {
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  ref(): void;
  unref(): void;
  onLost?(listener: () => void): void;
}

export abstract class WatchedProcess {
  result: ExitResult | null = null;
  readonly done: Promise<ExitResult>;
  private settle: (r: ExitResult) => void = () => undefined;
  private waiters = 0;
  private timer: NodeJS.Timeout | null = null;
  private disposed = false;

  protected constructor(
    readonly id: string,
    protected child: ExitWatch | null,
    private readonly pollIntervalMs: number,
    protected readonly log: Logger,
  ) {
    this.done = new Promise((resolve) => (this.settle = resolve));
    // The spawner died before the process ended: from here on it is watched like a task
    // this agent did not start (poll /proc, then the shim's exit file).
    child?.onLost?.(() => {
      this.child = null;
      this.schedule();
    });
  }

  /** One poll of a process we did not fork: call `finish` when it has ended, or `schedule` again. */
  protected abstract poll(): void | Promise<void>;

  exitResult(): ExitResult | null {
    return this.result;
  }

  async wait(signal?: AbortSignal): Promise<ExitResult> {
    if (this.result) return this.result;
    signal?.throwIfAborted();
    this.waiters++;
    this.updateRef();
    let onAbort: (() => void) | null = null;
    try {
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(signal?.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      return await Promise.race([this.done, aborted]);
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      this.waiters--;
      this.updateRef();
    }
  }

  /** Stops polling and lets the process exit without this handle holding it open. */
  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.child?.unref();
  }

  protected schedule(): void {
    if (this.disposed || this.result) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.disposed && !this.result) void this.poll();
    }, this.pollIntervalMs);
    this.updateRef();
  }

  /** Settles the exit; later calls are ignored. Public so a driver can settle what it learns on recovery. */
  finish(r: ExitResult): void {
    if (this.result) return;
    this.result = r;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.log.debug({ taskId: this.id, exitCode: r.exitCode, signal: r.signal, err: r.err }, 'task exited');
    this.settle(r);
    this.updateRef();
  }

  /** Keeps the event loop alive only while someone awaits the exit, like an awaited child. */
  private updateRef(): void {
    const want = this.waiters > 0 && this.result === null;
    if (this.child) {
      if (want) this.child.ref();
      else this.child.unref();
    }
    if (this.timer) {
      if (want) this.timer.ref();
      else this.timer.unref();
    }
  }
}

/** process.kill that treats "no such process" as a plain false. */
export function killQuietly(pid: number, sig: number): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}

export function signalNumberOf(name: NodeJS.Signals | null): number {
  return name === null ? 0 : constants.signals[name];
}
