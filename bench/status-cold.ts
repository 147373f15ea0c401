/**
 * `bivouac status` cold, with 10,000 allocations in the DB (issue 4), next to `node -e 0`
 * and `bivouac version`.
 *   npx tsc -p . && node dist/bench/status-cold.js [--json] [--jobs 1000] [--allocs 10] [--runs 20]
 *
 * The DB is built directly through src/state (no agent): --jobs jobs of --allocs
 * allocations each, every alloc with one task state, a stored handle and three events
 * (Received, Task Setup, Started); one alloc in ten is complete, with Terminated and a
 * dead task. The commands are spawned in rounds, each once per round, --runs rounds after 2
 * warm-up rounds (so the page cache is warm: "cold" means a new process), and the wall of
 * spawnSync is reported. bivouac runs as a user's `bivouac` does: the bin executed, through its
 * `#!/usr/bin/env node` line (the README's `bivouac status`, `npx bivouac status`), not
 * `node dist/bin/bivouac.cjs`; the floor is `node -e 0`. Each ratio is given at the median and
 * at p10 (the floor's spread on a loaded machine is wide).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalHash, parseJobFile } from '../src/jobspec/index.js';
import {
  appendTaskEvent,
  insertAlloc,
  markDead,
  markRunning,
  markStarting,
  openState,
  putJobVersion,
  putNode,
  setAllocClientStatus,
  tx,
} from '../src/state/index.js';
import { node } from '../test/scheduler/builders.js';
import { cliPath, loadNow, machine, parseOptions, quantile, round, sleepJob } from './agent-common.js';

// --trigger-rounds N: also time building the DB N times with job_list's triggers and N times without.
const { json, opts } = parseOptions(process.argv.slice(2), { jobs: 1000, allocs: 10, runs: 20, 'trigger-rounds': 0 });

const root = mkdtempSync(join(tmpdir(), 'bivouac-bench-status-'));
const dataDir = join(root, 'data');
mkdirSync(dataDir);

const parsed = await parseJobFile('bench.nomad', sleepJob('template'));
if (!parsed.job) throw new Error(`bench job does not parse: ${JSON.stringify(parsed.diagnostics)}`);
const template = parsed.job;

/**
 * The DB as the agent writes it, one transaction a job (its version and its allocations with
 * their task states and events); `withoutJobList`: job_list's triggers dropped first, to time
 * what they add to these writes.
 */
function buildDb(dir: string, withoutJobList = false): { jobId: string; allocId: string; buildMs: number } {
  const db = openState(join(dir, 'state.db'));
  if (withoutJobList) {
    for (const { name } of db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'job_list_%'`).all() as { name: string }[]) db.exec(`DROP TRIGGER ${name}`);
  }
  const t0 = performance.now();
  let buildMs = 0;
  let midJob = '';
  let midAlloc = '';
  try {
    const now = Date.now() - 3_600_000;
    putNode(db, node(), 'ready', now);
    for (let j = 0; j < opts.jobs; j++) {
      const id = `job-${String(j).padStart(5, '0')}`;
      const job = { ...template, id, name: id };
      tx(db, () => {
        putJobVersion(db, job, canonicalHash(job), `${id}.nomad`, now);
        for (let i = 0; i < opts.allocs; i++) {
          const allocId = randomUUID();
          const t = now + j * 10 + i;
          insertAlloc(
            db,
            {
              id: allocId,
              jobId: id,
              jobVersion: 0,
              taskGroup: 'g',
              index: i,
              name: `${id}.g[${i}]`,
              resources: { cpu: 1, memoryMB: 10, diskMB: 10 },
              ports: [],
              tasks: [{ name: 'sleep', driver: 'raw_exec' }],
            },
            t,
          );
          appendTaskEvent(db, allocId, 'sleep', t, 'Received', 'Task received by client');
          appendTaskEvent(db, allocId, 'sleep', t, 'Task Setup', 'Building Task Directory');
          const attempt = markStarting(db, allocId, 'sleep');
          const handle = { driver: 'raw_exec', taskId: `${allocId}.${attempt}.sleep`, version: 1, state: { pid: 100000 + i, startTime: 1, bootId: 'bench' } };
          markRunning(db, allocId, 'sleep', attempt, 'raw_exec', handle, t + 5);
          appendTaskEvent(db, allocId, 'sleep', t + 5, 'Started', 'Task started by client');
          if (i === opts.allocs - 1) {
            appendTaskEvent(db, allocId, 'sleep', t + 60_000, 'Terminated', 'Exit Code: 0', { exitCode: 0, signal: 0 });
            markDead(db, allocId, 'sleep', false, t + 60_000);
            setAllocClientStatus(db, allocId, 'complete', 'All tasks have completed', t + 60_000);
          } else {
            setAllocClientStatus(db, allocId, 'running', 'Tasks are running', t + 5);
          }
          if (j === Math.floor(opts.jobs / 2) && i === 0) {
            midJob = id;
            midAlloc = allocId;
          }
        }
      });
    }
    buildMs = performance.now() - t0;
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return { jobId: midJob, allocId: midAlloc, buildMs };
}

/** Builds alternate with and without the triggers, each in a fresh directory; the medians. */
function triggerCost(rounds: number): { withMs: number; withoutMs: number; perJobUs: number } {
  const times = { with: [] as number[], without: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    for (const without of r % 2 === 0 ? [false, true] : [true, false]) {
      const dir = mkdtempSync(join(root, 'trig-'));
      times[without ? 'without' : 'with'].push(buildDb(dir, without).buildMs);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const withMs = quantile([...times.with].sort((a, b) => a - b), 0.5);
  const withoutMs = quantile([...times.without].sort((a, b) => a - b), 0.5);
  return { withMs: round(withMs), withoutMs: round(withoutMs), perJobUs: round(((withMs - withoutMs) / opts.jobs) * 1000) };
}

interface Timing {
  readonly label: string;
  readonly command: string;
  readonly medianMs: number;
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly minMs: number;
  readonly outBytes: number;
  readonly load: string;
}

/**
 * Every command once per round, rounds repeated: a burst of load from elsewhere falls on all
 * of them alike, so each ratio to `node -e 0` is paired within the run.
 */
function timeAll(commands: readonly (readonly [string, readonly string[]])[]): Timing[] {
  const run = (label: string, args: readonly string[]): { ms: number; bytes: number } => {
    // The bin itself is executed (its shebang starts node); anything else is node's arguments.
    const [file, rest] = args[0] === cliPath ? [cliPath, args.slice(1)] : [process.execPath, args];
    const t0 = performance.now();
    const r = spawnSync(file, rest, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${label} exited ${r.status}: ${r.stderr}`);
    return { ms, bytes: Buffer.byteLength(r.stdout) };
  };
  const load = loadNow();
  const times = commands.map(() => [] as number[]);
  const bytes = commands.map(() => 0);
  for (let round = 0; round < opts.runs + 2; round++) {
    commands.forEach(([label, args], i) => {
      const r = run(label, args);
      // The first two rounds warm the page cache: "cold" means a new process.
      if (round >= 2) times[i].push(r.ms);
      bytes[i] = r.bytes;
    });
  }
  return commands.map(([label, args], i) => {
    const t = times[i].sort((a, b) => a - b);
    const shown = args.map((a) => (a === cliPath ? 'bivouac' : a === dataDir ? 'DIR' : a)).join(' ');
    return { label, command: args[0] === cliPath ? shown : `node ${shown}`, medianMs: round(quantile(t, 0.5)), p10Ms: round(quantile(t, 0.1)), p90Ms: round(quantile(t, 0.9)), minMs: round(t[0]), outBytes: bytes[i], load };
  });
}

