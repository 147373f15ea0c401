/**
 * Runs parseJobFile on inputs sent by the fuzzer, in a worker thread so that a hang can be
 * ended from outside (worker.terminate()). Checks the parser's contract on each input:
 * no throw; a rejection carries at least one error diagnostic; every diagnostic has a
 * message and formats; an accepted job hashes.
 */
import { parentPort } from 'node:worker_threads';
import { canonicalHash, formatDiagnostic, parseJobFile } from '../../src/jobspec/index.js';

export interface ParseRequest {
  readonly id: number;
  readonly file: string;
  readonly bytes: Uint8Array;
}

export type ParseVerdict =
  | { readonly id: number; readonly ok: true; readonly accepted: boolean; readonly codes: readonly string[] }
  | { readonly id: number; readonly ok: false; readonly kind: 'throw' | 'contract'; readonly message: string };

const utf8 = new TextDecoder('utf-8', { fatal: false });

async function check(req: ParseRequest): Promise<ParseVerdict> {
  // Invalid UTF-8 reaches the parser as replacement characters, as from a lenient caller.
  const text = utf8.decode(req.bytes);
  let r;
  try {
    r = await parseJobFile(req.file, text);
  } catch (err) {
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
  if (problems.length > 0) return { id: req.id, ok: false, kind: 'contract', message: problems.join('; ') };
  return { id: req.id, ok: true, accepted: r.job !== null, codes: [...new Set(r.diagnostics.map((d) => d.code))] };
}

parentPort?.on('message', (req: ParseRequest) => {
  void check(req).then((v) => parentPort?.postMessage(v));
});
