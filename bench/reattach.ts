/**
 * Agent restart with N running tasks → all re-attached (issue 4), after a clean stop
 * (SIGTERM) and after a crash (SIGKILL).
 *   npx tsc -p . && node dist/bench/reattach.js [--json] [--tasks 1000] [--runs 3]
 *
 * Setup: an agent runs N raw_exec `sleep 600` jobs until every allocation is running. Then,
 * per run, the agent is stopped with SIGTERM (or killed with SIGKILL) and a new one spawned
 * on the same dirs. Walls from spawn() of the new agent to: the `recovered allocations`
 * line, the N-th `task re-attached` line, and the `agent started` line (after its first
 * full pass: list, parse and hash every job file, schedule). Each run checks that no task
 * was started anew (the count of task events is unchanged and every alloc still runs).
 */
import { sandbox } from '../test/helpers/agent.js';
import { countTaskEvents } from '../src/state/index.js';
import { cleanupSandbox, countRunningAllocs, loadNow, machine, median, parseOptions, round, rssMB, runAllStaged, startBenchAgent, type BenchAgent } from './agent-common.js';

const { json, opts } = parseOptions(process.argv.slice(2), { tasks: 1000, runs: 3, 'timeout-ms': 300_000 });
const N = opts.tasks;

interface Restart {
  readonly signal: 'SIGTERM' | 'SIGKILL';
  readonly stopMs: number;
  readonly recoveredMs: number;
  readonly reattachedMs: number;
  readonly startedMs: number;
  readonly peakRssMB: number;
  readonly load: string;
  readonly newEvents: number;
}

const sb = sandbox('bivouac-bench-reattach-');
let agent: BenchAgent = startBenchAgent(sb);
const restarts: Restart[] = [];
let setupMs = 0;
try {
  const ids = Array.from({ length: N }, (_, i) => `re-${String(i).padStart(5, '0')}`);
  const started = await runAllStaged(sb, agent, ids, opts['timeout-ms']);
  const db = started.db;
  try {
    setupMs = started.ms;

    for (let r = 0; r < opts.runs; r++) {
      for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
        const eventsBefore = countTaskEvents(db);
        const s0 = performance.now();
        await agent.stop(signal);
        const stopMs = performance.now() - s0;
        const load = loadNow();
        agent = startBenchAgent(sb);
        const recovered = await agent.waitForCount('recovered allocations', 1, opts['timeout-ms']);
        const reattached = await agent.waitForCount('task re-attached', N, opts['timeout-ms']);
        const started = await agent.waitForCount('agent started', 1, opts['timeout-ms']);
        const rss = rssMB(agent.pid);
        const running = countRunningAllocs(db);
        if (running < N) throw new Error(`after the ${signal} restart only ${running} of ${N} allocs run`);
        restarts.push({
          signal,
          stopMs,
          recoveredMs: recovered - agent.spawnedAt,
          reattachedMs: reattached - agent.spawnedAt,
          startedMs: started - agent.spawnedAt,
          peakRssMB: rss.hwmMB,
          load,
          newEvents: countTaskEvents(db) - eventsBefore,
        });
      }
    }
  } finally {
    db.close();
  }
} finally {
  await agent.stop('SIGTERM');
  cleanupSandbox(sb);
}

const summarise = (signal: 'SIGTERM' | 'SIGKILL') => {
  const rs = restarts.filter((r) => r.signal === signal);
  return {
    runs: rs.length,
    oldAgentExitMs: round(median(rs.map((r) => r.stopMs))),
    recoveredMs: round(median(rs.map((r) => r.recoveredMs))),
    allReattachedMs: round(median(rs.map((r) => r.reattachedMs))),
    agentStartedMs: round(median(rs.map((r) => r.startedMs))),
    allReattachedRunsMs: rs.map((r) => round(r.reattachedMs)),
    agentStartedRunsMs: rs.map((r) => round(r.startedMs)),
    peakRssMB: median(rs.map((r) => r.peakRssMB)),
    newTaskEvents: rs.map((r) => r.newEvents),
    loads: rs.map((r) => r.load),
  };
};
const results = {
  bench: 'reattach',
  machine: machine(),
  tasks: N,
  setupAllRunningMs: round(setupMs),
  sigterm: summarise('SIGTERM'),
  sigkill: summarise('SIGKILL'),
  targets: { reattachMs: 2000 },
};

if (json) {
  process.stdout.write(JSON.stringify(results) + '\n');
} else {
  console.log(`agent restart with ${N} running tasks (${results.machine.node}, ${results.machine.cpus} cpus; setup to all running ${results.setupAllRunningMs} ms)`);
  for (const k of ['sigterm', 'sigkill'] as const) {
    const s = results[k];
    console.log(
      `  ${k.toUpperCase()} restart, median of ${s.runs}: recovered line ${s.recoveredMs} ms, all ${N} re-attached ${s.allReattachedMs} ms (${s.allReattachedRunsMs.join(', ')}), ` +
        `agent started ${s.agentStartedMs} ms (${s.agentStartedRunsMs.join(', ')}); old agent exit ${s.oldAgentExitMs} ms; peak RSS ${s.peakRssMB} MB; new task events ${s.newTaskEvents.join(', ')}; load ${s.loads.join(' | ')}`,
    );
  }
  console.log('  target: all re-attached ≤ 2000 ms (walls from spawn() of the new agent)');
}
