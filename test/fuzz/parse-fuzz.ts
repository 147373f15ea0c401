/**
 * Feeds mutated job files through parseJobFile in a worker thread, one at a time, with a
 * per-input timeout: a throw, a broken contract, a hang (the worker is terminated and
 * replaced) or a dead worker is a finding, and every finding is kept as a crasher fixture.
 *
 * The timeout is a hang detector, not the parser's time limit: it counts the worker's and
 * the parser's cold starts too. The parse's own time (`parseMs`, loads excluded) is in each
 * verdict, for a test to hold against the product's per-file limit.
 */
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParseRequest, ParseVerdict } from './parse-worker.js';
import { MUTATIONS, mutate, type Mutant, type MutationName } from './mutate.js';
import { makeRng } from '../torture/rng.js';

export type Finding = { readonly ok: false; readonly kind: 'throw' | 'contract' | 'hang' | 'worker-crash'; readonly message: string };
export type Outcome =
  | { readonly ok: true; readonly accepted: boolean; readonly codes: readonly string[]; readonly ms: number; readonly parseMs: number; readonly noAnswer: boolean }
  | (Finding & { readonly ms: number });

/**
 * Generous bounds for tests on a loaded machine (CI runs two test files at once on two
 * cores): no verdict within HANG_MS is a hang, whatever the cold starts cost; a verdict
 * whose parse alone took longer than PARSE_SLACK_MS broke the product's per-file limit
 * (5 s, src/jobspec/parse.ts), with room for a busy machine.
 */
export const HANG_MS = 60_000;
export const PARSE_SLACK_MS = 20_000;

/** One parser worker; replaced after a hang or a crash. */
export class ParserHost {
  private worker: Worker | null = null;
  private nextId = 1;

  constructor(private readonly timeoutMs: number) {}

  private spawn(): Worker {
    const w = new Worker(new URL('./parse-worker.js', import.meta.url));
    w.unref();
    this.worker = w;
    return w;
  }

  async parse(file: string, bytes: Buffer): Promise<Outcome> {
    const w = this.worker ?? this.spawn();
    const id = this.nextId++;
    const t0 = performance.now();
    const verdict = await new Promise<ParseVerdict | Finding>((resolve) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      const onMessage = (v: ParseVerdict): void => {
        if (v.id !== id) return;
        cleanup();
        resolve(v);
      };
      const onError = (err: Error): void => {
        cleanup();
        this.worker = null;
        resolve({ ok: false, kind: 'worker-crash', message: `worker error: ${err.stack ?? err.message}` });
      };
      const onExit = (code: number): void => {
        cleanup();
        this.worker = null;
        resolve({ ok: false, kind: 'worker-crash', message: `worker exited with code ${code}` });
      };
      const timer = setTimeout(() => {
        cleanup();
        this.worker = null;
        void w.terminate();
        resolve({ ok: false, kind: 'hang', message: `no verdict within ${this.timeoutMs} ms` });
      }, this.timeoutMs);
      w.on('message', onMessage);
      w.once('error', onError);
      w.once('exit', onExit);
      const req: ParseRequest = { id, file, bytes: new Uint8Array(bytes) };
      w.postMessage(req);
    });
    const ms = performance.now() - t0;
    if (verdict.ok) return { ok: true, accepted: verdict.accepted, codes: verdict.codes, ms, parseMs: verdict.parseMs, noAnswer: verdict.noAnswer };
    return { ok: false, kind: verdict.kind, message: verdict.message, ms };
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

export interface CrasherRecord {
  readonly path: string;
  readonly finding: Finding;
}

/** Writes `<kind>-<sha>.input` and a `.txt` note beside it (where it came from, what happened). */
export function saveCrasher(dir: string, m: Mutant, f: Finding): string {
  mkdirSync(dir, { recursive: true });
  const sha = createHash('sha256').update(m.bytes).digest('hex').slice(0, 16);
  const path = join(dir, `${f.kind}-${sha}.input`);
  writeFileSync(path, m.bytes);
  writeFileSync(`${path}.txt`, `seed file: ${m.seedFile}\nrng seed: ${m.rngSeed}\nmutations: ${m.mutations.join(', ')}\n${f.kind}: ${f.message}\n`);
  return path;
}

/** The kept crashers, as (name, bytes). */
export function loadCrashers(dir: string): { name: string; bytes: Buffer }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.input')).sort();
  } catch {
    // No crasher ever found: nothing to replay.
    return [];
  }
  return names.map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
}

