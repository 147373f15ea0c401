/**
 * exec vs raw_exec: what starting one task costs, through the drivers as the agent calls them.
 *   npm run build && node dist/bench/exec-start.js [--json] [--runs 40]
 *
 * Each round starts, in turn, a bare `spawn('/bin/sh')` (the floor: what any process start
 * costs here), a raw_exec task and an exec task, each `/bin/sh -c 'echo ready; exec sleep 600'`,
 * all in cgroups of a manager made for this run (as the agent does as root), and times:
 *   - call: startTask() called → returned (cgroup made and limited, chroot mount points made,
 *     the shim forked and released);
 *   - ready: startTask() called → "ready" in the task's stdout (for exec: namespaces made, binds,
 *     /proc and /dev mounted, chroot, user switched, the task's shell running).
 * Then each task is stopped and destroyed (not timed). Interleaving the three keeps a busy
 * machine's load on all of them alike. Figures only: nothing here asserts a timing.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExecDriver } from '../src/drivers/exec/index.js';
import { createRawExecDriver } from '../src/drivers/raw_exec/index.js';
import type { Driver, TaskConfig } from '../src/drivers/types.js';
import { silentLogger } from '../src/util/logger.js';
import { cleanupManager, testManager } from '../test/cgroups/helpers.js';
import { loadNow, machine, parseOptions, quantile, round, sleepMs } from './agent-common.js';

const { json, opts } = parseOptions(process.argv.slice(2), { runs: 40, 'timeout-ms': 20_000 });
const root = join(tmpdir(), `bivouac-bench-exec-${process.pid}`);
const SCRIPT = 'echo ready; exec sleep 600';

function cfg(kind: string, i: number): TaskConfig {
  const alloc = join(root, `${kind}-${i}`);
  const taskDir = join(alloc, 't');
  const dirs = { allocDir: join(alloc, 'alloc'), taskDir, localDir: join(taskDir, 'local'), secretsDir: join(taskDir, 'secrets'), tmpDir: join(taskDir, 'tmp') };
  for (const d of [dirs.allocDir, dirs.localDir, dirs.secretsDir, dirs.tmpDir]) mkdirSync(d, { recursive: true });
  return {
    id: `${kind}-${i}`,
    allocId: `bench-${process.pid}-${kind}-${i}`,
    jobId: 'bench',
    groupName: 'g',
    taskName: 't',
    driverConfig: { command: '/bin/sh', args: ['-c', SCRIPT] },
    env: { PATH: '/usr/bin:/bin' },
    user: '',
    resources: { cpu: 100, memoryMB: 64, memoryMaxMB: 0 },
    ports: [],
    dirs,
    stdoutPath: join(alloc, 'stdout'),
    stderrPath: join(alloc, 'stderr'),
  };
}

async function until(path: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      if (readFileSync(path, 'utf8').includes('ready')) return;
    } catch {
      // Not created yet.
    }
    if (Date.now() > deadline) throw new Error(`no "ready" in ${path}`);
    await sleepMs(1);
  }
}

async function timeDriver(d: Driver, c: TaskConfig): Promise<{ call: number; ready: number }> {
  const t0 = performance.now();
  const h = await d.startTask(c);
  const call = performance.now() - t0;
  await until(c.stdoutPath, Date.now() + opts['timeout-ms']);
  const ready = performance.now() - t0;
  await d.stopTask(h.taskId, 2000, 'SIGKILL');
  await d.destroyTask(h.taskId, true);
  return { call, ready };
}

async function timeBare(i: number): Promise<{ call: number; ready: number }> {
  const out = join(root, `bare-${i}.out`);
  const fd = openSync(out, 'a');
  const t0 = performance.now();
  const child = spawn('/bin/sh', ['-c', SCRIPT], { stdio: ['ignore', fd, 'ignore'], detached: true });
  const call = performance.now() - t0;
  closeSync(fd);
  await until(out, Date.now() + opts['timeout-ms']);
  const ready = performance.now() - t0;
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return { call, ready };
}

const cgroups = testManager('bench-exec');
const exec = createExecDriver({ log: silentLogger, isRoot: () => process.getuid?.() === 0, pollIntervalMs: 50, cgroups });
const raw = createRawExecDriver({ log: silentLogger, enabled: true, pollIntervalMs: 50, cgroups });
const fp = await exec.fingerprint();
if (!fp.healthy) {
  console.error(`exec is not available here: ${fp.message}`);
  process.exit(1);
}
mkdirSync(root, { recursive: true });
const samples = { bare: [] as { call: number; ready: number }[], raw_exec: [] as { call: number; ready: number }[], exec: [] as { call: number; ready: number }[] };
const loadBefore = loadNow();
try {
  for (let i = 0; i < opts.runs; i++) {
    samples.bare.push(await timeBare(i));
    samples.raw_exec.push(await timeDriver(raw, cfg('raw', i)));
    samples.exec.push(await timeDriver(exec, cfg('exec', i)));
  }
} finally {
  await cleanupManager(cgroups);
  rmSync(root, { recursive: true, force: true });
}

const stats = (xs: readonly number[]): { p50: number; p90: number; min: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: round(quantile(s, 0.5)), p90: round(quantile(s, 0.9)), min: round(s[0] ?? 0) };
};
const report = {
  machine: machine(),
  load: { before: loadBefore, after: loadNow() },
  runs: opts.runs,
  ms: Object.fromEntries(
    Object.entries(samples).map(([k, v]) => [k, { call: stats(v.map((x) => x.call)), ready: stats(v.map((x) => x.ready)) }]),
  ) as Record<keyof typeof samples, { call: ReturnType<typeof stats>; ready: ReturnType<typeof stats> }>,
};
const ratio = (a: number, b: number): number => round(a / b, 2);
const r = report.ms;
const ratios = {
  execOverRawExecReadyP50: ratio(r.exec.ready.p50, r.raw_exec.ready.p50),
  rawExecOverBareReadyP50: ratio(r.raw_exec.ready.p50, r.bare.ready.p50),
  execOverBareReadyP50: ratio(r.exec.ready.p50, r.bare.ready.p50),
};
if (json) {
  console.log(JSON.stringify({ ...report, ratios }, null, 2));
} else {
  console.log(`exec vs raw_exec start, ${opts.runs} runs each, interleaved (load ${report.load.before} → ${report.load.after})`);
  for (const [k, v] of Object.entries(r)) {
    console.log(`  ${k.padEnd(8)} startTask returned p50 ${v.call.p50} ms (p90 ${v.call.p90}); task ready p50 ${v.ready.p50} ms (p90 ${v.ready.p90}, min ${v.ready.min})`);
  }
  console.log(`  ready p50: exec / raw_exec ×${ratios.execOverRawExecReadyP50}; raw_exec / bare spawn ×${ratios.rawExecOverBareReadyP50}; exec / bare spawn ×${ratios.execOverBareReadyP50}`);
}
