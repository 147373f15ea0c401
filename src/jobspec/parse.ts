/**
 * The one place that calls the HCL parser. `@cdktn/hcl2json` is WebAssembly that costs
 * about half a second to load, so it is imported here, lazily, and nowhere else: commands
 * that never read a job file never pay for it. The decoder only sees the JSON tree.
 */
import { makeDiagnostic, type Position } from './diagnostics.js';
import { LineIndex } from './hcl-lex.js';
import { HclHost } from './hcl-host.js';
import { rewriteHcl1, type PrepassOptions } from './hcl1-prepass.js';
import type { Diagnostic } from './types.js';

/** The parser's JSON: blocks are arrays of objects, labels are object levels. */
export type HclValue = string | number | boolean | null | readonly HclValue[] | HclObject;
export interface HclObject {
  readonly [key: string]: HclValue;
}

export interface ParsedHcl {
  readonly tree: HclObject | null;
  readonly diagnostics: readonly Diagnostic[];
  /** The text the tree came from (the original, or its HCL1 rewrite). */
  readonly parsedText: string;
  /** Position in the user's file of an offset in `parsedText`. */
  readonly locate: (offset: number) => Position;
}

type Hcl2Json = (filename: string, contents: string) => Promise<Record<string, unknown>>;

/** How long one file may keep the parser busy; a 300-line job takes ~5 ms, a 1 MiB hostile one up to ~8 s. */
const PARSE_TIMEOUT_MS = 5_000;

/** A parser thread unused this long is let go (see HclHost): an idle agent keeps ~90 MB less. */
const PARSER_IDLE_MS = 60_000;

// One parser thread per process, made on first use: the WebAssembly module costs ~0.5 s to
// load, and `status` never gets here. It is the one process-wide object in jobspec.
let host: HclHost | null = null;

async function loadParser(): Promise<Hcl2Json> {
  host ??= new HclHost(PARSE_TIMEOUT_MS, PARSER_IDLE_MS);
  const h = host;
  return async (file, text) => (await h.parse(file, text)) as Record<string, unknown>;
}

/** A name with no spaces or colons, so the diagnostics regex cannot be confused by a path. */
const TAG = 'JOBFILE';
const DIAG_RE = new RegExp(`${TAG}:(\\d+),(\\d+)-(?:(\\d+),)?(\\d+): ([^;]+);`, 'g');
const BLOCK_CONVERT_RE = /Unable to convert Block to JSON: ([A-Za-z0-9_-]+)/;

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

export async function parseHcl(file: string, text: string): Promise<ParsedHcl> {
  const parse = await loadParser();
  const lines = new LineIndex(text);
  const identity = (offset: number): Position => ({ file, ...lines.lineCol(offset) });
  const first = await attempt(parse, text);
  if (first.tree) return { tree: first.tree, diagnostics: [], parsedText: text, locate: identity };

  const opts = retryOptions(text, first);
  const rewrite = opts ? rewriteHcl1(text, opts) : null;
  if (rewrite) {
    const second = await attempt(parse, rewrite.text);
    const locate = (offset: number): Position => ({ file, ...lines.lineCol(rewrite.toOriginal(offset)) });
    const note = makeDiagnostic('HCL1_REWRITTEN', { changes: rewrite.changes.join(', ') }, '', { file, line: 0, column: 0 });
    if (second.tree) return { tree: second.tree, diagnostics: [note], parsedText: rewrite.text, locate };
    return { tree: null, diagnostics: toDiagnostics(file, second, rewrite.text, locate), parsedText: rewrite.text, locate };
  }
  return { tree: null, diagnostics: toDiagnostics(file, first, text, identity), parsedText: text, locate: identity };
}

interface Attempt {
  readonly tree: HclObject | null;
  readonly raw: readonly RawDiag[];
  readonly message: string;
}

async function attempt(parse: Hcl2Json, text: string): Promise<Attempt> {
  try {
    const tree = (await parse(TAG, text)) as HclObject;
    return { tree, raw: [], message: '' };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { tree: null, raw: splitParserError(message), message };
  }
}

/** Which HCL1 rewrites the first failure calls for, judged by what sits at each position. */
function retryOptions(text: string, a: Attempt): PrepassOptions | null {
  let decimals = false;
  let quotedKeys = false;
  const lines = new LineIndex(text);
  for (const d of a.raw) {
    const at = lines.offsetOf(d.line, d.column);
    if (text[at] === '.' && /[0-9]/.test(text[at + 1] ?? '')) decimals = true;
    if (text[at] === '"') quotedKeys = true;
  }
  const m = a.raw.length === 0 ? BLOCK_CONVERT_RE.exec(a.message) : null;
  const nestLabelsOf = m ? [m[1]] : [];
  if (!decimals && !quotedKeys && nestLabelsOf.length === 0) return null;
  // Once retrying, rewrite every HCL1 form: the first parse stops reporting after a few.
  return { decimals: true, quotedKeys: true, nestLabelsOf };
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

