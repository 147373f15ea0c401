/**
 * Crash torture, short form for CI: a few SIGKILLs of the real agent under job churn, with
 * the crash invariants checked after each restart. The long form is bench/torture.ts
 * (`node dist/bench/torture.js --kills 200`). BIVOUAC_TORTURE_SEED / _KILLS replay a run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTorture } from './harness.js';

const seed = Number(process.env.BIVOUAC_TORTURE_SEED ?? 20240601);
const kills = Number(process.env.BIVOUAC_TORTURE_KILLS ?? 8);

test(`agent survives ${kills} SIGKILLs under job churn with every invariant held (seed ${seed})`, { timeout: 300_000 }, async () => {
  const report = await runTorture({ kills, seed, settleMs: 6_000 });
  const lines = report.violations.map((v) => `round ${v.round} [${v.invariant}] ${v.detail}`);
  assert.deepEqual(lines, [], `violations (reproduce with BIVOUAC_TORTURE_SEED=${seed})`);
  assert.equal(report.killsSurvived, kills);
  assert.ok(report.allocsSeen > 0, 'the churn placed allocations');
});
