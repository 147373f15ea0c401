/**
 * rkt: job file dropped → pod running through the rkt stand-in, p50/p99 over N drops.
 *   npx tsc -p . && node dist/bench/rkt.js [--json] [--runs 50]
 *
 * One agent (`--rkt-path` the stand-in, `bivouac { rkt_dir }` a temp dir) runs throughout.
 * Each run renames a new job file (example.com/sh:1.0, `/bin/sh -c 'exec sleep 600'`) from a
 * hidden staging dir into the jobs dir, then:
 *   - startedAt: the task state row's `started_at` (the agent's Date.now() when it wrote the
 *     pod's handle and the Started event, i.e. after trust/prepare returned the UUID and
 *     `rkt run-prepared` was spawned) minus Date.now() read just before the rename;
 *   - seenRunning: when a read-only DB poll (~1 ms) first saw the task `running`;
 *   - podRunning: when the stand-in's own pod record (`<dir>/pods/<uuid>/pod.json`, read
 *     directly, ~1 ms poll) first said `running`, i.e. run-prepared had started the app.
 * Then the job file is removed and the run waits until the alloc is complete and the pod
 * is `rkt rm`'d (timed too, as stopToRemoved), so every drop lands on an idle agent.
 *
 * The floor, measured in the same run, alternating with the drops: the bare calls the driver
 * makes, by the same path (the stand-in's wrapper) and with the same argument vectors
 * (src/drivers/rkt/args.ts): `rkt prepare` (its stdout is the UUID), then `rkt run-prepared`
 * spawned with its output to files, until pod.json says running. `podRunning / bare` is
 * issue 14's ratio (target ≤ 1.5).
 * Figures only: nothing here asserts a timing.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildPrepareArgs, buildRunPreparedArgs, decodeRktConfig } from '../src/drivers/rkt/index.js';
import type { TaskConfig } from '../src/drivers/types.js';
import { sandbox, startAgent } from '../test/helpers/agent.js';
import { makeRktSandbox } from '../test/helpers/rkt.js';
import { getHandle, getTaskState, listAllocsForJob } from '../src/state/index.js';
import { cleanupSandbox, loadNow, machine, openStateReadonly, parseOptions, quantile, round, sleepMs } from './agent-common.js';

const { json, opts } = parseOptions(process.argv.slice(2), { runs: 50, 'timeout-ms': 30_000 });
const N = opts.runs;

function job(id: string): string {
  return `job "${id}" {
  type = "service"
  group "g" {
    restart {
      attempts = 0
      mode     = "fail"
    }
    task "web" {
      driver       = "rkt"
      kill_timeout = "5s"
      config {
        image   = "example.com/sh:1.0"
        command = "/bin/sh"
        args    = ["-c", "exec sleep 600"]
      }
      resources {
        cpu    = 20
        memory = 16
      }
    }
  }
}
`;
}

/** Stand-in processes working on this `--dir` (pods left by a failed run). */
function killStandins(rktDir: string, uuid?: string): void {
  const want = `--dir=${rktDir}`;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (!argv.includes(want) || (uuid !== undefined && !argv.includes(uuid))) continue;
      process.kill(Number(name), 'SIGKILL');
    } catch {
      // Gone between the listing and the read or the kill.
    }
  }
}

function podState(rktDir: string, uuid: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(rktDir, 'pods', uuid, 'pod.json'), 'utf8')) as { state?: string }).state ?? null;
  } catch {
    return null; // not written yet, or mid-rename
  }
}

const run = promisify(execFile);

/**
 * The bare start: `rkt prepare` then `rkt run-prepared` until the stand-in's pod record says
 * running; then the pod is killed and removed (untimed).
 */
