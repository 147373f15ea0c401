/**
 * The fuzzer's CI form: every kept crasher replayed through the parser (each must now get a
 * verdict within the timeout, keep the contract and not throw), a few hundred fresh mutants
 * through the parser, and a couple of batches of rejected mutants through a running agent.
 * The long form is `node dist/test/fuzz/run.js --inputs 10000 [--agent 300]`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ParserHost, fuzzParser, loadCrashers } from './parse-fuzz.js';
import { fuzzAgent } from './agent-fuzz.js';
import { crasherDir, defaultSeeds } from './seeds.js';

const seed = Number(process.env.BIVOUAC_FUZZ_SEED ?? 4242);

describe('hostile job files', () => {
  test('every kept crasher now parses to a verdict within 10 s, under contract', { timeout: 600_000 }, async () => {
    const host = new ParserHost(10_000);
    const bad: string[] = [];
    try {
      for (const c of loadCrashers(crasherDir)) {
        const out = await host.parse('crasher.nomad', c.bytes);
        if (!out.ok) bad.push(`${c.name}: ${out.kind}: ${out.message.split('\n')[0]}`);
      }
    } finally {
      await host.close();
    }
    assert.deepEqual(bad, []);
  });

  test(`parser: 150 fresh mutants, no throw, no hang, every rejection a diagnostic (seed ${seed})`, { timeout: 600_000 }, async () => {
    const report = await fuzzParser({ inputs: 150, seed, seeds: defaultSeeds(), timeoutMs: 10_000, crasherDir: null });
    assert.deepEqual(
      report.findings.map((f) => `${f.finding.kind} (${f.mutant.mutations.join('+')} of ${f.mutant.seedFile}, rng ${f.mutant.rngSeed}): ${f.finding.message.split('\n')[0]}`),
      [],
    );
    assert.ok(report.rejected > 0 && report.accepted > 0, 'mutants both pass and fail');
  });

  test('agent: two batches of rejected mutants beside a healthy job', { timeout: 600_000 }, async () => {
    const report = await fuzzAgent({ inputs: 20, batchSize: 10, seed, seeds: defaultSeeds(), crasherDir: null });
    assert.deepEqual(report.problems, []);
    assert.equal(report.agentCrashes, 0);
    assert.equal(report.healthyUntouched, true);
    assert.equal(report.fileErrorsShown, 20);
  });
});
