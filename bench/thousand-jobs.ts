/**
 * N job files dropped at once → all N tasks running (issue 4), next to a bare loop that
 * spawns the same N processes from this node process.
 *   npx tsc -p . && node dist/bench/thousand-jobs.js [--json] [--jobs 1000] [--bare-runs 3]
 *
 * Agent: N raw_exec `sleep 600` job files are staged in a hidden dir inside the jobs dir,
 * then renamed in one tight loop into a running agent's jobs dir. Wall = the latest task
 * `started_at` (agent's Date.now() when the handle was written) − Date.now() before the
 * first rename; completion is seen by polling the DB read-only every 100 ms, which also
 * times the phases (all jobs registered, all allocs placed). Peak RSS = VmHWM of the
 * agent process at the end.
 * Bare loop: N × spawn('/bin/sh', ['-c', 'exec sleep 600'], { detached: true }) until each
 * has emitted 'spawn'; median over --bare-runs.
 * Layout floor (bench/layout-floor.ts): the bare loop plus what each allocation requires of
 * the file system and cgroups (the alloc tree from a spare, the task's cgroups, its log
 * files, the gated exit-status shim joined to them and released), from this process, and
 * split over --workers small processes (both cores: the best case); median over --floor-runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { layoutLoop, layoutOnWorkers } from './layout-floor.js';
import { sandbox } from '../test/helpers/agent.js';
import { listJobs, listLiveAllocs } from '../src/state/index.js';
import {
  cleanupSandbox,
  countRunningAllocs,
  dropStaged,
  lastStartedAt,
  loadNow,
  machine,
  median,
  openStateReadonly,
  parseOptions,
  round,
  rssMB,
  sleepMs,
  stageJobs,
  startBenchAgent,
} from './agent-common.js';

const { json, opts } = parseOptions(process.argv.slice(2), { jobs: 1000, 'bare-runs': 3, 'floor-runs': 2, workers: 2, 'timeout-ms': 300_000 });
const N = opts.jobs;

async function agentRun(): Promise<{
  wallMs: number;
  dropLoopMs: number;
  registeredMs: number | null;
  placedMs: number | null;
  observedAllRunningMs: number;
  peakRssMB: number;
  rssAtEndMB: number;
  load: string;
}> {
  const sb = sandbox('bivouac-bench-1k-');
  const agent = startBenchAgent(sb);
  const load = loadNow();
  try {
    const ids = Array.from({ length: N }, (_, i) => `job-${String(i).padStart(5, '0')}`);
    stageJobs(sb.jobsDir, ids);
    await agent.waitForCount('agent started', 1, 30_000);
    const db = openStateReadonly(sb.dataDir);
    try {
      const perf0 = performance.now();
      let t0 = 0;
      for (const id of ids) {
        const t = dropStaged(sb.jobsDir, id);
        if (t0 === 0) t0 = t;
      }
      const dropLoopMs = performance.now() - perf0;
      let registeredMs: number | null = null;
      let placedMs: number | null = null;
      const deadline = perf0 + opts['timeout-ms'];
      for (;;) {
        if (registeredMs === null && listJobs(db).length >= N) registeredMs = performance.now() - perf0;
        if (placedMs === null && listLiveAllocs(db).length >= N) placedMs = performance.now() - perf0;
        if (countRunningAllocs(db) >= N) break;
        if (performance.now() > deadline) throw new Error(`only ${countRunningAllocs(db)} of ${N} running after ${opts['timeout-ms']} ms; problems: ${agent.problems().join(' | ')}`);
        await sleepMs(100);
      }
      const observedAllRunningMs = performance.now() - perf0;
      const last = lastStartedAt(db);
      if (last.n < N) throw new Error(`${last.n} task states running of ${N}`);
      const rss = rssMB(agent.pid);
      return { wallMs: last.max - t0, dropLoopMs, registeredMs, placedMs, observedAllRunningMs, peakRssMB: rss.hwmMB, rssAtEndMB: rss.rssMB, load };
    } finally {
      db.close();
    }
  } finally {
    await agent.stop('SIGTERM');
    cleanupSandbox(sb);
  }
}

async function bareRun(): Promise<number> {
  const children: ChildProcess[] = [];
  const t0 = performance.now();
  const spawned: Promise<void>[] = [];
  for (let i = 0; i < N; i++) {
    const c = spawn('/bin/sh', ['-c', 'exec sleep 600'], { detached: true, stdio: 'ignore' });
    children.push(c);
    spawned.push(new Promise((resolve, reject) => {
      c.once('spawn', () => resolve());
      c.once('error', reject);
    }));
  }
  await Promise.all(spawned);
  const wall = performance.now() - t0;
  for (const c of children) {
    if (c.pid !== undefined) {
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {
        // Its group is already gone.
      }
    }
  }
  await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)))));
  return wall;
}

const a = await agentRun();
const bareWalls: number[] = [];
for (let i = 0; i < opts['bare-runs']; i++) bareWalls.push(await bareRun());
const bareMs = median(bareWalls);
const layoutWalls: number[] = [];
const workerWalls: number[] = [];
const layoutSteps: Record<string, number>[] = [];
for (let i = 0; i < opts['floor-runs']; i++) {
  const r = await layoutLoop(N);
  layoutWalls.push(r.wallMs);
  layoutSteps.push({ ...r.stepsMs });
  workerWalls.push(await layoutOnWorkers(N, opts.workers, opts['timeout-ms']));
}
const layoutMs = median(layoutWalls);
const workersMs = median(workerWalls);

const results = {
  bench: 'thousand-jobs',
  machine: machine(),
  jobs: N,
  agent: {
    wallMs: round(a.wallMs),
    observedAllRunningMs: round(a.observedAllRunningMs),
    dropLoopMs: round(a.dropLoopMs),
    allRegisteredMs: a.registeredMs === null ? null : round(a.registeredMs),
    allPlacedMs: a.placedMs === null ? null : round(a.placedMs),
    peakRssMB: a.peakRssMB,
    rssAtEndMB: a.rssAtEndMB,
    loadAtStart: a.load,
  },
  bareLoop: { medianMs: round(bareMs), runsMs: bareWalls.map((x) => round(x)) },
  ratio: round(a.wallMs / bareMs, 2),
  layoutFloor: {
    method: 'bare loop + per-allocation alloc tree (spare), task cgroups, log files, gated shim joined and released (bench/task-layout.ts)',
    oneProcess: {
      medianMs: round(layoutMs),
      runsMs: layoutWalls.map((x) => round(x)),
      /** Per step, the ms summed over the N starts, for each run (allocTree: mostly waiting for a spare tree). */
      stepsMsPerRun: layoutSteps.map((st) => Object.fromEntries(Object.entries(st).map(([k, v]) => [k, round(v)]))),
    },
    workers: { count: opts.workers, medianMs: round(workersMs), runsMs: workerWalls.map((x) => round(x)) },
  },
  ratioToLayoutFloor: round(a.wallMs / layoutMs, 2),
  ratioToLayoutFloorOnWorkers: round(a.wallMs / workersMs, 2),
  layoutFloorToBare: round(layoutMs / bareMs, 2),
  layoutFloorOnWorkersToBare: round(workersMs / bareMs, 2),
  loadAfter: loadNow(),
  targets: { ratio: 1.25 },
};

