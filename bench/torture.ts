/**
 * Crash torture, long form: `node dist/bench/torture.js --kills 200 [--seed S] [--json]`.
 * Runs the real agent under job churn, SIGKILLs it at seeded random moments, restarts it and
 * checks the crash invariants (test/torture/invariants.ts) after each restart. Exits 1 on any
 * violation; the seed reproduces the churn and the kill delays.
 */
import { runTorture } from '../test/torture/harness.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const kills = Number(flag('kills') ?? 200);
const seed = Number(flag('seed') ?? Date.now() % 1_000_000);
const json = process.argv.includes('--json');
if (!Number.isInteger(kills) || kills < 1 || !Number.isInteger(seed)) {
  console.error('usage: node dist/bench/torture.js --kills N [--seed S] [--json] [--keep]');
  process.exit(2);
}

const report = await runTorture({
  kills,
  seed,
  keepOnViolation: process.argv.includes('--keep'),
  log: json ? undefined : (line) => console.log(line),
});
if (json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(`seed ${report.seed}: ${report.killsSurvived}/${report.killsRequested} kills survived, ${report.churnSteps} churn steps, ${report.allocsSeen} allocations (${report.terminalAllocsSeen} terminal), ${report.eventsSeen} events, kill delays ${report.killDelays.min}/${report.killDelays.median}/${report.killDelays.max} ms (min/median/max), ${(report.durationMs / 1000).toFixed(0)} s`);
  console.log(report.violations.length === 0 ? 'all invariants held' : `${report.violations.length} violation(s):`);
  for (const v of report.violations) console.log(`  round ${v.round} [${v.invariant}] ${v.detail}  (reproduce: --seed ${v.seed})`);
  if (report.keptAt) console.log(`sandbox kept at ${report.keptAt}`);
}
process.exit(report.violations.length === 0 && report.killsSurvived === kills ? 0 : 1);
