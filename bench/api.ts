/**
 * The HTTP API under load (issue 13): GET /v1/jobs with 1,000 jobs and GET /v1/allocation/:id
 * with 10,000 allocations, p50/p99 latency and requests/s, while the agent runs 100 tasks;
 * and the agent's reconcile pass latency with and without that load.
 *   npx tsc -p . && node dist/bench/api.js [--json] [--running 100] [--jobs 1000] [--allocs 10000] [--requests 200] [--seconds 5] [--clients 4] [--windows 3]
 *
 * Setup: the state is seeded before the agent starts with (jobs − running) finished batch
 * jobs holding `allocs` complete allocations (3 task events each) through the state module;
 * their files are absent, so the agent keeps them as stopped jobs. `running` raw_exec sleep
 * jobs are real files the agent runs. The agent rescans every 200 ms so passes are many.
 * Floors in the same run: GET /v1/agent/health (no state read: the API's HTTP round trip and
 * its thread), and a bare Node http server in a process of its own answering `{}` (Node's
 * HTTP round trip alone).
 * Answers to state queries are cached by URL while the state index stands still, so the
 * repeated GET /v1/jobs mostly measures a hit; "uncached" varies the query string to build
 * the list every time. Each GET /v1/allocation/:id asks a different allocation (a miss).
 * Latency: one client, a new connection per request (as Nomad's CLI does), `requests` each.
 * Throughput: `clients` concurrent clients for `seconds`. Pass latency: the agent's own
 * bivouac_reconcile_pass_seconds histogram (mean over a window), in `windows` alternating
 * pairs of a quiet window and a loaded one (`clients` clients asking uncached job lists and
 * allocations, the heaviest reads), after the start burst has settled.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { sandbox } from '../test/helpers/agent.js';
import { parseJobFile, canonicalHash } from '../src/jobspec/index.js';
import { appendTaskEvent, insertAlloc, markDead, openState, closeState, putJobVersion, setAllocClientStatus, setJobStopped, tx } from '../src/state/index.js';
import { cleanupSandbox, cliPath, loadNow, machine, parseOptions, quantile, round, rssMB, sleepJob, sleepMs } from './agent-common.js';

const { json, opts } = parseOptions(process.argv.slice(2), { running: 100, jobs: 1000, allocs: 10_000, requests: 200, seconds: 5, clients: 4, windows: 3 });

function get(addr: string, path: string, keepAlive = false): Promise<{ ms: number; status: number; bytes: number }> {
  const [host, port] = addr.split(':');
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, headers: keepAlive ? {} : { Connection: 'close' } }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ ms: performance.now() - t, status: res.statusCode ?? 0, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function seed(dataDir: string): Promise<string[]> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = openState(join(dataDir, 'state.db'));
  const parsed = await parseJobFile('seed.nomad', sleepJob('seed').replace('type = "service"', 'type = "batch"'));
  if (!parsed.job) throw new Error('seed job does not parse');
  const seeded = opts.jobs - opts.running;
  const perJob = Math.ceil(opts.allocs / seeded);
  const ids: string[] = [];
  const now = Date.now();
  tx(db, () => {
    for (let j = 0; j < seeded; j++) {
      const job = { ...parsed.job!, id: `seed-${j}`, name: `seed-${j}` };
      putJobVersion(db, job, canonicalHash(job), `seed-${j}.nomad`, now);
      setJobStopped(db, job.id, now);
      for (let i = 0; i < perJob && ids.length < opts.allocs; i++) {
        const id = randomUUID();
        insertAlloc(db, { id, jobId: job.id, jobVersion: 0, taskGroup: 'g', index: i, name: `${job.id}.g[${i}]`, resources: { cpu: 1, memoryMB: 10, diskMB: 10 }, ports: [], tasks: [{ name: 'sleep', driver: 'raw_exec' }] }, now);
        appendTaskEvent(db, id, 'sleep', now, 'Received', 'Task received by client');
        appendTaskEvent(db, id, 'sleep', now, 'Started', 'Task started by client');
        appendTaskEvent(db, id, 'sleep', now, 'Terminated', 'Exit Code: 0', { exitCode: 0, signal: 0, oomKilled: false });
        markDead(db, id, 'sleep', false, now);
        setAllocClientStatus(db, id, 'complete', 'All tasks have completed', now);
        ids.push(id);
      }
    }
  });
  closeState(db);
  return ids;
}

async function passMean(addr: string): Promise<{ sum: number; count: number }> {
  const r = await new Promise<string>((resolve, reject) => {
    const [host, port] = addr.split(':');
    request({ host, port: Number(port), path: '/v1/metrics?format=prometheus' }, (res) => {
      let s = '';
      res.on('data', (d: Buffer) => (s += d.toString()));
      res.on('end', () => resolve(s));
    }).on('error', reject).end();
  });
  const sum = Number(/^bivouac_reconcile_pass_seconds_sum ([\d.e+-]+)$/m.exec(r)?.[1] ?? NaN);
  const count = Number(/^bivouac_reconcile_pass_seconds_count (\d+)$/m.exec(r)?.[1] ?? NaN);
  return { sum, count };
}

async function latency(addr: string, paths: () => string): Promise<{ p50: number; p99: number; max: number; bytes: number }> {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < opts.requests; i++) {
    const r = await get(addr, paths());
    if (r.status !== 200) throw new Error(`status ${r.status}`);
    ms.push(r.ms);
    bytes = r.bytes;
  }
  ms.sort((a, b) => a - b);
  return { p50: round(quantile(ms, 0.5), 2), p99: round(quantile(ms, 0.99), 2), max: round(ms[ms.length - 1], 2), bytes };
}

async function throughput(addr: string, paths: () => string): Promise<number> {
  const end = performance.now() + opts.seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: opts.clients }, async () => {
      while (performance.now() < end) {
        await get(addr, paths(), true);
        n++;
      }
    }),
  );
  return round(n / opts.seconds, 0);
}

/** A bare Node http server answering `{}` to everything, in a process of its own: the floor under any Node HTTP API. */
async function bareServer(): Promise<{ addr: string; stop: () => void }> {
  const code = "require('http').createServer((q, s) => { s.setHeader('Content-Type', 'application/json'); s.end('{}'); }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });";
  const p = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    p.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim()));
    p.once('exit', () => reject(new Error('the bare server exited')));
  });
  return { addr: `127.0.0.1:${port}`, stop: () => p.kill('SIGKILL') };
}