export interface ParserFuzzReport {
  readonly tried: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly findings: readonly { readonly mutant: Mutant; readonly finding: Finding; readonly saved: string | null }[];
  readonly byMutation: Readonly<Record<MutationName, number>>;
  readonly distinctCodes: number;
  readonly bytesFed: number;
  readonly maxInputBytes: number;
  readonly slowestMs: number;
  /** The slowest parse's own time (the loads before it not counted). */
  readonly slowestParseMs: number;
  readonly durationMs: number;
}

export interface ParserFuzzOptions {
  readonly inputs: number;
  readonly seed: number;
  readonly seeds: readonly { file: string; bytes: Buffer }[];
  readonly timeoutMs: number;
  /** Where findings are kept; null keeps none. */
  readonly crasherDir: string | null;
  readonly log?: (line: string) => void;
}

export async function fuzzParser(opts: ParserFuzzOptions): Promise<ParserFuzzReport> {
  if (opts.seeds.length === 0) throw new Error('no seed job files');
  const t0 = Date.now();
  const host = new ParserHost(opts.timeoutMs);
  const rng = makeRng(opts.seed);
  const donors = opts.seeds.map((s) => s.bytes);
  const byMutation = Object.fromEntries(MUTATIONS.map((m) => [m, 0])) as Record<MutationName, number>;
  const codes = new Set<string>();
  const findings: { mutant: Mutant; finding: Finding; saved: string | null }[] = [];
  let accepted = 0;
  let rejected = 0;
  let bytesFed = 0;
  let maxInputBytes = 0;
  let slowestMs = 0;
  let slowestParseMs = 0;
  try {
    for (let i = 0; i < opts.inputs; i++) {
      const s = opts.seeds[rng.int(opts.seeds.length)];
      const m = mutate(s.file, s.bytes, (rng.next() * 2 ** 32) >>> 0, donors);
      for (const name of m.mutations) byMutation[name]++;
      bytesFed += m.bytes.length;
      maxInputBytes = Math.max(maxInputBytes, m.bytes.length);
      const out = await host.parse('fuzz.nomad', m.bytes);
      slowestMs = Math.max(slowestMs, out.ms);
      if (out.ok) {
        slowestParseMs = Math.max(slowestParseMs, out.parseMs);
        if (out.accepted) accepted++;
        else rejected++;
        for (const c of out.codes) codes.add(c);
      } else {
        const finding: Finding = { ok: false, kind: out.kind, message: out.message };
        const saved = opts.crasherDir ? saveCrasher(opts.crasherDir, m, finding) : null;
        findings.push({ mutant: m, finding, saved });
        opts.log?.(`input ${i}: ${out.kind} (${m.mutations.join('+')} of ${s.file}): ${out.message.split('\n')[0]}${saved ? ` → ${saved}` : ''}`);
      }
      if (opts.log && (i + 1) % 1000 === 0) opts.log(`${i + 1} inputs: ${accepted} accepted, ${rejected} rejected, ${findings.length} findings`);
    }
  } finally {
    await host.close();
  }
  return { tried: opts.inputs, accepted, rejected, findings, byMutation, distinctCodes: codes.size, bytesFed, maxInputBytes, slowestMs, slowestParseMs, durationMs: Date.now() - t0 };
}
