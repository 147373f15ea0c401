/**
 * What containment adds to a raw_exec start: `startTask` of `/bin/true` with and without a
 * task cgroup (create + the agent's join of the gated shim + destroy after exit), in
 * alternation, same process.
 *   npx tsc -p . && node dist/bench/containment-start.js [--json] [--runs 40]
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createRawExecDriver } from '../src/drivers/raw_exec/index.js';
import type { Driver } from '../src/drivers/types.js';
import { silentLogger } from '../src/util/logger.js';
import { cleanupManager, testManager } from '../test/cgroups/helpers.js';
import { hostTaskConfig, makeTempDir } from '../test/drivers/contract.js';
import { machine, median, parseOptions, quantile, round } from './agent-common.js';

const { json, opts } = parseOptions(process.argv.slice(2), { runs: 40 });
const root = makeTempDir('bench-cg-start');
const cgroups = testManager('bench-start');
const plain = createRawExecDriver({ log: silentLogger, enabled: true, pollIntervalMs: 50 });
const contained = createRawExecDriver({ log: silentLogger, enabled: true, pollIntervalMs: 50, cgroups });
const times = { plain: [] as number[], contained: [] as number[] };
let seq = 0;

async function once(d: Driver, into: number[]): Promise<void> {
  const id = `s${++seq}`;
  const dir = join(root, id);
  mkdirSync(dir);
  const cfg = { ...hostTaskConfig({ command: '/bin/true', args: [] }, { root: dir, id }), allocId: `bench${seq}` };
  const t0 = performance.now();
  const h = await d.startTask(cfg);
  into.push(performance.now() - t0);
  await d.waitTask(h.taskId);
  await d.destroyTask(h.taskId, false);
}

try {
  for (let i = 0; i < opts.runs; i++) {
    await once(plain, times.plain);
    await once(contained, times.contained);
  }
} finally {
  await cleanupManager(cgroups);
  rmSync(root, { recursive: true, force: true });
}
const sum = (xs: number[]): { p50: number; p90: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: round(median(s), 2), p90: round(quantile(s, 0.9), 2) };
};
const report = { runs: opts.runs, plainMs: sum(times.plain), containedMs: sum(times.contained), ratioP50: round(median(times.contained) / median(times.plain), 2), machine: machine() };
if (json) console.log(JSON.stringify(report, null, 2));
else console.log(`raw_exec startTask of /bin/true: uncontained p50 ${report.plainMs.p50} ms (p90 ${report.plainMs.p90}), in a cgroup p50 ${report.containedMs.p50} ms (p90 ${report.containedMs.p90}): ×${report.ratioP50}`);
