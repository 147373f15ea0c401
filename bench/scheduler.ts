/**
 * Times the pure scheduler on one node: placing 1,000 single-task allocations (1 MHz,
 * 10 MB, one dynamic port each) and reconciling a 1,000-alloc job against a new version.
 *   npx tsc -p . && node dist/bench/scheduler.js [--json]
 */
import { performance } from 'node:perf_hooks';
import { place, reconcile } from '../src/scheduler/index.js';
import type { ExistingAlloc } from '../src/scheduler/index.js';
import { alloc, group, job, network, node, port, seededRand, task } from '../test/scheduler/builders.js';

const N = 1000;
const WARMUP = 3;
const RUNS = 15;

function measure(fn: () => void): { readonly medianMs: number; readonly minMs: number; readonly maxMs: number } {
  for (let i = 0; i < WARMUP; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return { medianMs: round(times[Math.floor(times.length / 2)]), minMs: round(times[0]), maxMs: round(times[times.length - 1]) };
}

const g = group({
  count: N,
  ephemeralDisk: { sizeMB: 0, sticky: false, migrate: false },
  networks: [network([], [port('http')])],
  tasks: [task({ cpu: 1, memoryMB: 10 })],
});
const j = job({ groups: [g] });
const big = node({
  attributes: { ...node().attributes, 'cpu.totalcompute': '64000', 'memory.totalbytes': String(64 * 1024 ** 3) },
});
const requests = Array.from({ length: N }, (_, index) => ({ group: g.name, index }));

const placeOnce = (): void => {
  const r = place({ job: j, node: big, existing: [], hostPorts: new Set([22, 8080]), requests, stopping: new Set() }, { rand: seededRand(42) });
  if (r.placements.length !== N) throw new Error(`placed ${r.placements.length} of ${N}`);
};

const existing: ExistingAlloc[] = requests.map((r) => alloc({ group: r.group, index: r.index, resources: { cpu: 1, memoryMB: 10, diskMB: 0 }, ports: [{ label: 'http', value: 20000 + r.index }] }));
const v1 = job({ groups: [{ ...g, restart: { ...g.restart, attempts: 9 } }] });
const reconcileOnce = (): void => {
  const r = reconcile(v1, 1, existing, { stopped: false, jobAt: (v) => (v === 0 ? j : null) });
  if (r.inPlace.length !== N) throw new Error(`in place ${r.inPlace.length} of ${N}`);
};
// Placing next to 1,000 live allocs: the accounting over existing allocs and their ports.
const placeBeside = (): void => {
  const other = job({ id: 'other', groups: [{ ...g, count: 1 }] });
  const r = place(
    { job: other, node: big, existing, hostPorts: new Set(), requests: [{ group: g.name, index: 0 }], stopping: new Set() },
    { rand: seededRand(7) },
  );
  if (r.placements.length !== 1) throw new Error('not placed');
};

const results = {
  node: { cpus: (await import('node:os')).cpus().length, node: process.version },
  runs: RUNS,
  place1000: measure(placeOnce),
  reconcile1000InPlace: measure(reconcileOnce),
  placeOneBeside1000: measure(placeBeside),
};

if (process.argv.includes('--json')) {
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
} else {
  console.log(`scheduler bench (${RUNS} runs after ${WARMUP} warm-up, ${results.node.node})`);
  console.log(`  place 1,000 allocs, 1 dynamic port each: median ${results.place1000.medianMs} ms (min ${results.place1000.minMs}, max ${results.place1000.maxMs})`);
  console.log(`  reconcile 1,000 allocs (in-place update): median ${results.reconcile1000InPlace.medianMs} ms (min ${results.reconcile1000InPlace.minMs}, max ${results.reconcile1000InPlace.maxMs})`);
  console.log(`  place 1 alloc beside 1,000 live allocs:   median ${results.placeOneBeside1000.medianMs} ms (min ${results.placeOneBeside1000.minMs}, max ${results.placeOneBeside1000.maxMs})`);
}
