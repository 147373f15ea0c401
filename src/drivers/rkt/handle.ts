/**
 * One rkt task as the agent sees it: the `rkt run-prepared` process (our child, or found
 * again by pid after a restart) and the pod it runs. `done` resolves once with the exit.
 */
import { MAX_SIGNAL, childProcesses, isSameProcess } from '../proc.js';
import { readExitFile } from '../exit-shim.js';
import { oomKillCount } from '../../cgroups/index.js';
import type { Logger } from '../../util/logger.js';
import type { ExitResult } from '../types.js';
import { WatchedProcess, killQuietly, signalNumberOf, type ExitWatch } from '../watched-process.js';
import type { RktHandleState } from './state.js';

export interface RktTaskDeps {
  readonly procRoot: string;
  readonly pollIntervalMs: number;
  readonly log: Logger;
  /** The code rkt recorded for the pod's app, null if none (fly stage1), or 'running'. */
  readonly podExit: (uuid: string) => Promise<number | null | 'running'>;
}

export const EXIT_CODE_UNKNOWN = 'exit code unknown';

/** rkt exits 128+n when its app died of signal n (reference/rkt.md §4.5, §8). */
export function exitFromCode(code: number): ExitResult {
  const sig = code > 128 && code <= 128 + MAX_SIGNAL ? code - 128 : 0;
  return { exitCode: code, signal: sig, oomKilled: false, err: null };
}

export class RktTask extends WatchedProcess {
  private sentKill = false;

  constructor(
    id: string,
    readonly state: RktHandleState,
    readonly startedAt: number,
    private readonly deps: RktTaskDeps,
    child: ExitWatch | null,
  ) {
    super(id, child, deps.pollIntervalMs, deps.log);
    if (child) {
      child.once('exit', (code, signal) => {
        const recorded = this.recorded();
        if (recorded !== null) this.finishWith(recorded);
        else if (code !== null) this.finishWith(exitFromCode(code));
        else this.finishWith(exitFromCode(128 + signalNumberOf(signal)));
      });
    } else this.schedule();
  }

  /** True while the pid is the rkt process we started, in this boot, and not exited. */
  isOurs(): boolean {
    if (this.result !== null || this.state.startTime === 0) return false;
    return isSameProcess(this.deps.procRoot, this.state.pid, this.state.startTime, this.state.bootId);
  }

  /**
   * Signals the rkt process alone (it forwards to its apps); false if not ours any more.
   * Under the shim, that is the shim's child: the shim itself ignores stop signals.
   */
  signalProcess(sig: number): boolean {
    if (!this.isOurs()) return false;
    if (this.state.exitFile === null) return killQuietly(this.state.pid, sig);
    let sent = false;
    for (const pid of childProcesses(this.deps.procRoot, this.state.pid)) sent = killQuietly(pid, sig) || sent;
    return sent;
  }

  /** The agent is about to SIGKILL the pod's cgroup: an exit without a status is that kill. */
  noteKill(): void {
    this.sentKill = true;
  }

  /** SIGKILL to the rkt process's group (started detached, so the pod's processes too). */
  killGroup(): boolean {
    if (!this.isOurs()) return false;
    this.sentKill = true;
    return killQuietly(-this.state.pid, 9);
  }

  /** Not our child: poll /proc for the rkt process, then ask rkt how the pod ended. */
  protected async poll(): Promise<void> {
    if (this.isOurs()) return this.schedule();
    // The shim's record is rkt's own exit status, whatever the stage1 and whoever waited.
    const recorded = this.recorded();
    if (recorded !== null) return this.finishWith(recorded);
    try {
      const code = await this.deps.podExit(this.state.uuid);
      if (code === 'running' && this.state.exitFile === null) return this.schedule();
      if (typeof code === 'number') return this.finishWith(exitFromCode(code));
      this.finishWith(this.sentKill ? exitFromCode(137) : { exitCode: null, signal: 0, oomKilled: false, err: EXIT_CODE_UNKNOWN });
    } catch (e) {
      // rkt could not tell (hung, removed pod): the code is unknown, the process is gone.
      this.deps.log.warn({ taskId: this.id, uuid: this.state.uuid, err: String(e) }, 'rkt status failed after the pod process ended');
      this.finishWith({ exitCode: null, signal: 0, oomKilled: false, err: EXIT_CODE_UNKNOWN });
    }
  }

  /** What the shim recorded for `rkt run-prepared`, if it got to. */
  recorded(): ExitResult | null {
    if (this.state.exitFile === null) return null;
    const status = readExitFile(this.state.exitFile);
    return status === null ? null : exitFromCode(status);
  }

  /** Settles, marking an exit the kernel's OOM killer caused in the pod's cgroup. */
  finishWith(r: ExitResult): void {
    const oom = this.state.cgroup !== null && oomKillCount(this.state.cgroup) > 0;
    this.finish(oom ? { ...r, oomKilled: true } : r);
  }
}
