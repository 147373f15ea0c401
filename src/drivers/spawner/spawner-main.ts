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
import { closeSync } from 'node:fs';
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
    send({ kind: 'started', id: req.id, pid });
  } catch (e) {
    send({ kind: 'failed', id: req.id, code: errCode(e), message: `cannot start ${req.file}: ${e instanceof Error ? e.message : String(e)}` });
  } finally {
    if (out >= 0) closeSync(out);
    if (err >= 0) closeSync(err);
  }
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