if (json) {
  process.stdout.write(JSON.stringify(results) + '\n');
} else {
  const g = results.agent;
  console.log(`${N} job files dropped at once → all running (${results.machine.node}, ${results.machine.cpus} cpus, load ${g.loadAtStart} → ${results.loadAfter})`);
  console.log(`  agent: ${g.wallMs} ms to the last task started (seen by poll at ${g.observedAllRunningMs} ms; renames took ${g.dropLoopMs} ms)`);
  console.log(`         phases seen by poll: all jobs registered ${g.allRegisteredMs} ms, all allocs placed ${g.allPlacedMs} ms`);
  console.log(`         peak RSS (VmHWM) ${g.peakRssMB} MB, RSS at end ${g.rssAtEndMB} MB`);
  console.log(`  bare loop, ${N} × spawn sh -c 'exec sleep 600': median ${results.bareLoop.medianMs} ms (${results.bareLoop.runsMs.join(', ')})`);
  console.log(`  agent / bare loop: ${results.ratio}×   target ≤ 1.25× (issue 14)`);
  const l = results.layoutFloor;
  console.log(`  layout floor (bare loop + alloc tree, cgroups, logs, gated shim joined): one process ${l.oneProcess.medianMs} ms (${l.oneProcess.runsMs.join(', ')}), ${l.workers.count} processes ${l.workers.medianMs} ms (${l.workers.runsMs.join(', ')})`);
  console.log(`         one-process steps summed over the ${N} starts (ms): ${Object.entries(l.oneProcess.stepsMsPerRun[0] ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  layout floor / bare loop: ${results.layoutFloorToBare}× (one process), ${results.layoutFloorOnWorkersToBare}× (${l.workers.count} processes)   agent / layout floor: ${results.ratioToLayoutFloor}× (one process), ${results.ratioToLayoutFloorOnWorkers}× (${l.workers.count} processes)`);
}
