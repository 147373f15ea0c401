/**
 * The spawner helper: a small, long-lived process that starts task processes for the agent.
 *
 * Why: fork() copies the parent's page tables, so a spawn from the agent costs more the
 * larger its heap (measured here: ~2 ms from a 50 MB process, 10–20 ms from the agent
 * under load), and it blocks the agent's loop meanwhile. This process stays small, so a
 * start costs the floor, off the agent's thread.
 *
 * It holds no state that matters: children run detached in their own session under the
 * exit-status shim, which records how they end; if this helper dies they carry on, and the
 * agent watches them as it watches tasks it recovered. It exits when its stdin closes (the
 * agent is gone) and leaves its children running.
 */
import { spawn } from 'node:child_process';
import { closeSync, writeFileSync } from 'node:fs';
import { readProcStat } from '../proc.js';
import { openAppendNoFollow } from '../../util/fs-safe.js';
import type { Writable } from 'node:stream';
import { createWarmer } from './spawner-warm.js';
import { decodeRequest, lineSplitter, type SpawnerMessage, type SpawnRequest } from './protocol.js';

/** Stdins of gated children waiting for their release, by request id. */
const gates = new Map<number, Writable>();

function send(m: SpawnerMessage): void {
  process.stdout.write(JSON.stringify(m) + '\n');
}

function errCode(e: unknown): string {
  const c = typeof e === 'object' && e !== null && 'code' in e ? (e as { code: unknown }).code : undefined;
  return typeof c === 'string' ? c : 'ERROR';
}

/** Append mode, so the task's writes land at the end even after rotation truncates the file. */
function openLog(path: string): number {
  try {
    return openAppendNoFollow(path);
  } catch (e) {
    throw Object.assign(new Error(`cannot open log file ${path}: ${e instanceof Error ? e.message : String(e)}`), { code: errCode(e) });
  }
}

function start(req: SpawnRequest): void {
  let out = -1;
  let err = -1;
  try {
    out = openLog(req.stdoutPath);
    err = openLog(req.stderrPath);
  } catch (e) {
    if (out >= 0) closeSync(out);
    send({ kind: 'failed', id: req.id, code: errCode(e), message: e instanceof Error ? e.message : String(e) });
    return;
  }
  try {
    const child = spawn(req.file, [...req.args], {
      cwd: req.cwd,
      env: req.env,
      detached: true,
      stdio: [req.gated ? 'pipe' : 'ignore', out, err],
      ...(req.uid !== undefined && req.gid !== undefined ? { uid: req.uid, gid: req.gid } : {}),
    });
    const pid = child.pid;
    if (pid === undefined) {
      child.once('error', (e) => send({ kind: 'failed', id: req.id, code: errCode(e), message: `cannot start ${req.file}: ${e.message}` }));
      return;
    }
    child.on('error', () => undefined); // a later error (a failed kill) is not ours to report
    if (req.gated && child.stdin) {
      // A shim that died before its release makes the write fail with EPIPE; its exit says why.
      child.stdin.on('error', () => undefined);
      gates.set(req.id, child.stdin);
      child.once('exit', () => gates.delete(req.id));
    }
    child.once('exit', (code, signal) => send({ kind: 'exited', pid, code, signal }));
    if (req.join !== undefined) {
      const startTime = joinAndRelease(req, pid, child.stdin);
      if (startTime === null) return;
      send({ kind: 'started', id: req.id, pid, startTime });
      return;
    }
    send({ kind: 'started', id: req.id, pid });
  } catch (e) {
    send({ kind: 'failed', id: req.id, code: errCode(e), message: `cannot start ${req.file}: ${e instanceof Error ? e.message : String(e)}` });
  } finally {
    if (out >= 0) closeSync(out);
    if (err >= 0) closeSync(err);
  }
}

/**
 * The gated child joins its cgroup, its start time is read (it cannot have exited: it waits
 * on its gate), and it is let go. On a failure it is made to exit unrun and killed, and the
 * request fails; null then.
 */
function joinAndRelease(req: SpawnRequest, pid: number, gate: Writable | null): number | null {
  const fail = (message: string, e?: unknown): null => {
    gate?.end('');
    gates.delete(req.id);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone: nothing ran.
    }
    send({ kind: 'failed', id: req.id, code: errCode(e), message });
    return null;
  };
  let file = '';
  try {
    for (file of req.join ?? []) writeFileSync(file, String(pid));
  } catch (e) {
    return fail(`cannot put the task in its cgroup (${file}): ${e instanceof Error ? e.message : String(e)}`, e);
  }
  const stat = readProcStat('/proc', pid);
  if (!stat) return fail(`started pid ${pid} but cannot read its /proc entry`);
  gate?.end('go\n');
  gates.delete(req.id);
  return stat.startTime;
}

// A terminal's Ctrl-C reaches the agent's process group; the agent decides when this helper
// ends (by closing stdin), so the signals that would end it early are ignored.
for (const s of ['SIGINT', 'SIGHUP', 'SIGQUIT'] as const) process.on(s, () => undefined);
const warm = createWarmer((message) => process.stderr.write(`${message}\n`));
process.stdin.on('data', lineSplitter((line) => {
  const req = decodeRequest(line);
  if (req?.kind === 'spawn') start(req);
  else if (req?.kind === 'warm') warm(req);
  else if (req?.kind === 'release') {
    gates.get(req.id)?.end(req.go ? 'go\n' : '');
    gates.delete(req.id);
  }
  else process.stderr.write(`spawner: ignoring a malformed request: ${line.slice(0, 200)}\n`);
}));
process.stdin.on('end', () => process.exit(0));
process.stdout.on('error', () => process.exit(0));
