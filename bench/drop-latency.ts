/**
 * File dropped → task running, one drop at a time, p50/p99 over N drops beside --running
 * jobs already running, and its ratio to a bare spawn of the same shim (issue 14).
 *   npm run build && node dist/bench/drop-latency.js [--json] [--drops 200] [--running 200] [--bare-spawns 100]
 *
 * Each drop renames a new raw_exec job file (`sleep 600`, tiny resources) from a hidden
 * staging dir into the jobs dir of a running agent. The latency is the task state row's
 * `started_at` (the agent's Date.now() when it wrote the handle and the Started event)
 * minus Date.now() read just before the rename: two ms clocks on the same host. The
 * benchmark also polls the DB read-only every ~1 ms and reports when it saw `running`
 * (an upper bound that includes the poll). Jobs accumulate: drop k lands beside k-1
 * running jobs, so the late drops also show how a pass grows with the number of jobs.
 */
import { bareShimSpawns } from './bare-shim.js';
import { sandbox } from '../test/helpers/agent.js';
import {
  cleanupSandbox,
  dropStaged,
  loadNow,
  machine,
  median,
  parseOptions,
  quantile,
  round,
  runAllStaged,
  sleepMs,
  startBenchAgent,
  waitFirstTaskRunning,
} from './agent-common.js';

const { json, opts } = parseOptions(process.argv.slice(2), { drops: 200, running: 200, 'bare-spawns': 100, 'timeout-ms': 30_000 });
const N = opts.drops;


interface Sample {
  readonly stampMs: number;
  readonly observedMs: number;
}

const sb = sandbox('bivouac-bench-drop-');
const agent = startBenchAgent(sb);
const samples: Sample[] = [];
const loadBefore = loadNow();
try {
  const ids = Array.from({ length: N }, (_, i) => `drop-${String(i).padStart(4, '0')}`);
  const background = Array.from({ length: opts.running }, (_, i) => `bg-${String(i).padStart(4, '0')}`);
  // The jobs already running beside every measured drop.
  const { db } = await runAllStaged(sb, agent, background, 300_000, ids);
  try {
    await sleepMs(1000);
    for (const id of ids) {
      const perf0 = performance.now();
      const t0 = dropStaged(sb.jobsDir, id);
      const { startedAt } = await waitFirstTaskRunning(db, agent, id, opts['timeout-ms']);
      samples.push({ stampMs: startedAt - t0, observedMs: performance.now() - perf0 });
    }
  } finally {
    db.close();
  }
} finally {
  await agent.stop('SIGTERM');
  cleanupSandbox(sb);
}

const bare = await bareShimSpawns(opts['bare-spawns']);
const stamp = samples.map((s) => s.stampMs).sort((a, b) => a - b);
const observed = samples.map((s) => s.observedMs).sort((a, b) => a - b);
const summary = (xs: readonly number[]): { p50: number; p90: number; p99: number; max: number; min: number } => ({
  min: round(xs[0]),
  p50: round(quantile(xs, 0.5)),
  p90: round(quantile(xs, 0.9)),
  p99: round(quantile(xs, 0.99)),
  max: round(xs[xs.length - 1]),
});
const tenth = Math.max(1, Math.floor(N / 10));
const results = {
  bench: 'drop-latency',
  machine: machine(),
  loadBefore,
  loadAfter: loadNow(),
  drops: samples.length,
  method: 'task_states.started_at − Date.now() before rename (ms clocks, same host); observed = read-only DB poll at ~1 ms',
  startedAtMinusDrop: summary(stamp),
  observedByPoll: summary(observed),
  firstTenthP50Ms: round(median(samples.slice(0, tenth).map((s) => s.stampMs))),
  lastTenthP50Ms: round(median(samples.slice(-tenth).map((s) => s.stampMs))),
  backgroundJobs: opts.running,
  bareShimSpawn: summary(bare),
  ratioP50ToBare: round(quantile(stamp, 0.5) / quantile(bare, 0.5), 2),
  targets: { p50Ms: 15, p99Ms: 50, ratioP50ToBare: 3 },
};

if (json) {
  process.stdout.write(JSON.stringify(results) + '\n');
} else {
  const s = results.startedAtMinusDrop;
  const o = results.observedByPoll;
  const b = results.bareShimSpawn;
  console.log(`drop → running, ${results.drops} drops, one at a time, beside ${results.backgroundJobs} running jobs and the drops before (${results.machine.node}, ${results.machine.cpus} cpus, load ${loadBefore} → ${results.loadAfter})`);
  console.log(`  started_at − drop:  p50 ${s.p50} ms  p90 ${s.p90} ms  p99 ${s.p99} ms  (min ${s.min}, max ${s.max})   targets p50 ≤ 15, p99 ≤ 50`);
  console.log(`  bare shim spawn:    p50 ${b.p50} ms  p99 ${b.p99} ms (this process, same run)   ratio p50 ${results.ratioP50ToBare}× (target ≤ 3×)`);
  console.log(`  seen by DB poll:    p50 ${o.p50} ms  p90 ${o.p90} ms  p99 ${o.p99} ms  (min ${o.min}, max ${o.max})`);
  console.log(`  p50 of the first ${tenth} drops ${results.firstTenthP50Ms} ms, of the last ${tenth} ${results.lastTenthP50Ms} ms`);
}