let results;
try {
  const built = buildDb(dataDir);
  const triggers = opts['trigger-rounds'] > 0 ? triggerCost(opts['trigger-rounds']) : null;
  const dd = ['--data-dir', dataDir];
  const timings = timeAll([
    ['node -e 0', ['-e', '0']],
    ['bivouac version', [cliPath, 'version']],
    ['bivouac status', [cliPath, 'status', ...dd]],
    ['bivouac status --json', [cliPath, 'status', '--json', ...dd]],
    ['bivouac status JOB', [cliPath, 'status', ...dd, built.jobId]],
    ['bivouac status --json JOB', [cliPath, 'status', '--json', ...dd, built.jobId]],
    ['bivouac alloc status ID8', [cliPath, 'alloc', 'status', ...dd, built.allocId.slice(0, 8)]],
    ['bivouac alloc status --json ID', [cliPath, 'alloc', 'status', '--json', ...dd, built.allocId]],
  ]);
  results = {
    bench: 'status-cold',
    machine: machine(),
    db: { jobs: opts.jobs, allocs: opts.jobs * opts.allocs, taskEvents: opts.jobs * opts.allocs * 3 + opts.jobs, buildMs: round(built.buildMs) },
    runs: opts.runs,
    timings,
    triggers,
    targets: { ratioToNode: 1.3 },
  };
} finally {
  // BIVOUAC_BENCH_KEEP=1 keeps the database for profiling (`node --cpu-prof dist/bin/bivouac.cjs status --data-dir …`).
  if (process.env.BIVOUAC_BENCH_KEEP === '1') console.error(`kept ${dataDir}`);
  else rmSync(root, { recursive: true, force: true });
}

if (json) {
  process.stdout.write(JSON.stringify(results) + '\n');
} else {
  console.log(`cold CLI with ${results.db.allocs} allocations in the DB (${results.db.jobs} jobs; built in ${results.db.buildMs} ms), median of ${results.runs} rounds of interleaved spawns (${results.machine.node}, ${results.machine.cpus} cpus)`);
  const floor = results.timings[0];
  for (const t of results.timings) {
    console.log(
      `  ${t.label.padEnd(32)} median ${String(t.medianMs).padStart(6)} ms  ×${round(t.medianMs / floor.medianMs, 2)} node -e 0, p10 ${t.p10Ms} ×${round(t.p10Ms / floor.p10Ms, 2)}  (p90 ${t.p90Ms}, min ${t.minMs}; ${t.outBytes} bytes out; load ${t.load})`,
    );
  }
  console.log('  targets: status, status JOB, alloc status ≤ ×1.3 node -e 0 (same run, at the median and at p10)');
  if (results.triggers) {
    const t = results.triggers;
    console.log(`  job_list's triggers on the agent's writes (${opts['trigger-rounds']} builds each way, alternating; a job's transaction writes its version and ${opts.allocs} allocations, each with its task state, three events and two status changes): ${t.withMs} ms with vs ${t.withoutMs} ms without, ${t.perJobUs} µs a job's transaction`);
  }
}
