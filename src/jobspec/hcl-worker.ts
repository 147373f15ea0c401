/**
 * The HCL parser's own process. `@cdktn/hcl2json` runs Go compiled to WebAssembly; a hostile
 * file can crash that Go runtime for good ("Go program has already exited") or keep it busy
 * for minutes. Here it can do neither to the agent: the host (hcl-host.ts) times each parse
 * out and replaces this process when it dies. It ends with its parent's IPC channel.
 */
import { createRequire } from 'node:module';

/** `js-hcl-parser`: HashiCorp's Go HCL1 compiled to JavaScript; the tree as JSON text, or an error sentence. */
type Hcl1 = { readonly parse: (text: string) => string };

export interface ParseRequest {
  readonly file: string;
  readonly text: string;
  /**
   * `hcl1` only when HCL2 refused the file: Nomad ≤ 0.12 files, read as `nomad job run -hcl1`
   * reads them. `hcl1-load` loads that grammar, so its load is not counted against a file.
   */
  readonly grammar: 'hcl2' | 'hcl1' | 'hcl1-load';
}

const send = process.send?.bind(process);
if (send) {
  const { parse } = await import('@cdktn/hcl2json');
  // Loaded on the first HCL1 file only: ~120 ms and ~20 MB that most agents never pay.
  let hcl1: Hcl1 | null = null;
  const loadHcl1 = (): Hcl1 => (hcl1 ??= createRequire(import.meta.url)('js-hcl-parser') as Hcl1);
  const parseHcl1 = (text: string): unknown => {
    const out = loadHcl1().parse(text);
    // Its errors are sentences, never JSON: `unable to parse JSON: At 1:7: …`.
    if (!out.startsWith('{')) throw new Error(out);
    return JSON.parse(out) as unknown;
  };
  process.on('message', (msg: ParseRequest) => {
    if (msg.grammar === 'hcl1-load') {
      loadHcl1();
      send({ ok: true, tree: null });
      return;
    }
    if (msg.grammar === 'hcl1') {
      try {
        send({ ok: true, tree: parseHcl1(msg.text) });
      } catch (err) {
        send({ ok: false, message: err instanceof Error ? err.message : String(err) });
      }
      return;
    }
    parse(msg.file, msg.text).then(
      (tree: unknown) => send({ ok: true, tree }),
      (err: unknown) => send({ ok: false, message: err instanceof Error ? err.message : String(err) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  send({ ready: true });
}
