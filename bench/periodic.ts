/**
 * Periodic launches at scale (issue 12): N periodic parents with a 1-second spec
 * (`* * * * * * *`, seconds first) under one agent; launch lag p50/p99 and agent CPU.
 *   npx tsc -p . && node dist/bench/periodic.js [--json] [--parents 100] [--seconds 20] [--no-tasks]
 *
 * Lag: a child's submit_time (the agent's Date.now() when it registered the child) minus
 * its launch time (the second in its ID, `<parent>/periodic-<unix seconds>`): the delay
 * between the spec time and the launch. Each child runs `/bin/true`, so the agent also
 * starts N tasks a second. CPU: the agent's utime+stime over the window, from
 * /proc/<pid>/stat. The floor is the same agent, same window, with the parents present
 * but disabled (`enabled = false`): what the launching itself adds is the difference.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox } from '../test/helpers/agent.js';
import { listChildrenRegistered } from '../src/state/index.js';
import { openStateReadonly, parseOptions, quantile, round, machine, loadNow, cleanupSandbox, sleepMs, startBenchAgent, rssMB } from './agent-common.js';

const argv = process.argv.slice(2);
/** `--no-tasks`: children use a driver this node lacks, so nothing is spawned: the launcher alone. */
const noTasks = argv.includes('--no-tasks');
const { json, opts } = parseOptions(argv.filter((a) => a !== '--no-tasks'), { parents: 100, seconds: 20 });
const driver = noTasks ? 'docker' : 'raw_exec';

function parentJob(id: string, enabled: boolean): string {
  return `job "${id}" {
  type = "batch"
  periodic {
    cron    = "* * * * * * *"
    enabled = ${enabled}
  }
  group "g" {
    ephemeral_disk {
      size = 10
    }
    task "t" {
      driver = "${driver}"
      config {
        command = "/bin/true"
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

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Run {
  readonly lags: number[];
  readonly cpuPct: number;
  readonly launches: number;
  readonly rss: { hwmMB: number; rssMB: number };
}

async function run(enabled: boolean): Promise<Run> {
  const sb = sandbox('bivouac-bench-periodic-');
  const agent = startBenchAgent(sb);
  try {
    await agent.waitForCount('agent started', 1, 30_000);
    for (let i = 0; i < opts.parents; i++) writeFileSync(join(sb.jobsDir, `p${String(i).padStart(3, '0')}.nomad`), parentJob(`p${String(i).padStart(3, '0')}`, enabled));
    await agent.waitForCount('job registered', opts.parents, 60_000);
    await sleepMs(2000);
    const start = Date.now();
    const cpu0 = cpuSeconds(agent.pid);
    await sleepMs(opts.seconds * 1000);
    const cpu1 = cpuSeconds(agent.pid);
    const end = Date.now();
    const db = openStateReadonly(sb.dataDir);
    const rows = listChildrenRegistered(db, start, end);
    db.close();
    const lags = rows.map((r) => r.submitTime - Number(/periodic-(\d+)$/.exec(r.id)?.[1]) * 1000).sort((a, b) => a - b);
    return { lags, cpuPct: ((cpu1 - cpu0) / ((end - start) / 1000)) * 100, launches: rows.length, rss: rssMB(agent.pid) };
  } finally {
    await agent.stop('SIGTERM');
    cleanupSandbox(sb);
  }
}

const loadBefore = loadNow();
const floor = await run(false);
const r = await run(true);
const expected = opts.parents * opts.seconds;
const out = {
  bench: 'periodic',
  parents: opts.parents,
  tasks: !noTasks,
  seconds: opts.seconds,
  launches: r.launches,
  expectedLaunches: expected,
  lagMs: { p50: quantile(r.lags, 0.5), p99: quantile(r.lags, 0.99), max: r.lags[r.lags.length - 1] ?? NaN },
  agentCpuPct: round(r.cpuPct),
  floorCpuPct: round(floor.cpuPct),
  cpuRatio: round(r.cpuPct / Math.max(floor.cpuPct, 0.1), 1),
  rssMB: r.rss,
  machine: machine(),
  load: { before: loadBefore, after: loadNow() },
};
if (json) console.log(JSON.stringify(out));
else {
  console.log(`periodic: ${opts.parents} parents × 1-second spec for ${opts.seconds} s → ${r.launches} launches (expected ~${expected})${noTasks ? ', children not placed (no task spawned)' : ', each child runs /bin/true'}`);
  console.log(`  launch lag: p50 ${out.lagMs.p50} ms, p99 ${out.lagMs.p99} ms, max ${out.lagMs.max} ms (target p99 ≤ 100 ms)`);
  console.log(`  agent CPU: ${out.agentCpuPct} % of a core (floor, parents disabled: ${out.floorCpuPct} %; ratio ${out.cpuRatio}×); RSS ${r.rss.rssMB} MB (peak ${r.rss.hwmMB} MB)`);
  console.log(`  machine: ${JSON.stringify(out.machine)}; load before ${loadBefore}, after ${out.load.after}`);
}
