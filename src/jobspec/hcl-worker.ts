/**
 * The HCL parser's own process. `@cdktn/hcl2json` runs Go compiled to WebAssembly; a hostile
 * file can crash that Go runtime for good ("Go program has already exited") or keep it busy
 * for minutes. Here it can do neither to the agent: the host (hcl-host.ts) times each parse
 * out and replaces this process when it dies. It ends with its parent's IPC channel.
 */
const send = process.send?.bind(process);
if (send) {
  const { parse } = await import('@cdktn/hcl2json');
  process.on('message', (msg: { readonly file: string; readonly text: string }) => {
    parse(msg.file, msg.text).then(
      (tree: unknown) => send({ ok: true, tree }),
      (err: unknown) => send({ ok: false, message: err instanceof Error ? err.message : String(err) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  send({ ready: true });
}
