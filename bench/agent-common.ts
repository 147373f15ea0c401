/**
 * Shared pieces of the agent benchmarks (issue 4): options, job files, a real agent child
 * with its log lines counted, read-only looks at its database, statistics, clean-up.
 * Benchmarks print figures; nothing here asserts a timing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { cliPath } from '../test/helpers/paths.js';
import type { Sandbox } from '../test/helpers/agent.js';
import { removeAgentCgroups } from '../test/cgroups/helpers.js';
import { listAllocsForJob, listLiveAllocs, listTaskStates, openState, type AllocRecord, type Database } from '../src/state/index.js';

export { cliPath };

/**
 * `--json`, and `--name N` numeric options with defaults. `--help` prints the usage and exits
 * 0; a wrong option prints what is wrong and the usage to stderr and exits 2 (not a stack).
 */
export function parseOptions<K extends string>(argv: readonly string[], defaults: Readonly<Record<K, number>>): { readonly json: boolean; readonly opts: Record<K, number> } {
  const opts = { ...defaults } as Record<K, number>;
  const usage = `usage: node ${process.argv[1] ?? 'bench'} [--json] ${Object.entries(defaults).map(([k, v]) => `[--${k} N (${String(v)})]`).join(' ')}\n`;
  const refuse = (why: string): never => {
    process.stderr.write(`${why}\n${usage}`);
    process.exit(2);
  };
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') {
      json = true;
      continue;
    }
    if (a === '--help' || a === '-h') {
      process.stdout.write(usage);
      process.exit(0);
    }
    const name = a.replace(/^--/, '');
    if (a.startsWith('--') && Object.hasOwn(defaults, name)) {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) refuse(`${a} needs a positive number, got "${argv[i] ?? ''}"`);
      opts[name as K] = v;
      continue;
    }
    refuse(`unknown option "${a}"`);
  }
  return { json, opts };
}

/** A raw_exec service that sleeps, with the smallest resources the validator accepts. */
export function sleepJob(id: string, seconds = 600): string {
  return `job "${id}" {
  type = "service"
  group "g" {
    ephemeral_disk {
      size = 10
    }
    restart {
      attempts = 0
      mode     = "fail"
    }
    task "sleep" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["${seconds}"]
      }
      logs {
        max_files     = 1
        max_file_size = 1
      }
      resources {
        cpu    = 1
        memory = 10
      }
    }
  }
}
`;
}

/** Writes job files into a hidden staging dir inside the jobs dir (same file system, ignored by the agent). */
export function stageJobs(jobsDir: string, ids: readonly string[]): string {
  const staging = join(jobsDir, '.staging');
  mkdirSync(staging, { recursive: true });
  for (const id of ids) writeFileSync(join(staging, `${id}.nomad`), sleepJob(id));
  return staging;
}

/** Renames a staged file into the jobs dir; returns Date.now() read just before the rename. */
export function dropStaged(jobsDir: string, id: string): number {
  const t = Date.now();
  renameSync(join(jobsDir, '.staging', `${id}.nomad`), join(jobsDir, `${id}.nomad`));
  return t;
}

