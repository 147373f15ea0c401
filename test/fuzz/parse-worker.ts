/**
 * Runs parseJobFile on inputs sent by the fuzzer, in a worker thread so that a hang can be
 * ended from outside (worker.terminate()). Checks the parser's contract on each input:
 * no throw; a rejection carries at least one error diagnostic; every diagnostic has a
 * message and formats; an accepted job hashes.
 *
 * Each verdict carries the parse's own time (`parseMs`): the parser process and both HCL
 * grammars are loaded before the clock starts (on the first input, and again after an
 * input on which the parser gave no answer and was replaced), so a cold start on a busy
 * machine is not counted against the input. And whether the verdict was the parser's
 * time limit rather than an answer (`noAnswer`): on another run, or a less busy machine,
 * the same file may parse.
 */
import { parentPort } from 'node:worker_threads';
import { canonicalHash, formatDiagnostic, parseJobFile, type Diagnostic } from '../../src/jobspec/index.js';

export interface ParseRequest {
  readonly id: number;
  readonly file: string;
  readonly bytes: Uint8Array;
}

export type ParseVerdict =
  | { readonly id: number; readonly ok: true; readonly accepted: boolean; readonly codes: readonly string[]; readonly parseMs: number; readonly noAnswer: boolean }
  | { readonly id: number; readonly ok: false; readonly kind: 'throw' | 'contract'; readonly message: string };

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** HCL2 refuses it (the comma) and HCL1 reads it: parsing it loads the parser and both grammars. */
const WARM_UP = 'a = 1, b = 2\n';
let warm = false;

/** The messages of the product's ParserFailure (src/jobspec/hcl-host.ts), as HCL1_FAILED carries them. */
const PARSER_FAILED_RE = /the HCL parser (?:gave no answer|stopped|crashed|exited|failed to load)/;

/**
 * The parser gave no answer on the file rather than a verdict: PARSER_LIMIT (HCL2 ran out of
 * time or crashed), HCL1 ran out of time or crashed, or HCL2's syntax errors with no HCL1
 * note at all (HCL2 used the time, so HCL1 was never tried; see parseHcl).
 */
function isNoAnswer(ds: readonly Diagnostic[]): boolean {
  if (ds.some((d) => d.code === 'PARSER_LIMIT')) return true;
  if (ds.some((d) => d.code === 'HCL1_FAILED' && PARSER_FAILED_RE.test(d.message))) return true;
  return ds.some((d) => d.code === 'SYNTAX') && !ds.some((d) => d.code === 'HCL1_FAILED' || d.code === 'HCL1_PARSED');
}

async function check(req: ParseRequest): Promise<ParseVerdict> {
  // Invalid UTF-8 reaches the parser as replacement characters, as from a lenient caller.
  const text = utf8.decode(req.bytes);
  if (!warm) {
    await parseJobFile('warm-up.nomad', WARM_UP).catch(() => undefined);
    warm = true;
  }
  let r;
  const t0 = performance.now();
  try {
    r = await parseJobFile(req.file, text);
  } catch (err) {
    warm = false;
    return { id: req.id, ok: false, kind: 'throw', message: `parseJobFile threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` };
  }
  const problems: string[] = [];
  if (typeof r !== 'object' || r === null || !Array.isArray(r.diagnostics)) {
    return { id: req.id, ok: false, kind: 'contract', message: 'no { job, diagnostics } result' };
  }
  for (const d of r.diagnostics) {
    if (typeof d.message !== 'string' || d.message.trim() === '') problems.push(`diagnostic ${d.code} has no message`);
    try {
      const s = formatDiagnostic(d);
      if (typeof s !== 'string' || s.trim() === '') problems.push(`diagnostic ${d.code} formats to nothing`);
    } catch (err) {
      problems.push(`formatDiagnostic threw on ${d.code}: ${String(err)}`);
    }
  }
  if (r.job === null) {
    if (!r.diagnostics.some((d) => d.severity === 'error')) problems.push('rejected without an error diagnostic');
  } else {
    if (r.diagnostics.some((d) => d.severity === 'error')) problems.push('a job came back beside an error diagnostic');
    try {
      canonicalHash(r.job);
    } catch (err) {
      problems.push(`canonicalHash threw: ${String(err)}`);
    }
  }
  const parseMs = performance.now() - t0;
  if (problems.length > 0) return { id: req.id, ok: false, kind: 'contract', message: problems.join('; ') };
  const noAnswer = isNoAnswer(r.diagnostics);
  // The product replaced the parser after no answer: the next input gets a loaded one again.
  if (noAnswer) warm = false;
  return { id: req.id, ok: true, accepted: r.job !== null, codes: [...new Set(r.diagnostics.map((d) => d.code))], parseMs, noAnswer };
}

parentPort?.on('message', (req: ParseRequest) => {
  void check(req).then((v) => parentPort?.postMessage(v));
});
