import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { after } from 'node:test';
import { cliPath, makeTestDir } from './paths.js';
import { removeAgentCgroups } from '../cgroups/helpers.js';

/** Waits for a condition, polling; the deadline only bounds how long a failing test takes. */
export async function waitFor<T>(what: string, fn: () => T | undefined | null | false, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = fn();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Writes a file aside and renames it in, so that a reader polling it (the agent's jobs dir,
 * a template watch) never sees it truncated or half written: writeFileSync truncates first.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export interface Sandbox {
  readonly root: string;
  readonly jobsDir: string;
  readonly dataDir: string;
  writeJob(name: string, text: string): void;
  removeJob(name: string): void;
  cleanup(): void;
}

/**
 * A sandbox factory for one describe block: each sandbox it makes is cleaned up after the
 * block. Call it at the block's top level (it registers the block's `after` hook).
 */
export function sandboxes(prefix?: string): () => Sandbox {
  const made: Sandbox[] = [];
  after(() => made.forEach((b) => b.cleanup()));
  return () => {
    const b = sandbox(prefix);
    made.push(b);
    return b;
  };
}

export function sandbox(prefix = 'bivouac-e2e-'): Sandbox {
  const root = makeTestDir(prefix);
  const jobsDir = join(root, 'jobs');
  const dataDir = join(root, 'data');
  spawnSync('mkdir', ['-m', '0755', jobsDir]);
  return {
    root,
    jobsDir,
    dataDir,
    // Written aside and renamed in, as an editor's atomic save does, so the agent never reads half a file.
    writeJob(name, text) {
      writeFileAtomic(join(jobsDir, name), text);
    },
    removeJob(name) {
      rmSync(join(jobsDir, name), { force: true });
    },
    cleanup() {
      killTasks(dataDir);
      unmountUnder(root);
      removeAgentCgroups(dataDir);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface RunningAgent {
  readonly proc: ChildProcess;
  output(): string;
  /** SIGTERM and wait: the clean stop. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait: the crash. */
  kill9(): Promise<void>;
}

export function startAgent(sb: Sandbox, extraArgs: readonly string[] = [], env: Readonly<Record<string, string>> = {}): RunningAgent {
  const proc = spawn(process.execPath, [cliPath, 'agent', '--jobs', sb.jobsDir, '--data-dir', sb.dataDir, '--enable-raw-exec', '--log-level', 'debug', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    output: () => out,
    async stop() {
      proc.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs the compiled CLI and returns its exit code and output. */
export function cli(args: readonly string[], env: Readonly<Record<string, string>> = {}): { code: number; stdout: string; stderr: string } {
  // spawnSync's default 1 MiB cap kills a child that prints more: `status --json` of 2,000 jobs does.
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function statusJson<T = unknown>(sb: Sandbox, ...args: string[]): T {
  const r = cli(['status', '--json', '--data-dir', sb.dataDir, ...args]);
  if (r.code !== 0) throw new Error(`status exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export interface AllocJson {
  ID: string;
  JobVersion: number;
  DesiredStatus: string;
  ClientStatus: string;
  TaskGroup: string;
  TaskStates: Record<string, { State: string; Failed: boolean; Restarts: number; Events: { Type: string; DisplayMessage: string; Details: Record<string, unknown> }[] }>;
}

export interface JobStatusJson {
  Job: { ID: string; Status: string; Stop: boolean; Version: number };
  Allocations: AllocJson[];
  PlacementFailures: { group: string; reasons: string[] }[];
  FileErrors: { File: string; Error: string }[];
}

export function jobStatus(sb: Sandbox, job: string): JobStatusJson | null {
  const r = cli(['status', '--json', '--data-dir', sb.dataDir, job]);
  if (r.code !== 0) return null;
  return JSON.parse(r.stdout) as JobStatusJson;
}

export function allocStatus(sb: Sandbox, id: string): AllocJson {
  const r = cli(['alloc', 'status', '--json', '--data-dir', sb.dataDir, id]);
  if (r.code !== 0) throw new Error(`alloc status exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as AllocJson;
}

/** Live processes (not zombies) whose environment carries a task marker of this allocation. */
export function taskPids(allocId: string): number[] {
  const want = Buffer.from(`BIVOUAC_TASK_ID=${allocId}.`);
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z') continue;
      const env = readFileSync(`/proc/${name}/environ`);
      if (env.includes(want)) pids.push(Number(name));
    } catch {
      // Gone between the listing and the read: not a live process.
    }
  }
  return pids;
}

/** The task's own process (the shim's child), i.e. the pids whose parent also carries the marker. */
export function taskLeaderPids(allocId: string): number[] {
  return taskPids(allocId).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[2]) === pid; // process group leader: the shim
    } catch {
      return false;
    }
  });
}

/**
 * Unmounts what the test's agents mounted under `root` (secrets tmpfs of tasks the agent let
 * run on at its stop), deepest first; only mounts below this test's own directory.
 */
export function unmountUnder(root: string): void {
  let base: string;
  try {
    base = realpathSync(root);
  } catch {
    return;
  }
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p.startsWith(`${base}/`))
    .sort((a, b) => b.length - a.length);
  for (const p of points) spawnSync('umount', [p]);
}

/** Kills every task process started under this data dir's allocations (test cleanup). */
export function killTasks(dataDir: string): void {
  let allocs: string[] = [];
  try {
    allocs = readdirSync(join(dataDir, 'alloc'));
  } catch {
    return;
  }
  for (const a of allocs) {
    for (const pid of taskPids(a)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

/** Wall-clock start times of the passes that listed the whole jobs dir, as the agent logs them (debug level). */
export function passStarts(a: RunningAgent): number[] {
  const out: number[] = [];
  for (const m of a.output().matchAll(/"started":(\d+),"full":true[^\n]*"msg":"pass complete"/g)) out.push(Number(m[1]));
  return out;
}

/**
 * Resolves once a pass that began after `since` (default: now; a later millisecond, since
 * one that began in the same one may have listed the dir before the last write) and listed
 * the whole jobs dir has finished: it saw every write made before the call. Counting "pass
 * complete" lines is not enough: a pass that ended earlier can reach this process's pipe
 * late, and a pass an event caused looks only at the files whose events had arrived. The
 * periodic rescan is such a full pass, so this waits up to one rescan interval.
 */
export async function waitPassSince(a: RunningAgent, since = Date.now(), timeoutMs = 60_000): Promise<void> {
  await waitFor('a full pass begun after the change', () => passStarts(a).some((t) => t > since) || a.proc.exitCode !== null || a.proc.signalCode !== null, timeoutMs);
}
