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
  // Generous for a loaded machine (two test files on two busy cores): a mismatch between the DB and /proc is a
  // violation once it has lasted 10 s (tasks' kill_timeout is 1 s), looked for over 20 s after
  // each restart. The bench (bench/torture.ts) keeps the harness defaults, 3 s and 8 s.
  const report = await runTorture({ kills, seed, settleMs: 20_000, persistMs: 10_000 });
  const lines = report.violations.map((v) => `round ${v.round} [${v.invariant}] ${v.detail}`);
  assert.deepEqual(lines, [], `violations (reproduce with BIVOUAC_TORTURE_SEED=${seed})`);
  assert.equal(report.killsSurvived, kills);
  assert.ok(report.allocsSeen > 0, 'the churn placed allocations');
});
