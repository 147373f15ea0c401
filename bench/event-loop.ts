/**
 * The agent's event-loop delay while 1,000 job files arrive, and what a status request over
 * the agent's Unix socket waits meanwhile (issue 14: p99 ≤ 50 ms).
 *   npm run build && node dist/bench/event-loop.js [--json] [--jobs 1000] [--gap-ms 10]
 *
 * The delay is the agent's own: its `bivouac_event_loop_delay_seconds` gauge (perf_hooks'
 * monitorEventLoopDelay, 10 ms resolution), scraped over the socket once before the drop
 * (which starts the window) and once when every task runs. Meanwhile one client sends
 * GET /v1/jobs (what `nomad status` asks), a new connection each, one after another with
 * `gap-ms` between; its latency is compared with the same request on the idle agent before
 * the drop, in the same run. The files are staged and renamed in as thousand-jobs does.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { sandbox } from '../test/helpers/agent.js';
import {
  cleanupSandbox,
  countRunningAllocs,
  dropStaged,
  loadNow,
  machine,
  openStateReadonly,
  parseOptions,
  quantile,
  round,
  sleepMs,
  stageJobs,
  startBenchAgent,
} from './agent-common.js';

const { json, opts } = parseOptions(process.argv.slice(2), { jobs: 1000, 'gap-ms': 10, 'idle-requests': 50, 'timeout-ms': 300_000 });
const N = opts.jobs;

function get(socketPath: string, path: string): Promise<{ ms: number; status: number; body: string }> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, headers: { Connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ ms: performance.now() - t, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The agent's loop delay since the previous scrape, from its Prometheus text. */
async function scrapeLoopDelay(socketPath: string): Promise<{ p50Ms: number; p99Ms: number; maxMs: number }> {
  const r = await get(socketPath, '/v1/metrics?format=prometheus');
  if (r.status !== 200) throw new Error(`metrics: HTTP ${r.status}`);
  const q = (quantile: string): number => {
    const m = new RegExp(`^bivouac_event_loop_delay_seconds\\{quantile="${quantile.replace('.', '\\.')}"\\} (\\S+)$`, 'm').exec(r.body);
    if (!m) throw new Error(`no bivouac_event_loop_delay_seconds{quantile="${quantile}"} in the agent's metrics`);
    return round(Number(m[1]) * 1000, 2);
  };
  return { p50Ms: q('0.5'), p99Ms: q('0.99'), maxMs: q('1') };
}

const summary = (xs: number[]): { n: number; p50: number; p99: number; max: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: round(quantile(s, 0.5), 2), p99: round(quantile(s, 0.99), 2), max: round(s[s.length - 1] ?? NaN, 2) };
};

const sb = sandbox('bivouac-bench-loop-');
const agent = startBenchAgent(sb);
const socketPath = join(sb.dataDir, 'api.sock');
const loadBefore = loadNow();
let idle: number[] = [];
const during: number[] = [];
let idleDelay: { p50Ms: number; p99Ms: number; maxMs: number };
let burstDelay: { p50Ms: number; p99Ms: number; maxMs: number };
let allRunningMs = 0;
try {
  const ids = Array.from({ length: N }, (_, i) => `job-${String(i).padStart(5, '0')}`);
  stageJobs(sb.jobsDir, ids);
  await agent.waitForCount('agent started', 1, 30_000);
  await scrapeLoopDelay(socketPath);
  for (let i = 0; i < opts['idle-requests']; i++) {
    idle.push((await get(socketPath, '/v1/jobs')).ms);
    await sleepMs(opts['gap-ms']);
  }
  idleDelay = await scrapeLoopDelay(socketPath);
  let stop = false;
  const client = (async () => {
    while (!stop) {
      const r = await get(socketPath, '/v1/jobs');
      if (r.status !== 200) throw new Error(`GET /v1/jobs: HTTP ${r.status}`);
      during.push(r.ms);
      await sleepMs(opts['gap-ms']);
    }
  })();
  const db = openStateReadonly(sb.dataDir);
  try {
    const t0 = performance.now();
    for (const id of ids) dropStaged(sb.jobsDir, id);
    while (countRunningAllocs(db) < N) {
      if (performance.now() - t0 > opts['timeout-ms']) throw new Error(`only ${countRunningAllocs(db)} of ${N} running; problems: ${agent.problems().join(' | ')}`);
      await sleepMs(100);
    }
    allRunningMs = performance.now() - t0;
  } finally {
    db.close();
    stop = true;
    await client;
  }
  burstDelay = await scrapeLoopDelay(socketPath);
  idle = idle.sort((a, b) => a - b);
} finally {
  await agent.stop('SIGTERM');
  cleanupSandbox(sb);
}

const results = {
  bench: 'event-loop',
  machine: machine(),
  loadBefore,
  loadAfter: loadNow(),
  jobs: N,
  allRunningMs: round(allRunningMs),
  loopDelayDuringMs: burstDelay,
  loopDelayIdleMs: idleDelay,
  statusDuringMs: summary(during),
  statusIdleMs: summary(idle),
  targets: { loopDelayP99Ms: 50 },
};

if (json) {
  process.stdout.write(JSON.stringify(results) + '\n');
} else {
  const d = results.loopDelayDuringMs;
  const s = results.statusDuringMs;
  const i = results.statusIdleMs;
  console.log(`${N} job files dropped at once, the agent's event loop meanwhile (${results.machine.node}, ${results.machine.cpus} cpus, load ${loadBefore} → ${results.loadAfter})`);
  console.log(`  all running after ${results.allRunningMs} ms (seen by a 100 ms poll)`);
  console.log(`  event-loop delay: p50 ${d.p50Ms} ms  p99 ${d.p99Ms} ms  max ${d.maxMs} ms   target p99 ≤ 50 (idle before: p99 ${results.loopDelayIdleMs.p99Ms} ms)`);
  console.log(`  GET /v1/jobs over the socket: ${s.n} requests, p50 ${s.p50} ms  p99 ${s.p99} ms  max ${s.max} ms   (idle agent, same run: p50 ${i.p50} ms  p99 ${i.p99} ms)`);
}
