/**
 * The one place that calls the HCL parser. `@cdktn/hcl2json` is WebAssembly that costs
 * about half a second to load, so it is imported here, lazily, and nowhere else: commands
 * that never read a job file never pay for it. The decoder only sees the JSON tree.
 */
import { makeDiagnostic, type Position } from './diagnostics.js';
import { LineIndex } from './hcl-lex.js';
import { availableParallelism } from 'node:os';
import { ParserFailure } from './hcl-host.js';
import { HclPool } from './hcl-pool.js';
import { fromHcl1 } from './hcl1-tree.js';
import { nestLabels } from './hcl2-labels.js';
import { parsePlainHcl2 } from './hcl2-plain.js';
import type { Diagnostic } from './types.js';

/** The parser's JSON: blocks are arrays of objects, labels are object levels. */
export type HclValue = string | number | boolean | null | readonly HclValue[] | HclObject;
export interface HclObject {
  readonly [key: string]: HclValue;
}

export interface ParsedHcl {
  readonly tree: HclObject | null;
  readonly diagnostics: readonly Diagnostic[];
  /** Position in the user's file of an offset in its text. */
  readonly locate: (offset: number) => Position;
}

type Parse = (file: string, text: string, grammar: 'hcl2' | 'hcl1' | 'hcl1-load', timeoutMs?: number) => Promise<Record<string, unknown>>;

/** Loading the HCL1 grammar takes ~0.1–0.5 s (2 s on a loaded machine), once per parser thread; it is not the file's time. */
const HCL1_LOAD_TIMEOUT_MS = 30_000;

/** How long one file may keep the parser busy; a 300-line job takes ~5 ms, a 1 MiB hostile one up to ~8 s. */
const PARSE_TIMEOUT_MS = 5_000;

/** A parser thread unused this long is let go (see HclHost): an idle agent keeps ~90 MB less. */
const PARSER_IDLE_MS = 60_000;

// The parser processes, made on first use: the WebAssembly module costs ~0.5 s to load, and
// `status` never gets here. One per core at most (a burst of files parses on all of them);
// it is the one process-wide object in jobspec.
let host: HclPool | null = null;

async function loadParser(): Promise<Parse> {
  host ??= new HclPool(PARSE_TIMEOUT_MS, PARSER_IDLE_MS, availableParallelism());
  const h = host;
  // Loaded before the file's time limit starts: the limit is for parsing, not for a cold start.
  await h.warm();
  return async (file, text, grammar, timeoutMs = PARSE_TIMEOUT_MS) => (await h.parse(file, text, timeoutMs, grammar)) as Record<string, unknown>;
}

/**
 * The plain JSON tree of an HCL2 file (the agent's config file), parsed in the parser
 * process like a job file: loading the WebAssembly module in the agent itself would keep
 * its ~70 MB there for good. Rejects with the parser's own message on a syntax error.
 */
export async function parseHclTree(file: string, text: string): Promise<Record<string, unknown>> {
  // A plain file is read in-thread (hcl2-plain.ts: the same tree or null), without loading the pool.
  const plain = parsePlainHcl2(text);
  if (plain !== null) return plain as Record<string, unknown>;
  const parse = await loadParser();
  return parse(file, text, 'hcl2');
}

/** A name with no spaces or colons, so the diagnostics regex cannot be confused by a path. */
const TAG = 'JOBFILE';
const DIAG_RE = new RegExp(`${TAG}:(\\d+),(\\d+)-(?:(\\d+),)?(\\d+): ([^;]+);`, 'g');

interface RawDiag {
  readonly line: number;
  readonly column: number;
  readonly summary: string;
  readonly detail: string;
}

export function splitParserError(message: string): RawDiag[] {
  const matches = [...message.matchAll(DIAG_RE)];
  return matches.map((m, k) => {
    const end = k + 1 < matches.length ? (matches[k + 1].index ?? message.length) : message.length;
    const detail = message
      .slice((m.index ?? 0) + m[0].length, end)
      .trim()
      .replace(/\]$/, '')
      .trim();
    return { line: Number(m[1]), column: Number(m[2]), summary: m[5].trim(), detail };
  });
}

/**
 * HCL2 first, as Nomad ≥ 1.0 reads job files; when HCL2 refuses a file, HCL1 (Nomad ≤ 0.12,
 * `nomad job run -hcl1`), with a note saying so. When both refuse it, HCL2's diagnostics,
 * and HCL1's own words as a note.
 */
export async function parseHcl(file: string, text: string): Promise<ParsedHcl> {
  // Most job files are plain HCL2: hcl2-plain.ts reads them in-thread to the tree hcl2json
  // would give (or says null), sparing the ~2–6 ms IPC round trip and the pool's load.
  const plain = parsePlainHcl2(text);
  if (plain !== null) return { tree: plain, diagnostics: [], locate: locator(file, text) };
  return parseHclWithParser(file, text);
}

/** Position in the user's file of an offset in its text. */
function locator(file: string, text: string): (offset: number) => Position {
  const lines = new LineIndex(text);
  return (offset) => ({ file, ...lines.lineCol(offset) });
}