export interface BenchAgent {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** performance.now() when spawn() was called. */
  readonly spawnedAt: number;
  /** How many log lines with this msg have been seen so far. */
  count(msg: string): number;
  /** Resolves with performance.now() when the n-th line with msg arrives. */
  waitForCount(msg: string, n: number, timeoutMs: number): Promise<number>;
  /** Lines that were not JSON or logged at warn and above, for the report. */
  problems(): readonly string[];
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** BIVOUAC_BENCH_CPU_PROF=DIR profiles every agent a benchmark starts (node --cpu-prof; written when it exits). */
function profileArgs(): string[] {
  const dir = process.env.BIVOUAC_BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', '--cpu-prof-dir', dir] : [];
}

/**
 * BIVOUAC_BENCH_AGENT_LOG=FILE: every agent a benchmark starts logs at debug level, and its
 * lines are appended to FILE (the 'pass complete' lines carry each pass's phases).
 */
function agentLogFile(): string | null {
  return process.env.BIVOUAC_BENCH_AGENT_LOG || null;
}

/**
 * Starts `bivouac agent` on the sandbox and counts its JSON log lines by `msg` as they
 * arrive (no buffering of the whole output: the 1,000-task runs log a lot).
 */
export function startBenchAgent(sb: Sandbox, level = 'info', nodeArgs: readonly string[] = profileArgs()): BenchAgent {
  const logFile = agentLogFile();
  const logLevel = logFile === null ? level : 'debug';
  const spawnedAt = performance.now();
  const proc = spawn(process.execPath, [...nodeArgs, cliPath, 'agent', '--jobs', sb.jobsDir, '--data-dir', sb.dataDir, '--enable-raw-exec', '--log-level', logLevel], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error('agent did not spawn');
  const counts = new Map<string, number>();
  const waiters: { msg: string; n: number; resolve: (t: number) => void }[] = [];
  const problems: string[] = [];
  let rest = '';
  const onLine = (line: string): void => {
    let msg: string | null = null;
    let level = 0;
    try {
      const v = JSON.parse(line) as { msg?: unknown; level?: unknown };
      msg = typeof v.msg === 'string' ? v.msg : null;
      level = typeof v.level === 'number' ? v.level : 0;
    } catch {
      if (problems.length < 20) problems.push(line.slice(0, 300));
      return;
    }
    if (level >= 40 && problems.length < 20) problems.push(line.slice(0, 300));
    if (msg === null) return;
    const n = (counts.get(msg) ?? 0) + 1;
    counts.set(msg, n);
    const now = performance.now();
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].msg === msg && n >= waiters[i].n) {
        waiters[i].resolve(now);
        waiters.splice(i, 1);
      }
    }
  };
  proc.stdout?.on('data', (d: Buffer) => {
    if (logFile !== null) appendFileSync(logFile, d);
    const text = rest + d.toString();
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) if (l) onLine(l);
  });
  proc.stderr?.on('data', (d: Buffer) => {
    if (problems.length < 20) problems.push(`stderr: ${d.toString().slice(0, 300)}`);
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    proc,
    pid: proc.pid,
    spawnedAt,
    count: (msg) => counts.get(msg) ?? 0,
    waitForCount(msg, n, timeoutMs) {
      if ((counts.get(msg) ?? 0) >= n) return Promise.resolve(performance.now());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${n}× "${msg}" (have ${counts.get(msg) ?? 0}); problems: ${problems.join(' | ')}`)), timeoutMs);
        waiters.push({
          msg,
          n,
          resolve: (t) => {
            clearTimeout(timer);
            resolve(t);
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`agent exited while waiting for "${msg}"; problems: ${problems.join(' | ')}`));
        });
      });
    },
    problems: () => problems,
    async stop(signal) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

/** The agent's state database, opened read-only (safe next to a running agent). */
export function openStateReadonly(dataDir: string): Database {
  return openState(join(dataDir, 'state.db'), { readonly: true });
}

/** Allocations whose client status is `running` (one query). */
export function countRunningAllocs(db: Database): number {
  let n = 0;
  for (const a of listLiveAllocs(db)) if (a.clientStatus === 'running') n++;
  return n;
}

/** The latest task start time (started_at, the agent's Date.now() when the handle was written) over live allocs. */
export function lastStartedAt(db: Database): { readonly n: number; readonly max: number } {
  let n = 0;
  let max = 0;
  for (const a of listLiveAllocs(db)) {
    for (const t of listTaskStates(db, a.id)) {
      if (t.state === 'running' && t.startedAt !== null) {
        n++;
        max = Math.max(max, t.startedAt);
      }
    }
  }
  return { n, max };
}

/** Peak and current resident set of a process, in MB, from /proc/<pid>/status. */
/**
 * Stages a sleep job per id (and per `alsoStaged` id, left staged for the caller to drop
 * later), waits for the agent's first pass, drops `ids` all at once and waits until every
 * one runs. Returns the read-only state connection (the caller closes it) and the time from
 * the first drop to all running.
 */
export async function runAllStaged(
  sb: Sandbox,
  agent: BenchAgent,
  ids: readonly string[],
  timeoutMs: number,
  alsoStaged: readonly string[] = [],
): Promise<{ readonly db: Database; readonly ms: number }> {
  stageJobs(sb.jobsDir, [...ids, ...alsoStaged]);
  await agent.waitForCount('agent started', 1, 30_000);
  const db = openStateReadonly(sb.dataDir);
  try {
    const t0 = performance.now();
    for (const id of ids) dropStaged(sb.jobsDir, id);
    while (countRunningAllocs(db) < ids.length) {
      if (performance.now() - t0 > timeoutMs) throw new Error(`only ${countRunningAllocs(db)} of ${ids.length} running; problems: ${agent.problems().join(' | ')}`);
      await sleepMs(100);
    }
    return { db, ms: performance.now() - t0 };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Polls the state every ms until job `id`'s first task runs: its allocation and the task's start time (ms). */
export async function waitFirstTaskRunning(db: Database, agent: BenchAgent, id: string, timeoutMs: number): Promise<{ readonly alloc: AllocRecord; readonly startedAt: number }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const alloc = listAllocsForJob(db, id)[0];
    const st = alloc ? listTaskStates(db, alloc.id)[0] : undefined;
    if (alloc && st && st.state === 'running' && st.startedAt !== null) return { alloc, startedAt: st.startedAt };
    if (performance.now() > deadline) throw new Error(`${id} not running after ${timeoutMs} ms; agent problems: ${agent.problems().join(' | ')}`);
    await sleepMs(1);
  }
}

export function rssMB(pid: number): { readonly hwmMB: number; readonly rssMB: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { hwmMB: Math.round(kb('VmHWM') / 102.4) / 10, rssMB: Math.round(kb('VmRSS') / 102.4) / 10 };
}

/** The value at quantile q (0..1) of sorted numbers, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export function median(xs: readonly number[]): number {
  return quantile([...xs].sort((a, b) => a - b), 0.5);
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Machine context printed next to every figure: the host is shared. */
export function machine(): { readonly node: string; readonly cpus: number; readonly loadavg: readonly number[] } {
  return { node: process.version, cpus: cpus().length, loadavg: loadavg().map((x) => round(x, 2)) };
}

export function loadNow(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/**
 * SIGKILLs every live process whose environment carries BIVOUAC_TASK_ID of an allocation
 * under this data dir. One /proc scan for all allocations (killTasks scans once per
 * allocation, which is minutes at 1,000 allocations). Returns how many were signalled.
 */
export function killSandboxTasks(dataDir: string): number {
  let allocs: Set<string>;
  try {
    allocs = new Set(readdirSync(join(dataDir, 'alloc')));
  } catch {
    return 0;
  }
  if (allocs.size === 0) return 0;
  const key = Buffer.from('BIVOUAC_TASK_ID=');
  let killed = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let env: Buffer;
    try {
      env = readFileSync(`/proc/${name}/environ`);
    } catch {
      continue; // Gone between the listing and the read.
    }
    const at = env.indexOf(key);
    if (at < 0) continue;
    const end = env.indexOf(0, at);
    const value = env.subarray(at + key.length, end < 0 ? env.length : end).toString();
    if (!allocs.has(value.slice(0, value.indexOf('.')))) continue;
    try {
      process.kill(Number(name), 'SIGKILL');
      killed++;
    } catch {
      // Exited meanwhile: nothing left to kill.
    }
  }
  return killed;
}

/** Kills the sandbox's task processes (twice, for a shim caught mid-fork), then removes it. */
export function cleanupSandbox(sb: Sandbox): void {
  killSandboxTasks(sb.dataDir);
  killSandboxTasks(sb.dataDir);
  removeAgentCgroups(sb.dataDir);
  rmSync(sb.root, { recursive: true, force: true });
}

export async function sleepMs(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}
