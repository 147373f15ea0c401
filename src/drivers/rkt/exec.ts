/**
 * Short rkt calls (version, trust, prepare, status, stop, rm) through execa with a
 * timeout, so a hung rkt never hangs the agent. Failures come back as data.
 */
import { execa } from 'execa';

export interface RktCallResult {
  /** null when rkt did not run to an exit (missing binary, timeout, killed). */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** Set when rkt could not be started at all (ENOENT, EACCES …). */
  readonly spawnError: string | null;
}

export interface RktCaller {
  (args: readonly string[]): Promise<RktCallResult>;
}

export function createRktCaller(rktPath: string, timeoutMs: number): RktCaller {
  return async (args) => {
    const r = await execa(rktPath, args, {
      reject: false,
      timeout: timeoutMs,
      // A hung rkt that ignores SIGTERM is killed outright shortly after.
      forceKillAfterDelay: 1000,
      stdin: 'ignore',
      stripFinalNewline: false,
    });
    const spawnError = r.failed && r.exitCode === undefined && !r.timedOut && !r.isTerminated ? (r.originalMessage ?? r.shortMessage ?? 'could not start') : null;
    return {
      exitCode: r.exitCode ?? null,
      stdout: typeof r.stdout === 'string' ? r.stdout : '',
      stderr: typeof r.stderr === 'string' ? r.stderr : '',
      timedOut: r.timedOut,
      spawnError,
    };
  };
}

/**
 * rkt's own error lines: those starting with the subcommand's prefix (`prepare: …`), which
 * skips the `image:` and `networking:` progress noise. Falls back to all of stderr.
 */
export function rktMessage(sub: string, stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const own = lines.filter((l) => l.startsWith(`${sub}:`) || l.startsWith('Error:'));
  return (own.length > 0 ? own : lines).join('; ');
}

/** One line describing a failed call: rkt's message, or why it did not run. */
export function describeFailure(sub: string, r: RktCallResult, timeoutMs: number): string {
  if (r.spawnError !== null) return `failed to execute rkt ${sub}: ${r.spawnError}`;
  if (r.timedOut) return `rkt ${sub} timed out after ${timeoutMs}ms`;
  const msg = rktMessage(sub, r.stderr);
  return msg !== '' ? msg : `rkt ${sub} exited with code ${r.exitCode ?? 'unknown'}`;
}
