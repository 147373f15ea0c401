/**
 * One exec task as this agent sees it. The shim, its process group, its start time and the
 * exit file work exactly as raw_exec's (RawExecTask); what differs is who a signal is for:
 * the task is the shim's grandchild (shim → unshare → task), and with a private PID
 * namespace it is that namespace's pid 1.
 */
import { childProcesses } from '../proc.js';
import { RawExecTask, type HandleDeps } from '../raw_exec/handle.js';
import type { RawExecState } from '../raw_exec/state.js';
import { killQuietly, type ExitWatch } from '../watched-process.js';

export class ExecTask extends RawExecTask {
  constructor(
    id: string,
    state: RawExecState,
    private readonly hdeps: HandleDeps,
    child: ExitWatch | null,
  ) {
    super(id, state, hdeps, child);
  }

  /**
   * Signals the task process itself (as seen from the host). A namespace's pid 1 receives
   * from outside only the signals it handles, plus SIGKILL, which takes the whole
   * namespace down with it: the kernel's rule, and Nomad's exec behaves the same.
   */
  override signalTask(sig: number): boolean {
    if (!this.isOurs()) return false;
    let sent = false;
    for (const mid of childProcesses(this.hdeps.procRoot, this.state.pid)) {
      for (const pid of childProcesses(this.hdeps.procRoot, mid)) sent = killQuietly(pid, sig) || sent;
    }
    return sent;
  }
}
