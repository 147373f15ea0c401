/**
 * Jobspec figures: warm parse+validate time per corpus file (median, p99), and cold-process
 * wall time of `bivouac job validate <file>` and `bivouac version` next to `node -e 0`.
 *   npx tsc -p . && node dist/bench/jobspec.js [--json] [--iterations N] [--runs N] [--against ROOT]
 * `--against ROOT` (another checkout, built) also times that build's parser on the same files,
 * interleaved call by call in this process, so machine load weighs on both alike.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseJobFile } from '../src/jobspec/index.js';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

function flag(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const median = (xs: readonly number[]): number => quantile([...xs].sort((a, b) => a - b), 0.5);
const round = (n: number): number => Math.round(n * 1000) / 1000;

async function warm(corpus: string, iterations: number): Promise<{ files: number; samples: number; medianMs: number; p99Ms: number; slowest: string }> {
  const rows = readFileSync(join(corpus, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]);
  const times: number[] = [];
  let slowest = { file: '', ms: 0 };
  for (const rel of rows) {
    const text = readFileSync(join(corpus, rel), 'utf8');
    for (let i = 0; i < 3; i++) await parseJobFile(rel, text);
    const own: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t0 = performance.now();
      await parseJobFile(rel, text);
      own.push(performance.now() - t0);
    }
    times.push(...own);
    const m = median(own);
    if (m > slowest.ms) slowest = { file: rel, ms: m };
  }
  const sorted = times.sort((a, b) => a - b);
  return { files: rows.length, samples: sorted.length, medianMs: round(quantile(sorted, 0.5)), p99Ms: round(quantile(sorted, 0.99)), slowest: `${slowest.file} (${round(slowest.ms)} ms median)` };
}

function cold(cmd: readonly string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, cmd, { stdio: 'ignore' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${cmd.join(' ')} exited ${String(r.status)}`);
    if (i > 0) times.push(ms); // the first run warms the page cache
  }
  return round(median(times));
}

type ParseFn = (file: string, text: string) => Promise<unknown>;

/** Both parsers on every corpus file, alternating call by call; ratios are after / before. */
async function against(corpus: string, otherRoot: string, iterations: number): Promise<Record<string, unknown>> {
  const other = (await import(pathToFileURL(join(otherRoot, 'dist', 'src', 'jobspec', 'index.js')).href)) as { parseJobFile: ParseFn };
  const rows = readFileSync(join(corpus, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]);
  const before: number[] = [];
  const after: number[] = [];
  const time = async (f: ParseFn, rel: string, text: string, into: number[]): Promise<void> => {
    const t0 = performance.now();
    await f(rel, text);
    into.push(performance.now() - t0);
  };
  for (const rel of rows) {
    const text = readFileSync(join(corpus, rel), 'utf8');
    for (let i = 0; i < 3; i++) await Promise.all([other.parseJobFile(rel, text), parseJobFile(rel, text)]);
    for (let i = 0; i < iterations; i++) {
      await time(other.parseJobFile, rel, text, before);
      await time(parseJobFile, rel, text, after);
    }
  }
  const q = (xs: number[], p: number): number => quantile([...xs].sort((a, b) => a - b), p);
  return {
    against: otherRoot,
    samples: after.length,
    beforeMs: { median: round(q(before, 0.5)), p99: round(q(before, 0.99)) },
    afterMs: { median: round(q(after, 0.5)), p99: round(q(after, 0.99)) },
    ratio: { median: round(q(after, 0.5) / q(before, 0.5)), p99: round(q(after, 0.99) / q(before, 0.99)) },
  };
}

async function main(): Promise<void> {
  const root = findRoot();
  // Beside the repository, or two levels up from a git worktree in a sibling folder.
  const corpus = [join(root, '..'), join(root, '..', '..')].map((d) => join(d, 'shared', 'corpus', 'nomad-jobs')).find((d) => existsSync(d)) ?? '';
  const cli = join(root, 'dist', 'bin', 'bivouac.cjs');
  const one = join(root, 'test', 'fixtures', 'jobspec', 'rkt-web.nomad');
  const runs = flag('--runs', 9);
  // Cold runs first: once this process has the parser loaded, it competes for the 2 cores.
  const baseline = cold(['-e', '0'], runs);
  const version = cold([cli, 'version'], runs);
  const validate = cold([cli, 'job', 'validate', one], runs);
  const warmResult = existsSync(corpus) ? await warm(corpus, flag('--iterations', 20)) : null;
  const otherAt = process.argv.indexOf('--against');
  const ab = otherAt >= 0 && existsSync(corpus) ? await against(corpus, process.argv[otherAt + 1], flag('--iterations', 20)) : null;
  const result = {
    warm: warmResult,
    ...(ab ? { against: ab } : {}),
    coldMs: { nodeBaseline: baseline, version, jobValidate: validate },
    ratios: { versionOverBaseline: round(version / baseline), validateOverBaseline: round(validate / baseline) },
    runs,
    node: process.version,
  };
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  if (warmResult) {
    process.stdout.write(`warm parse+validate, ${warmResult.files} corpus files × ${warmResult.samples / warmResult.files} runs: median ${warmResult.medianMs} ms, p99 ${warmResult.p99Ms} ms (target median ≤ 2 ms)\n`);
    process.stdout.write(`  slowest file: ${warmResult.slowest}\n`);
  } else {
    process.stdout.write(`warm: corpus not found at ${corpus}\n`);
  }
  if (ab) process.stdout.write(`against ${String(ab['against'])}, interleaved: ${JSON.stringify(ab['beforeMs'])} → ${JSON.stringify(ab['afterMs'])}, ratio ${JSON.stringify(ab['ratio'])}\n`);
  process.stdout.write(`cold (median of ${runs}): node -e 0 ${baseline} ms; bivouac version ${version} ms (×${result.ratios.versionOverBaseline}); bivouac job validate ${validate} ms (×${result.ratios.validateOverBaseline})\n`);
}

await main();
