/**
 * The fuzzer's CI form: every kept crasher replayed through the parser (each must now get a
 * verdict, keep the contract and not throw, and its parse must keep to the product's time
 * limit), a few hundred fresh mutants through the parser, and a couple of batches of
 * rejected mutants through a running agent.
 * The long form is `node dist/test/fuzz/run.js --inputs 10000 [--agent 300]`.
 *
 * Two bounds (parse-fuzz.ts): HANG_MS, a generous hang detector around each input that also
 * counts the parser's cold start (again after every input that used up the time limit), and
 * PARSE_SLACK_MS on the parse's own time, the product's 5 s limit with room for a busy machine.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HANG_MS, PARSE_SLACK_MS, ParserHost, fuzzParser, loadCrashers } from './parse-fuzz.js';
import { fuzzAgent } from './agent-fuzz.js';
import { crasherDir, defaultSeeds } from './seeds.js';

const seed = Number(process.env.BIVOUAC_FUZZ_SEED ?? 4242);

describe('hostile job files', () => {
  test('every kept crasher now parses to a verdict within the parser time limit, under contract', { timeout: 600_000 }, async () => {
    const host = new ParserHost(HANG_MS);
    const bad: string[] = [];
    try {
      for (const c of loadCrashers(crasherDir)) {
        const out = await host.parse('crasher.nomad', c.bytes);
        if (!out.ok) bad.push(`${c.name}: ${out.kind}: ${out.message.split('\n')[0]}`);
        else if (out.parseMs > PARSE_SLACK_MS) bad.push(`${c.name}: a verdict, but the parse alone took ${Math.round(out.parseMs)} ms`);
      }
    } finally {
      await host.close();
    }
    assert.deepEqual(bad, []);
  });

  test(`parser: 150 fresh mutants, no throw, no hang, every rejection a diagnostic (seed ${seed})`, { timeout: 600_000 }, async () => {
    const report = await fuzzParser({ inputs: 150, seed, seeds: defaultSeeds(), timeoutMs: HANG_MS, crasherDir: null });
    assert.deepEqual(
      report.findings.map((f) => `${f.finding.kind} (${f.mutant.mutations.join('+')} of ${f.mutant.seedFile}, rng ${f.mutant.rngSeed}): ${f.finding.message.split('\n')[0]}`),
      [],
    );
    assert.ok(report.rejected > 0 && report.accepted > 0, 'mutants both pass and fail');
    assert.ok(report.slowestParseMs < PARSE_SLACK_MS, `the slowest parse alone took ${Math.round(report.slowestParseMs)} ms`);
  });

  test('agent: two batches of rejected mutants beside a healthy job', { timeout: 600_000 }, async () => {
    const report = await fuzzAgent({ inputs: 20, batchSize: 10, seed, seeds: defaultSeeds(), crasherDir: null });
    assert.deepEqual(report.problems, []);
    assert.equal(report.agentCrashes, 0);
    assert.equal(report.healthyUntouched, true);
    assert.equal(report.fileErrorsShown, 20);
  });
});
