/**
 * Text in, `ParseResult` out: parse, evaluate variables, decode with defaults, validate.
 * Bad input never throws; it is diagnostics, and `job` is null when any is an error.
 */
import type { Position } from './diagnostics.js';
import { decodeRoot } from './decode-job.js';
import { confinedReader } from './files.js';
import type { Sink } from './decode-ctx.js';
import { outline } from './hcl-outline.js';
import { parseHcl } from './parse.js';
import type { Diagnostic, ParseResult } from './types.js';
import { validateJob } from './validate.js';
import { buildScope } from './variables.js';

export interface ParseOptions {
  /** `-var k=v` values. */
  readonly vars?: Readonly<Record<string, string>>;
  /** What HCL2's file() reads; by default files beside `file`, confined to its directory (files.ts). */
  readonly readFile?: (path: string) => string;
}

export async function parseJobFile(file: string, text: string, opts: ParseOptions = {}): Promise<ParseResult> {
  const parsed = await parseHcl(file, text);
  if (parsed.tree === null) return { job: null, diagnostics: parsed.diagnostics };

  const src = text;
  const find = (needle: string): Position => {
    const at = src.indexOf(needle);
    return at < 0 ? { file, line: 0, column: 0 } : parsed.locate(at);
  };
  const scope = buildScope({ root: parsed.tree, given: opts.vars ?? {}, find, readFile: opts.readFile ?? confinedReader(file) });
  const root = parsed.tree['job'] === undefined ? parsed.tree : { ...parsed.tree, job: scope.resolve(parsed.tree['job']) };

  const sink: Sink = { file, locate: parsed.locate, diagnostics: [], positions: new Map() };
  const job = decodeRoot({ body: root, path: '', ob: outline(src).root, sink });
  const checks = job === null ? [] : validateJob({ job, file, positions: sink.positions });

  const diagnostics = sortByPosition([...parsed.diagnostics, ...scope.diagnostics, ...sink.diagnostics, ...checks]);
  const failed = diagnostics.some((d) => d.severity === 'error');
  return { job: failed ? null : job, diagnostics };
}

/** File order reads best; diagnostics with no position keep their order, after the rest. */
function sortByPosition(ds: Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic): number => (d.line === 0 ? Number.MAX_SAFE_INTEGER : d.line * 1e6 + d.column);
  return ds.map((d, i) => ({ d, i })).sort((a, b) => key(a.d) - key(b.d) || a.i - b.i).map((x) => x.d);
}
