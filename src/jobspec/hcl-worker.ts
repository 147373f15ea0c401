/**
 * The HCL parser's own thread. `@cdktn/hcl2json` runs Go compiled to WebAssembly; a hostile
 * file can crash that Go runtime for good ("Go program has already exited") or keep it busy
 * for minutes. Here it can do neither to the agent: the host (hcl-host.ts) times each parse
 * out and replaces this thread when it dies.
 */
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

/** `js-hcl-parser`: HashiCorp's Go HCL1 compiled to JavaScript; the tree as JSON text, or an error sentence. */
type Hcl1 = { readonly parse: (text: string) => string };

export interface ParseRequest {
  readonly file: string;
  readonly text: string;
  /** `hcl1` only when HCL2 refused the file: Nomad ≤ 0.12 files, read as `nomad job run -hcl1` reads them. */
  readonly grammar: 'hcl2' | 'hcl1';
}

const port = parentPort;
if (port) {
  const { parse } = await import('@cdktn/hcl2json');
  // Loaded on the first HCL1 file only: ~120 ms and ~20 MB that most agents never pay.
  let hcl1: Hcl1 | null = null;
  const parseHcl1 = (text: string): unknown => {
    hcl1 ??= createRequire(import.meta.url)('js-hcl-parser') as Hcl1;
    const out = hcl1.parse(text);
    // Its errors are sentences, never JSON: `unable to parse JSON: At 1:7: …`.
    if (!out.startsWith('{')) throw new Error(out);
    return JSON.parse(out) as unknown;
  };
  port.on('message', (msg: ParseRequest) => {
    if (msg.grammar === 'hcl1') {
      try {
        port.postMessage({ ok: true, tree: parseHcl1(msg.text) });
      } catch (err) {
        port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
      }
      return;
    }
    parse(msg.file, msg.text).then(
      (tree: unknown) => port.postMessage({ ok: true, tree }),
      (err: unknown) => port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) }),
    );
  });
  port.postMessage({ ready: true });
}
