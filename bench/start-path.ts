/**
 * The task start path alone: from the allocation's row to the task's Started row, one drop
 * at a time beside --running jobs, with where the time goes (the agent's debug lines `task
 * start timing` and `shim spawned`), and a bare gated-shim spawn from this process as the floor.
 *   npm run build && node dist/bench/start-path.js [--json] [--drops 40] [--running 100] [--bare-spawns 60]
 *
 * "alloc → started" is task_states.started_at − allocs.create_time (the agent's Date.now()
 * at placement, just before the pass's commit, and when it wrote the Started row): the start
 * path as the agent runs it, without the pass that placed the allocation.
 */
import { bareShimSpawns } from './bare-shim.js';
import { sandbox } from '../test/helpers/agent.js';
import { cleanupSandbox, dropStaged, loadNow, machine, parseOptions, quantile, round, runAllStaged, sleepMs, startBenchAgent, waitFirstTaskRunning } from './agent-common.js';

const { json, opts } = parseOptions(process.argv.slice(2), { drops: 40, running: 100, 'bare-spawns': 60, 'timeout-ms': 30_000 });


const PHASES = ['totalMs', 'prepareMs', 'driverMs', 'recordMs', 'cgroupMs', 'spawnMs'] as const;
const phases = new Map<string, number[]>(PHASES.map((p) => [p, []]));
const allocToStarted: number[] = [];
const dropToStarted: number[] = [];
let measuring = false;

const sb = sandbox('bivouac-bench-start-');
const agent = startBenchAgent(sb, 'debug');
let rest = '';
agent.proc.stdout?.on('data', (d: Buffer) => {
  const lines = (rest + d.toString()).split('\n');
  rest = lines.pop() ?? '';
  if (!measuring) return;
  for (const l of lines) {
    if (!l.includes('"task start timing"') && !l.includes('"shim spawned"')) continue;
    const v = JSON.parse(l) as Record<string, unknown>;
    for (const p of PHASES) if (typeof v[p] === 'number') phases.get(p)?.push(v[p] as number);
  }
});
const loadBefore = loadNow();
try {
  const ids = Array.from({ length: opts.drops }, (_, i) => `drop-${String(i).padStart(4, '0')}`);
  const background = Array.from({ length: opts.running }, (_, i) => `bg-${String(i).padStart(4, '0')}`);
  const { db } = await runAllStaged(sb, agent, background, 300_000, ids);
  try {
    await sleepMs(1000);
    measuring = true;
    for (const id of ids) {
      const t0 = dropStaged(sb.jobsDir, id);
      const { alloc, startedAt } = await waitFirstTaskRunning(db, agent, id, opts['timeout-ms']);
      allocToStarted.push(startedAt - alloc.createTime);
      dropToStarted.push(startedAt - t0);
      // The debug lines of this start arrive on the pipe right after its row.
      await sleepMs(20);
    }
  } finally {
    db.close();
  }
} finally {
  await agent.stop('SIGTERM');
  cleanupSandbox(sb);
}
const bare = await bareShimSpawns(opts['bare-spawns']);

const p = (xs: readonly number[], q: number): number => round(quantile([...xs].sort((a, b) => a - b), q), 2);
const sum = (xs: readonly number[]) => ({ p50: p(xs, 0.5), p90: p(xs, 0.9), p99: p(xs, 0.99), n: xs.length });
const results = {
  bench: 'start-path',
  machine: machine(),
  loadBefore,
  loadAfter: loadNow(),
  backgroundJobs: opts.running,
  allocToStartedMs: sum(allocToStarted),
  dropToStartedMs: sum(dropToStarted),
  phases: Object.fromEntries([...phases].map(([k, v]) => [k, sum(v)])),
  bareShimSpawnMs: sum(bare),
  ratioAllocToStartedP50ToBare: round(quantile([...allocToStarted].sort((a, b) => a - b), 0.5) / quantile([...bare].sort((a, b) => a - b), 0.5), 2),
};
if (json) process.stdout.write(JSON.stringify(results) + '\n');
else {
  console.log(`start path, ${allocToStarted.length} drops one at a time beside ${opts.running} running jobs (load ${loadBefore} → ${results.loadAfter})`);
  const line = (name: string, s: { p50: number; p90: number; p99: number }): string => `  ${name.padEnd(18)} p50 ${s.p50} ms  p90 ${s.p90}  p99 ${s.p99}`;
  console.log(line('alloc → started', results.allocToStartedMs));
  console.log(line('drop → started', results.dropToStartedMs));
  for (const [k, v] of Object.entries(results.phases)) console.log(line(`  ${k}`, v));
  console.log(line('bare shim spawn', results.bareShimSpawnMs));
  console.log(`  alloc → started / bare spawn: ×${results.ratioAllocToStartedP50ToBare}`);
}
