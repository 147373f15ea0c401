/**
 * The fuzzer's long form: `node dist/test/fuzz/run.js --inputs 10000 [--seed S] [--agent N] [--timeout MS] [--json]`.
 * Feeds N mutated job files through parseJobFile (worker thread, per-input timeout) and,
 * with --agent, M rejected mutants through a running agent beside a healthy job. Findings
 * are written to test/fixtures/fuzz/crashers/. Exits 1 on any finding.
 */
import { fuzzParser } from './parse-fuzz.js';
import { fuzzAgent } from './agent-fuzz.js';
import { crasherDir, defaultSeeds } from './seeds.js';

function flag(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isInteger(v) || v < 0) {
    console.error(`--${name} wants a whole number`);
    process.exit(2);
  }
  return v;
}

const inputs = flag('inputs', 10_000);
const seed = flag('seed', Date.now() % 1_000_000);
const agentInputs = flag('agent', 0);
const timeoutMs = flag('timeout', 10_000);
const json = process.argv.includes('--json');
const log = json ? undefined : (l: string): void => console.log(l);

const seeds = defaultSeeds();
log?.(`${seeds.length} seed files, seed ${seed}`);
const parser = await fuzzParser({ inputs, seed, seeds, timeoutMs, crasherDir, log });
const agent = agentInputs > 0 ? await fuzzAgent({ inputs: agentInputs, seed, seeds, crasherDir, log }) : null;
const summary = {
  seed,
  parser: { ...parser, findings: parser.findings.map((f) => ({ kind: f.finding.kind, message: f.finding.message.split('\n')[0], saved: f.saved, mutations: f.mutant.mutations, seedFile: f.mutant.seedFile })) },
  agent,
};
if (json) console.log(JSON.stringify(summary, null, 2));
else {
  console.log(`parser: ${parser.tried} inputs (${parser.accepted} accepted, ${parser.rejected} rejected, ${parser.distinctCodes} diagnostic codes), ${parser.findings.length} findings, ${(parser.bytesFed / 1e6).toFixed(1)} MB fed, largest ${parser.maxInputBytes} B, slowest ${parser.slowestMs.toFixed(0)} ms (slowest parse alone ${parser.slowestParseMs.toFixed(0)} ms), ${(parser.durationMs / 1000).toFixed(0)} s`);
  console.log(`mutations: ${Object.entries(parser.byMutation).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (agent) console.log(`agent: ${agent.filesDropped} bad files in ${agent.batches} batches, ${agent.fileErrorsShown} file errors shown, healthy alloc and pid untouched: ${agent.healthyUntouched}, agent crashes: ${agent.agentCrashes}, problems: ${agent.problems.length}${agent.problems.map((p) => `\n  ${p}`).join('')}`);
}
process.exit(parser.findings.length === 0 && (agent === null || agent.problems.length === 0) ? 0 : 1);