/** parseHcl without the fast path: every file through the parser processes (and tests comparing the two). */
export async function parseHclWithParser(file: string, text: string): Promise<ParsedHcl> {
  const parse = await loadParser();
  const locate = locator(file, text);
  const started = performance.now();
  const first = await hcl2(parse, text);
  if (first.tree) return { tree: first.tree, diagnostics: [], locate };
  // One time limit per file for both grammars: a file that exhausted the HCL2 parser (or
  // crashed it) is hostile, not HCL1, and HCL1 gets what is left of the limit.
  const left = PARSE_TIMEOUT_MS - (performance.now() - started);
  if (first.failed || left < MIN_HCL1_MS) return { tree: null, diagnostics: toDiagnostics(file, first, text, locate), locate };
  await parse(file, '', 'hcl1-load', HCL1_LOAD_TIMEOUT_MS).catch(() => undefined); // a failed load shows as the HCL1 attempt's own error
  const hcl1 = await attemptHcl1(parse, file, text, left);
  if (hcl1.tree) {
    const note = makeDiagnostic('HCL1_PARSED', {}, '', { file, line: 0, column: 0 });
    return { tree: fromHcl1(hcl1.tree), diagnostics: [note], locate };
  }
  return { tree: null, diagnostics: [...toDiagnostics(file, first, text, locate), hcl1.note], locate };
}

const BLOCK_CONVERT_RE = /Unable to convert Block to JSON: ([A-Za-z0-9_-]+)/;

/**
 * HCL2 through hcl2json, and again with labels nested (hcl2-labels.ts) for each block type
 * hcl2json says it cannot convert. The rewrite only reshapes blocks inside the same
 * positions' lines, so diagnostics and the decoder's outline stay on the user's text.
 */
async function hcl2(parse: Parse, text: string): Promise<Attempt> {
  let a = await attempt(parse, text);
  const types: string[] = [];
  for (let round = 0; round < 5 && a.tree === null && a.raw.length === 0; round++) {
    const m = BLOCK_CONVERT_RE.exec(a.message);
    if (m === null || types.includes(m[1])) break;
    types.push(m[1]);
    const rewrite = nestLabels(text, types);
    if (rewrite === null) break;
    const again = await attempt(parse, rewrite.text);
    if (again.tree === null && again.raw.length > 0) break; // keep the first attempt's diagnostics
    a = again;
  }
  return a;
}

const HCL1_AT = /At (\d+):(\d+): (.*)$/s;

/** Below this, an HCL1 attempt could not finish a real job file anyway. */
const MIN_HCL1_MS = 250;

async function attemptHcl1(parse: Parse, file: string, text: string, timeoutMs: number): Promise<{ readonly tree: HclObject | null; readonly note: Diagnostic }> {
  try {
    return { tree: (await parse(file, text, 'hcl1', timeoutMs)) as HclObject, note: makeDiagnostic('HCL1_PARSED', {}, '', { file, line: 0, column: 0 }) };
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).replace(/^unable to parse JSON: /, '');
    const m = HCL1_AT.exec(message);
    const at = m ? { file, line: Number(m[1]), column: Number(m[2]) } : { file, line: 0, column: 0 };
    return { tree: null, note: makeDiagnostic('HCL1_FAILED', { detail: message }, '', at) };
  }
}

interface Attempt {
  readonly tree: HclObject | null;
  readonly raw: readonly RawDiag[];
  readonly message: string;
  /** The parser itself gave no answer (time limit, crash), rather than an HCL error. */
  readonly failed: boolean;
}

async function attempt(parse: Parse, text: string): Promise<Attempt> {
  try {
    const tree = (await parse(TAG, text, 'hcl2')) as HclObject;
    return { tree, raw: [], message: '', failed: false };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { tree: null, raw: splitParserError(message), message, failed: err instanceof ParserFailure };
  }
}

function toDiagnostics(file: string, a: Attempt, text: string, locate: (o: number) => Position): Diagnostic[] {
  if (a.raw.length === 0) {
    const detail = a.message.replace(/^Error: /, '').replace(/^(?:[a-z ]+: )+/, '');
    return [makeDiagnostic('PARSER_LIMIT', { detail }, '', { file, line: 0, column: 0 })];
  }
  const lines = new LineIndex(text);
  const shown = a.raw.slice(0, MAX_SYNTAX_DIAGNOSTICS);
  const out = shown.map((d) => {
    const at = locate(lines.offsetOf(d.line, d.column));
    const detail = d.detail.split(TAG).join(file);
    return makeDiagnostic('SYNTAX', { summary: d.summary, detail }, '', at);
  });
  const hidden = a.raw.length - shown.length;
  if (hidden > 0) {
    const last = out[out.length - 1];
    out.push(makeDiagnostic('SYNTAX', { summary: `${hidden} more syntax errors not shown`, detail: 'fix the ones above first' }, '', { file, line: last.line, column: last.column }));
  }
  return out;
}

/** A hostile file can carry a hundred thousand syntax errors; nobody reads past the first few. */
const MAX_SYNTAX_DIAGNOSTICS = 50;

