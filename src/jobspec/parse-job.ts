/**
 * Text in, `ParseResult` out: parse, evaluate variables, decode with defaults, validate.
 * Bad input never throws; it is diagnostics, and `job` is null when any is an error.
 */
import type { Position } from './diagnostics.js';
import { decodeRoot } from './decode-job.js';
import type { Sink } from './decode-ctx.js';
import { outline } from './hcl-outline.js';
import { parseHcl } from './parse.js';
import type { Diagnostic, ParseResult } from './types.js';
import { validateJob } from './validate.js';
import { buildScope } from './variables.js';

export interface ParseOptions {
  /** `-var k=v` values. */
  readonly vars?: Readonly<Record<string, string>>;
}

export async function parseJobFile(file: string, text: string, opts: ParseOptions = {}): Promise<ParseResult> {
  const parsed = await parseHcl(file, text);
  if (parsed.tree === null) return { job: null, diagnostics: parsed.diagnostics };

  const src = parsed.parsedText;
  const find = (needle: string): Position => {
    const at = src.indexOf(needle);
    return at < 0 ? { file, line: 0, column: 0 } : parsed.locate(at);
  };
  const scope = buildScope({ root: parsed.tree, given: opts.vars ?? {}, find });
  const root = parsed.tree['job'] === undefined ? parsed.tree : { ...parsed.tree, job: scope.resolve(parsed.tree['job']) };

  const sink: Sink = { file, locate: parsed.locate, diagnostics: [], positions: new Map() };
  const job = decodeRoot({ body: root, path: '', ob: outline(src).root, sink });
  const checks = job === null ? [] : validateJob({ job, file, positions: sink.positions });

  const diagnostics: Diagnostic[] = [...parsed.diagnostics, ...scope.diagnostics, ...sink.diagnostics, ...checks];
  const failed = diagnostics.some((d) => d.severity === 'error');
  return { job: failed ? null : job, diagnostics };
}
