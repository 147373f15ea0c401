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
import { closeSync, existsSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { makeTree } from './tree.js';
import { readProcStat } from '../proc.js';
import { openAppendNoFollow } from '../../util/fs-safe.js';
import type { Writable } from 'node:stream';
import { createWarmer } from './spawner-warm.js';
import { decodeRequest, lineSplitter, type MakeTreeRequest, type SpawnerMessage, type SpawnRequest } from './protocol.js';

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
  // The task's cgroup directories are made on the thread pool while this thread forks (a
  // cgroupfs mkdir costs 0.2–8 ms here); the join waits for them. Every answer waits until
  // they are all made or failed, so the agent's cleanup of a failed start never races one.
  const made = req.mkdirs !== undefined && req.mkdirs.length > 0 ? makeDirs(req.mkdirs) : null;
  const after = (f: () => void): void => (made ? void made.then(f) : f());
  const failed = (e: unknown, message: string): void => after(() => send({ kind: 'failed', id: req.id, code: errCode(e), message }));
  let out = -1;
  let err = -1;
  try {
    out = openLog(req.stdoutPath);
    err = openLog(req.stderrPath);
  } catch (e) {
    if (out >= 0) closeSync(out);
    failed(e, e instanceof Error ? e.message : String(e));
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
      child.once('error', (e) => failed(e, `cannot start ${req.file}: ${e.message}`));
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
      const gate = child.stdin;
      if (made) void made.then((bad) => finishJoin(req, pid, gate, bad));
      else finishJoin(req, pid, gate, null);
      return;
    }
    send({ kind: 'started', id: req.id, pid });
  } catch (e) {
    failed(e, `cannot start ${req.file}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    if (out >= 0) closeSync(out);
    if (err >= 0) closeSync(err);
  }
}

/** Builds the tree on the thread pool (this thread stays free to fork), then renames it into place. */
async function makeTreeFor(req: MakeTreeRequest): Promise<void> {
  try {
    await makeTree(req.entries, req.renameTo);
    send({ kind: 'made', id: req.id });
  } catch (e) {
    send({ kind: 'failed', id: req.id, code: errCode(e), message: `cannot make ${req.entries[0].path}: ${messageOf(e)}` });
  }
}

/** Makes every directory (each may fail alone); the first failure, or null. Never rejects. */
async function makeDirs(dirs: readonly string[]): Promise<{ readonly dir: string; readonly error: unknown } | null> {
  const results = await Promise.allSettled(dirs.map((d) => mkdir(d)));
  const i = results.findIndex((r) => r.status === 'rejected');
  return i < 0 ? null : { dir: dirs[i], error: (results[i] as PromiseRejectedResult).reason };
}

/** The cgroup made (or not), its control files written, then the join and the release. */
function finishJoin(req: SpawnRequest, pid: number, gate: Writable | null, bad: { readonly dir: string; readonly error: unknown } | null): void {
  if (bad !== null) {
    killUnreleased(req, pid, gate);
    send({ kind: 'failed', id: req.id, code: errCode(bad.error), message: `cannot create the task's cgroup ${bad.dir}: ${messageOf(bad.error)}` });
    return;
  }
  for (const w of req.writes ?? []) {
    try {
      if (existsSync(w.file)) writeFileSync(w.file, w.value);
    } catch (e) {
      killUnreleased(req, pid, gate);
      send({ kind: 'failed', id: req.id, code: errCode(e), message: `cannot set ${w.file} to ${w.value}: ${messageOf(e)}` });
      return;
    }
  }
  const startTime = joinAndRelease(req, pid, gate);
  if (startTime !== null) send({ kind: 'started', id: req.id, pid, startTime });
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A gated child that must not run: its gate closed (it exits 125 having run nothing) and its group killed. */
function killUnreleased(req: SpawnRequest, pid: number, gate: Writable | null): void {
  gate?.end('');
  gates.delete(req.id);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone: nothing ran.
  }
}

/**
 * The gated child joins its cgroup, its start time is read (it cannot have exited: it waits
 * on its gate), and it is let go. On a failure it is made to exit unrun and killed, and the
 * request fails; null then.
 */
function joinAndRelease(req: SpawnRequest, pid: number, gate: Writable | null): number | null {
  const fail = (message: string, e?: unknown): null => {
    killUnreleased(req, pid, gate);
    send({ kind: 'failed', id: req.id, code: errCode(e), message });
    return null;
  };
  let file = '';
  try {
    for (file of req.join ?? []) writeFileSync(file, String(pid));
  } catch (e) {
    return fail(`cannot put the task in its cgroup (${file}): ${messageOf(e)}`, e);
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
  else if (req?.kind === 'mktree') void makeTreeFor(req);
  else if (req?.kind === 'warm') warm(req);
  else if (req?.kind === 'release') {
    gates.get(req.id)?.end(req.go ? 'go\n' : '');
    gates.delete(req.id);
  }
  else process.stderr.write(`spawner: ignoring a malformed request: ${line.slice(0, 200)}\n`);
}));
process.stdin.on('end', () => process.exit(0));
process.stdout.on('error', () => process.exit(0));