async function bareStart(rktPath: string, rktDir: string, scratch: string, i: number): Promise<{ readonly ms: number; readonly prepareMs: number }> {
  const allocId = `bare0000-0000-0000-0000-${String(i).padStart(12, '0')}`;
  const base = join(scratch, allocId);
  const dirs = { allocDir: join(base, 'alloc'), taskDir: join(base, 'web'), localDir: join(base, 'web', 'local'), secretsDir: join(base, 'web', 'secrets'), tmpDir: join(base, 'web', 'tmp') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const cfg: TaskConfig = {
    id: `${allocId}/web`, allocId, jobId: 'bare', groupName: 'g', taskName: 'web', driverConfig: null,
    env: { NOMAD_TASK_NAME: 'web', NOMAD_ALLOC_DIR: dirs.allocDir, NOMAD_TASK_DIR: dirs.localDir, NOMAD_SECRETS_DIR: dirs.secretsDir },
    user: '', resources: { cpu: 20, memoryMB: 16 }, ports: [], dirs, stdoutPath: join(base, 'out'), stderrPath: join(base, 'err'),
  };
  const config = decodeRktConfig({ image: 'example.com/sh:1.0', command: '/bin/sh', args: ['-c', 'exec sleep 600'] });
  const prepareArgs = buildPrepareArgs(cfg, config, { rktVersion: '1.30.0', volumesEnabled: true, rktDir });
  const t0 = performance.now();
  const { stdout } = await run(rktPath, prepareArgs, { encoding: 'utf8' });
  const prepareMs = performance.now() - t0;
  const uuid = stdout.trim().split('\n').pop() ?? '';
  const out = openSync(cfg.stdoutPath, 'a');
  const err = openSync(cfg.stderrPath, 'a');
  const child = spawn(rktPath, buildRunPreparedArgs(config, uuid, rktDir), { stdio: ['ignore', out, err], detached: true });
  closeSync(out);
  closeSync(err);
  await until(`bare pod ${uuid} running`, () => podState(rktDir, uuid) === 'running');
  const ms = performance.now() - t0;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  await exited;
  killStandins(rktDir, uuid);
  await run(rktPath, [`--dir=${rktDir}`, 'rm', uuid], { encoding: 'utf8' });
  rmSync(base, { recursive: true, force: true });
  return { ms, prepareMs };
}

interface Sample {
  readonly bareMs: number;
  readonly barePrepareMs: number;
  readonly startedAtMs: number;
  readonly seenRunningMs: number;
  readonly podRunningMs: number;
  readonly stopToRemovedMs: number;
}

const sb = sandbox('bivouac-bench-rkt-');
const rkt = makeRktSandbox();
const config = join(sb.root, 'agent.hcl');
writeFileSync(config, `bivouac {\n  rkt_dir = ${JSON.stringify(rkt.dataDir)}\n}\n`);
const staging = join(sb.jobsDir, '.staging');
mkdirSync(staging);
// The bare pods' dirs, where the stand-in's apps (nobody) can reach them, as the agent's alloc dirs.
const bareDir = join(rkt.root, 'bare');
mkdirSync(bareDir, { mode: 0o755 });
const agent = startAgent(sb, ['--config', config, '--rkt-path', rkt.rktPath, '--log-level', 'info']);
const samples: Sample[] = [];
const loadBefore = loadNow();

async function until<T>(what: string, fn: () => T | null | undefined | false): Promise<T> {
  const deadline = performance.now() + opts['timeout-ms'];
  for (;;) {
    const v = fn();
    if (v !== null && v !== undefined && v !== false) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; agent output tail: ${agent.output().slice(-2000)}`);
    await sleepMs(1);
  }
}

try {
  const ids = Array.from({ length: N }, (_, i) => `rkt-${String(i).padStart(3, '0')}`);
  for (const id of ids) writeFileSync(join(staging, `${id}.nomad`), job(id));
  await until('agent started', () => agent.output().includes('"msg":"agent started"'));
  const db = openStateReadonly(sb.dataDir);
  try {
    for (const [i, id] of ids.entries()) {
      // Alternating which goes first, so a drift in load favours neither.
      let bare = i % 2 === 0 ? await bareStart(rkt.rktPath, rkt.dataDir, bareDir, i) : null;
      const perf0 = performance.now();
      const t0 = Date.now();
      renameSync(join(staging, `${id}.nomad`), join(sb.jobsDir, `${id}.nomad`));
      const st = await until(`${id} running`, () => {
        const alloc = listAllocsForJob(db, id)[0];
        const t = alloc ? getTaskState(db, alloc.id, 'web') : null;
        return t?.state === 'running' && t.startedAt !== null ? { allocId: alloc.id, startedAt: t.startedAt } : null;
      });
      const seenRunningMs = performance.now() - perf0;
      const handle = getHandle(db, st.allocId, 'web')?.handle as { state?: { uuid?: string } } | undefined;
      const uuid = handle?.state?.uuid;
      if (typeof uuid !== 'string') throw new Error(`${id}: no pod UUID in the handle`);
      await until(`${id} pod running`, () => podState(rkt.dataDir, uuid) === 'running');
      const podRunningMs = performance.now() - perf0;

      const perf1 = performance.now();
      rmSync(join(sb.jobsDir, `${id}.nomad`));
      await until(`${id} stopped and removed`, () => listAllocsForJob(db, id)[0]?.clientStatus === 'complete' && !existsSync(join(rkt.dataDir, 'pods', uuid)));
      bare ??= await bareStart(rkt.rktPath, rkt.dataDir, bareDir, i);
      samples.push({ bareMs: bare.ms, barePrepareMs: bare.prepareMs, startedAtMs: st.startedAt - t0, seenRunningMs, podRunningMs, stopToRemovedMs: performance.now() - perf1 });
    }
  } finally {
    db.close();
  }
} finally {
  await agent.stop();
  killStandins(rkt.dataDir);
  cleanupSandbox(sb);
  rkt.cleanup();
}

const summary = (pick: (s: Sample) => number): { min: number; p50: number; p90: number; p99: number; max: number } => {
  const xs = samples.map(pick).sort((a, b) => a - b);
  return { min: round(xs[0]), p50: round(quantile(xs, 0.5)), p90: round(quantile(xs, 0.9)), p99: round(quantile(xs, 0.99)), max: round(xs[xs.length - 1]) };
};
const results = {
  bench: 'rkt',
  machine: machine(),
  loadBefore,
  loadAfter: loadNow(),
  runs: samples.length,
  method:
    'startedAt = task_states.started_at − Date.now() before rename; seenRunning = read-only DB poll (~1 ms); podRunning = stand-in pod.json says running (~1 ms poll); stopToRemoved = job file removed → alloc complete and pod rm’d; one drop at a time on an otherwise idle agent',
  startedAt: summary((s) => s.startedAtMs),
  seenRunning: summary((s) => s.seenRunningMs),
  podRunning: summary((s) => s.podRunningMs),
  bare: summary((s) => s.bareMs),
  barePrepare: summary((s) => s.barePrepareMs),
  /** Medians' ratio: drop → pod running over the bare prepare + run-prepared (target ≤ 1.5). */
  ratio: 0,
  stopToRemoved: summary((s) => s.stopToRemovedMs),
};

results.ratio = round(results.podRunning.p50 / results.bare.p50, 2);

if (json) {
  process.stdout.write(JSON.stringify(results) + '\n');
} else {
  console.log(`rkt: job dropped → pod running through the stand-in, ${results.runs} drops one at a time (${results.machine.node}, ${results.machine.cpus} cpus, load ${loadBefore} → ${results.loadAfter})`);
  const line = (label: string, s: ReturnType<typeof summary>): void =>
    console.log(`  ${label.padEnd(28)} p50 ${s.p50} ms  p90 ${s.p90} ms  p99 ${s.p99} ms  (min ${s.min}, max ${s.max})`);
  line('started_at − drop:', results.startedAt);
  line('task running seen by poll:', results.seenRunning);
  line('pod running (stand-in):', results.podRunning);
  line('bare prepare + run-prepared:', results.bare);
  line('  of which bare prepare:', results.barePrepare);
  console.log(`  ratio (p50 pod running / p50 bare): ×${results.ratio}  (target ≤ ×1.5, same run)`);
  line('file removed → pod rm’d:', results.stopToRemoved);
}
