/**
 * The HCL parser's own thread. `@cdktn/hcl2json` runs Go compiled to WebAssembly; a hostile
 * file can crash that Go runtime for good ("Go program has already exited") or keep it busy
 * for minutes. Here it can do neither to the agent: the host (hcl-host.ts) times each parse
 * out and replaces this thread when it dies.
 */
import { parentPort } from 'node:worker_threads';

const port = parentPort;
if (port) {
  const { parse } = await import('@cdktn/hcl2json');
  port.on('message', (msg: { readonly file: string; readonly text: string }) => {
    parse(msg.file, msg.text).then(
      (tree: unknown) => port.postMessage({ ok: true, tree }),
      (err: unknown) => port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) }),
    );
  });
  port.postMessage({ ready: true });
}
