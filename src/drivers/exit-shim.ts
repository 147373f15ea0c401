/**
 * The shim that lets a task process (raw_exec's command, rkt's `rkt run-prepared`) outlive
 * the agent and still report how it ended.
 *
 * An agent can only wait() on processes it forked in this life, so each task runs under a
 * tiny `/bin/sh` that stays its parent: it runs the command as a foreground child, writes
 * the child's status to the exit file (write a temp file, then rename, so a reader never sees
 * half a number), and exits with the same status. The agent, or the next one, reads the file.
 *
 * The shim traps the catchable stop signals with a no-op function so a signal sent to the
 * whole process group reaches the task but not the shim. A function, not `trap ''`: ignored
 * dispositions survive exec, caught ones are reset to default, so the task starts clean.
 * SIGKILL cannot be trapped; a killed group leaves no exit file.
 *
 * The shim starts gated: it reads one line from stdin and runs nothing unless that line is
 * `go`. The agent writes it only once it has put the shim's pid in the task's cgroup, so
 * the task and every child it ever forks start inside it (the agent joins, not the shim,
 * because a task running as another user could not write cgroup.procs). An agent that dies
 * before the go-ahead closes the pipe, and the shim exits 125 having run nothing.
 *
 * Known window: a signal that reaches the task between the shim's fork and the task's exec
 * runs the shim's no-op handler in the child and is lost. Only a stop sent within the first
 * moments of a start is affected, and the kill timeout's SIGKILL still ends the task.
 */
import { readFileSync, rmSync } from 'node:fs';
import type { ExitResult } from './types.js';
import { MAX_SIGNAL } from './proc.js';

export const SHIM_SIGNALS = ['INT', 'TERM', 'HUP', 'QUIT', 'USR1', 'USR2'] as const;

/** In the task dir, beside what the task writes; the shim writes it last thing. */
export const EXIT_FILE_NAME = '.bivouac-exit';

/** Exit status of a shim that never got the go-ahead (nothing ran). */
export const SHIM_NOT_RELEASED = 125;

/** `sh -c SHIM_SCRIPT sh <exitFile> <command> <args…>` */
export const SHIM_SCRIPT = [
  'bv_exit=$1; shift',
  `IFS= read -r bv_go || exit 125`,
  `[ "$bv_go" = go ] || exit 125`,
  'exec 0</dev/null',
  'bv_nop() { :; }',
  `trap bv_nop ${SHIM_SIGNALS.join(' ')}`,
  '"$@"',
  'bv_status=$?',
  `printf '%s\\n' "$bv_status" > "$bv_exit.tmp" && mv -f "$bv_exit.tmp" "$bv_exit"`,
  'exit "$bv_status"',
].join('\n');

export function shimArgs(exitFile: string, command: string, args: readonly string[]): string[] {
  return ['-c', SHIM_SCRIPT, 'sh', exitFile, command, ...args];
}

/**
 * A shell status as an ExitResult. The shell reports a child killed by signal n as 128 + n,
 * as Nomad's executor also does, so a status above 128 naming a real signal is read as that
 * signal (exitCode stays 128 + n, signal = n). A task that itself exits 130 is therefore
 * reported as signal 2: the shell gives no way to tell the two apart.
 */
export function exitResultFromStatus(status: number): ExitResult {
  const sig = status > 128 && status - 128 <= MAX_SIGNAL ? status - 128 : 0;
  return { exitCode: status, signal: sig, oomKilled: false, err: null };
}

/** The recorded status, or null when there is no (complete) exit file. */
export function readExitFile(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(n) && n >= 0 && n <= 255 ? n : null;
}

/** Before a start: a status left by the previous run must not be read as this run's. */
export function clearExitFile(path: string): void {
  rmSync(path, { force: true });
  rmSync(`${path}.tmp`, { force: true });
}
