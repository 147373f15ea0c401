/**
 * Idle agent with N running tasks (issue 9, issue 14): the agent's CPU, as % of one core,
 * and its RSS over a quiet window, stats sampler included (every task sampled every 5 s,
 * the latest samples written every 10 s), beside a floor measured in the same window: a
 * bare `node` process that only keeps a timer.
 *   npx tsc -p . && node dist/bench/idle.js [--json] [--tasks 100] [--window-s 60] [--runs 3]
 * Targets (issue 14): ≤ 1 % of one core and ≤ 100 MB RSS at 100 tasks; ≤ 160 MB RSS at 1,000.
 * Each window also splits the agent's RSS into anonymous memory (the JS heap, SQLite's
 * cache, buffers) and file-backed pages (node's binary, the addon), and notes its peak.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { sandbox } from '../test/helpers/agent.js';
import { listTaskStats, listLiveAllocs } from '../src/state/index.js';
import { cleanupSandbox, loadNow, machine, median, parseOptions, round, rssMB, runAllStaged, sleepMs, startBenchAgent } from './agent-common.js';

const { json, opts } = parseOptions(process.argv.slice(2), { tasks: 100, 'window-s': 60, runs: 3, 'timeout-ms': 300_000 });
const N = opts.tasks;
const TICK = 100; // USER_HZ

/** CPU time of each live thread of pid, ns (schedstat: finer than the ticks of /proc/<pid>/stat). */
function threadNs(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(Number(tid), Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** % of one core over secs: the main thread (tid = pid) and the others (API worker, V8's and libuv's helpers). */
function threadSplit(pid: number, before: Map<number, number>, secs: number): { readonly mainPct: number; readonly otherPct: number } {
  let main = 0;
  let other = 0;
  for (const [tid, ns] of threadNs(pid)) {
    const d = ns - (before.get(tid) ?? 0);
    if (tid === pid) main += d;
    else other += d;
  }
  const pct = (ns: number): number => round((ns / 1e9 / secs) * 100, 3);
  return { mainPct: pct(main), otherPct: pct(other) };
}

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

/** RssAnon / RssFile of /proc/<pid>/status and the peak (VmHWM), in MB. */
function rssSplit(pid: number): { readonly anonMB: number; readonly fileMB: number; readonly hwmMB: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (key: string): number => round(Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024);
  return { anonMB: mb('RssAnon'), fileMB: mb('RssFile'), hwmMB: mb('VmHWM') };
}

interface Window {
  readonly agentCpuPct: number;
  /** The agent's main thread and its other threads (schedstat), % of one core. */
  readonly agentThreads: ReturnType<typeof threadSplit>;
  readonly floorCpuPct: number;
  readonly agentRssMB: number;
  readonly agentRss: ReturnType<typeof rssSplit>;
  readonly floorRssMB: number;
  readonly load: string;
}

const sb = sandbox('bivouac-bench-idle-');
// BIVOUAC_BENCH_AGENT_NODE_ARGS: V8 flags for the agent under test (say --max-old-space-size=96,
// to tell live memory from a heap V8 lets grow between collections).
const agentNodeArgs = (process.env.BIVOUAC_BENCH_AGENT_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const agent = agentNodeArgs.length > 0 ? startBenchAgent(sb, 'info', agentNodeArgs) : startBenchAgent(sb);
const floor = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
const windows: Window[] = [];
let sampled = 0;
try {
  const ids = Array.from({ length: N }, (_, i) => `idle-${String(i).padStart(4, '0')}`);
  const { db } = await runAllStaged(sb, agent, ids, opts['timeout-ms']);
  try {
    // Settle: the start burst over, one stats write done.
    await sleepMs(15_000);
    for (let r = 0; r < opts.runs; r++) {
      const a0 = cpuTicks(agent.pid);
      const f0 = cpuTicks(floor.pid ?? 0);
      const t0 = threadNs(agent.pid);
      const w0 = performance.now();
      await sleepMs(opts['window-s'] * 1000);
      const secs = (performance.now() - w0) / 1000;
      windows.push({
        agentCpuPct: round(((cpuTicks(agent.pid) - a0) / TICK / secs) * 100, 2),
        agentThreads: threadSplit(agent.pid, t0, secs),
        floorCpuPct: round(((cpuTicks(floor.pid ?? 0) - f0) / TICK / secs) * 100, 2),
        agentRssMB: rssMB(agent.pid).rssMB,
        agentRss: rssSplit(agent.pid),
        floorRssMB: rssMB(floor.pid ?? 0).rssMB,
        load: loadNow(),
      });
    }
    sampled = listLiveAllocs(db).filter((a) => listTaskStats(db, a.id).length > 0).length;
  } finally {
    db.close();
  }
} finally {
  floor.kill('SIGKILL');
  await agent.stop('SIGTERM');
  cleanupSandbox(sb);
}

const cpu = median(windows.map((w) => w.agentCpuPct));
const rss = median(windows.map((w) => w.agentRssMB));
const report = {
  tasks: N,
  windowS: opts['window-s'],
  runs: windows,
  medianAgentCpuPctOfOneCore: cpu,
  medianMainThreadPct: median(windows.map((w) => w.agentThreads.mainPct)),
  medianOtherThreadsPct: median(windows.map((w) => w.agentThreads.otherPct)),
  medianFloorCpuPct: median(windows.map((w) => w.floorCpuPct)),
  medianAgentRssMB: rss,
  medianFloorRssMB: median(windows.map((w) => w.floorRssMB)),
  rssRatioToFloor: round(rss / median(windows.map((w) => w.floorRssMB)), 2),
  allocsWithStoredStats: sampled,
  targets: { cpuPct: 1, rssMB: N >= 1000 ? 160 : 100 },
  machine: machine(),
};
if (json) console.log(JSON.stringify(report, null, 2));
else {
  for (const w of windows) {
    console.log(`window: agent ${w.agentCpuPct}% of one core (main thread ${w.agentThreads.mainPct}%, other threads ${w.agentThreads.otherPct}%), ${w.agentRssMB} MB RSS (anon ${w.agentRss.anonMB}, file ${w.agentRss.fileMB}; peak ${w.agentRss.hwmMB}); floor (bare node) ${w.floorCpuPct}%, ${w.floorRssMB} MB; load ${w.load}`);
  }
  console.log(`idle agent with ${N} running tasks (stats sampler on, ${sampled}/${N} allocations with stored stats): CPU ${cpu}% of one core (target ≤ 1%; main thread ${report.medianMainThreadPct}%, other threads ${report.medianOtherThreadsPct}%), RSS ${rss} MB (target ≤ ${report.targets.rssMB} MB, ${report.rssRatioToFloor}× a bare node)`);
}
