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
 * Figures only: nothing here asserts a timing.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
function killStandins(rktDir: string): void {
  const want = `--dir=${rktDir}`;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').includes(want)) continue;
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

interface Sample {
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
    for (const id of ids) {
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
      samples.push({ startedAtMs: st.startedAt - t0, seenRunningMs, podRunningMs, stopToRemovedMs: performance.now() - perf1 });
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
  stopToRemoved: summary((s) => s.stopToRemovedMs),
};

if (json) {
  process.stdout.write(JSON.stringify(results) + '\n');
} else {
  console.log(`rkt: job dropped → pod running through the stand-in, ${results.runs} drops one at a time (${results.machine.node}, ${results.machine.cpus} cpus, load ${loadBefore} → ${results.loadAfter})`);
  const line = (label: string, s: ReturnType<typeof summary>): void =>
    console.log(`  ${label.padEnd(28)} p50 ${s.p50} ms  p90 ${s.p90} ms  p99 ${s.p99} ms  (min ${s.min}, max ${s.max})`);
  line('started_at − drop:', results.startedAt);
  line('task running seen by poll:', results.seenRunning);
  line('pod running (stand-in):', results.podRunning);
  line('file removed → pod rm’d:', results.stopToRemoved);
}
