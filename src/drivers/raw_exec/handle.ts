/**
 * One raw_exec task as this agent sees it: the shim's pid, how to tell whether that pid is
 * still ours, and its exit once known. A cache over the stored handle and the exit file:
 * dropping it loses nothing a fresh `recoverTask` cannot find again.
 */
import type { HandleDeps } from '../shim-task-table.js';
import type { ExitResult } from '../types.js';
import { WatchedProcess, killQuietly, signalNumberOf, type ExitWatch } from '../watched-process.js';
import { childProcesses, isLiveState, processGroupMembers, readProcStat } from '../proc.js';
import { exitResultFromStatus, readExitFile } from '../exit-shim.js';
import { cgroupPids, oomKillCount } from '../../cgroups/index.js';
import type { RawExecState } from './state.js';

export type { HandleDeps };

const UNKNOWN_WHILE_DOWN = 'exit code unknown: task exited while the agent was down';
const UNKNOWN_NO_STATUS = 'exit code unknown: the task left no exit status';

export class RawExecTask extends WatchedProcess {
  private sentKill = false;

  constructor(
    id: string,
    readonly state: RawExecState,
    private readonly deps: HandleDeps,
    child: ExitWatch | null,
  ) {
    super(id, child, deps.pollIntervalMs, deps.log);
    if (child) {
      child.once('exit', (code, sig) => this.finish(this.withOom(this.fromChild(code, sig))));
    }
  }

  /** Starts watching a task this agent did not fork: poll /proc until the pid is no longer ours. */
  watch(): void {
    if (this.child || this.result) return;
    if (!this.isOurs()) {
      this.finish(this.withOom(this.fromExitFile(UNKNOWN_WHILE_DOWN)));
      return;
    }
    this.schedule();
  }

  protected poll(): void {
    if (this.isOurs()) this.schedule();
    else this.finish(this.withOom(this.fromExitFile(UNKNOWN_NO_STATUS)));
  }

  /** True while the pid is the process we started, in this boot, and not exited. */
  isOurs(): boolean {
    if (this.deps.bootId !== this.state.bootId) return false;
    const stat = readProcStat(this.deps.procRoot, this.state.pid);
    return stat !== null && stat.startTime === this.state.startTime && isLiveState(stat.state);
  }

  /**
   * Signals the task's process group, but only while the group number is provably still
   * ours: the leader is our process (same start time, same boot), or the leader is gone and
   * members remain. The kernel never hands out a pid number still used as a group id, so a
   * group with members cannot be someone else's. A pid that exists with another start time
   * means the group is gone and the number reused: never signalled.
   */
  signalGroup(sig: number): boolean {
    if (this.deps.bootId !== this.state.bootId) return false;
    const stat = readProcStat(this.deps.procRoot, this.state.pid);
    if (stat !== null && stat.startTime !== this.state.startTime) return false;
    if (stat === null && processGroupMembers(this.deps.procRoot, this.state.pgid).length === 0) return false;
    if (sig === 9) this.sentKill = true;
    return killQuietly(-this.state.pgid, sig);
  }

  /** The agent is about to SIGKILL the cgroup: an exit without a status is that kill. */
  noteKill(): void {
    this.sentKill = true;
  }

  /** Signals the task itself (the shim's children), as Nomad's SignalTask does. */
  signalTask(sig: number): boolean {
    if (!this.isOurs()) return false;
    let sent = false;
    for (const pid of childProcesses(this.deps.procRoot, this.state.pid)) sent = killQuietly(pid, sig) || sent;
    return sent;
  }

  /** Every process still in the task's cgroup (daemons that left the group too), else its group's. */
  members(): number[] {
    if (this.state.cgroup !== null) return cgroupPids(this.state.cgroup);
    return this.groupMembers();
  }

  /** Members of the task's group still alive, once the leader's pid can be trusted. */
  groupMembers(): number[] {
    if (this.deps.bootId !== this.state.bootId) return [];
    const stat = readProcStat(this.deps.procRoot, this.state.pid);
    if (stat !== null && stat.startTime !== this.state.startTime) return [];
    return processGroupMembers(this.deps.procRoot, this.state.pgid);
  }

  /** The kernel's OOM count in the task's cgroup turns an exit into Nomad's "OOM Killed". */
  private withOom(r: ExitResult): ExitResult {
    if (this.state.cgroup === null || r.oomKilled) return r;
    return oomKillCount(this.state.cgroup) > 0 ? { ...r, oomKilled: true } : r;
  }

  /** The exit file wins: it is the task's status, where the child's is the shim's. */
  private fromChild(code: number | null, sig: NodeJS.Signals | null): ExitResult {
    const recorded = readExitFile(this.state.exitFile);
    if (recorded !== null) return exitResultFromStatus(recorded);
    if (sig !== null) {
      const n = signalNumberOf(sig);
      return { exitCode: 128 + n, signal: n, oomKilled: false, err: null };
    }
    return exitResultFromStatus(code ?? 0);
  }

  private fromExitFile(unknownMessage: string): ExitResult {
    const recorded = readExitFile(this.state.exitFile);
    if (recorded !== null) return exitResultFromStatus(recorded);
    // Only SIGKILL gets past the shim without a record; if we sent one, that was it.
    if (this.sentKill) return { exitCode: 137, signal: 9, oomKilled: false, err: null };
    return { exitCode: null, signal: 0, oomKilled: false, err: unknownMessage };
  }
}