async function main(): Promise<void> {
  const sb = sandbox('bivouac-bench-api-');
  const allocIds = await seed(sb.dataDir);
  writeFileSync(join(sb.root, 'agent.hcl'), 'bivouac {\n  rescan_interval = "200ms"\n}\n');
  for (let i = 0; i < opts.running; i++) writeFileSync(join(sb.jobsDir, `run-${i}.nomad`), sleepJob(`run-${i}`));
  const proc = spawn(process.execPath, [cliPath, 'agent', '--jobs', sb.jobsDir, '--data-dir', sb.dataDir, '--enable-raw-exec', '--config', join(sb.root, 'agent.hcl'), '--http', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-100_000)));
  // Stopped from outside (a timeout, ^C): the agent, its tasks and the sandbox still go.
  const abandon = (): void => {
    proc.kill('SIGTERM');
    proc.once('exit', () => {
      cleanupSandbox(sb);
      process.exit(130);
    });
  };
  process.once('SIGTERM', abandon);
  process.once('SIGINT', abandon);
  try {
    let addr = '';
    for (let i = 0; i < 1200 && addr === ''; i++) {
      addr = /"http":"(127\.0\.0\.1:\d+)"[^\n]*"msg":"HTTP API serving"/.exec(out)?.[1] ?? '';
      await sleepMs(100);
    }
    if (addr === '') throw new Error(`the API did not come up:\n${out.slice(-2000)}`);
    for (let i = 0; i < 1200; i++) {
      const r = await get(addr, '/v1/metrics?format=prometheus');
      if (r.status === 200) {
        const body = await new Promise<string>((resolve) => {
          const [host, port] = addr.split(':');
          request({ host, port: Number(port), path: '/v1/metrics?format=prometheus' }, (res) => {
            let s = '';
            res.on('data', (d: Buffer) => (s += d.toString()));
            res.on('end', () => resolve(s));
          }).end();
        });
        const running = Number(/^nomad_client_allocations_running\{[^}]*\} (\d+)$/m.exec(body)?.[1] ?? 0);
        if (running >= opts.running) break;
      }
      await sleepMs(250);
    }
    const rssBefore = rssMB(proc.pid ?? 0).rssMB;
    let k = 0;
    const alloc = (): string => `/v1/allocation/${allocIds[k++ % allocIds.length]}`;
    const bare = await bareServer();
    const bareLat = await latency(bare.addr, () => '/');
    const bareRps = await throughput(bare.addr, () => '/');
    bare.stop();
    const floor = await latency(addr, () => '/v1/agent/health');
    const jobsLat = await latency(addr, () => '/v1/jobs');
    // A distinct query string each time misses the answer cache: the cost of building the list.
    let miss = 0;
    const jobsCold = await latency(addr, () => `/v1/jobs?stale&bench=${miss++}`);
    const allocLat = await latency(addr, alloc);
    const jobsRps = await throughput(addr, () => '/v1/jobs');
    const allocRps = await throughput(addr, alloc);
    const floorRps = await throughput(addr, () => '/v1/agent/health');
    // Pass latency: quiet and loaded windows in turn, so drift of the machine's load hits both.
    let turn = 0;
    const passes = { idle: { sum: 0, count: 0 }, loaded: { sum: 0, count: 0 } };
    const window = async (into: { sum: number; count: number }, load: boolean): Promise<void> => {
      const a = await passMean(addr);
      if (load) await throughput(addr, () => (turn++ % 2 === 0 ? `/v1/jobs?stale&bench=${miss++}` : alloc()));
      else await sleepMs(opts.seconds * 1000);
      const b = await passMean(addr);
      into.sum += b.sum - a.sum;
      into.count += b.count - a.count;
    };
    for (let w = 0; w < opts.windows; w++) {
      await window(passes.idle, false);
      await window(passes.loaded, true);
    }
    // The agent's memory after the load, once its thread's garbage has had a quiet moment.
    await sleepMs(opts.seconds * 1000);
    const rss = { beforeLoad: rssBefore, afterLoad: rssMB(proc.pid ?? 0).rssMB, peak: rssMB(proc.pid ?? 0).hwmMB };
    const mean = (x: { sum: number; count: number }): number => round((x.sum / Math.max(1, x.count)) * 1000, 2);
    const passIdle = mean(passes.idle);
    const passLoaded = mean(passes.loaded);
    const idle0 = { count: 0 };
    const idle1 = passes.idle;
    const load0 = { count: 0 };
    const load1 = passes.loaded;
    const result = {
      machine: machine(),
      load: loadNow(),
      setup: { jobs: opts.jobs, allocs: allocIds.length, runningTasks: opts.running, clients: opts.clients },
      floorBareNode: { ...bareLat, rps: bareRps },
      floorHealth: { ...floor, rps: floorRps },
      getJobs: { ...jobsLat, rps: jobsRps, p99OverFloor: round(jobsLat.p99 / floor.p99, 1), p99OverBareNode: round(jobsLat.p99 / bareLat.p99, 1) },
      getJobsUncached: jobsCold,
      getAllocation: { ...allocLat, rps: allocRps, p99OverFloor: round(allocLat.p99 / floor.p99, 1), p99OverBareNode: round(allocLat.p99 / bareLat.p99, 1) },
      agentRssMB: rss,
      reconcilePassMs: { idle: passIdle, underApiLoad: passLoaded, ratio: round(passLoaded / passIdle, 2), passesIdle: idle1.count - idle0.count, passesLoaded: load1.count - load0.count },
    };
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      const p = (name: string, r: { p50: number; p99: number; max: number; rps: number; bytes: number }): string =>
        `${name.padEnd(28)} p50 ${r.p50} ms  p99 ${r.p99} ms  max ${r.max} ms  ${r.rps} req/s (${opts.clients} clients)  ${r.bytes} B`;
      process.stdout.write(
        [
          `machine: ${JSON.stringify(result.machine)}  load: ${result.load}`,
          `setup: ${opts.jobs} jobs, ${allocIds.length} allocations, ${opts.running} running tasks`,
          p('bare node http (floor)', result.floorBareNode),
          p('GET /v1/agent/health (floor)', result.floorHealth),
          `${p('GET /v1/jobs', result.getJobs)}  p99/floor ${result.getJobs.p99OverFloor}, /bare ${result.getJobs.p99OverBareNode}`,
          `${'GET /v1/jobs, uncached'.padEnd(28)} p50 ${jobsCold.p50} ms  p99 ${jobsCold.p99} ms  max ${jobsCold.max} ms`,
          `${p('GET /v1/allocation/:id', result.getAllocation)}  p99/floor ${result.getAllocation.p99OverFloor}, /bare ${result.getAllocation.p99OverBareNode}`,
          `agent RSS: ${rss.beforeLoad} MB with ${opts.running} tasks before the load, ${rss.afterLoad} MB after it, peak ${rss.peak} MB`,
          `reconcile pass mean: idle ${passIdle} ms (${result.reconcilePassMs.passesIdle} passes), under API load ${passLoaded} ms (${result.reconcilePassMs.passesLoaded} passes), ratio ${result.reconcilePassMs.ratio}`,
          '',
        ].join('\n'),
      );
    }
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    if (process.env.BIVOUAC_BENCH_KEEP) process.stderr.write(`kept ${sb.root}\n`);
    else cleanupSandbox(sb);
  }
}

await main();
