/**
 * One of the processes of the thousand-jobs floor "on both cores": a small Node process that
 * starts its share of the tasks through bench/task-layout.ts when its parent says `go`, says
 * how long that took, and on `stop` stops them, removes what it made and exits.
 * Protocol (IPC): parent → { go: count } then { stop: true }; worker → { ready }, { doneMs }, { stopped }.
 */
import { createTaskLayout, startBurst } from './task-layout.js';

type Message = { readonly go: number } | { readonly stop: true };

function send(m: Readonly<Record<string, unknown>>): void {
  process.send?.(m);
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const layout = createTaskLayout('bivouac-bench-worker-');
let closing: Promise<void> | null = null;
/** Stops and removes everything once, whether the parent asks or goes away. */
const close = (): Promise<void> => (closing ??= layout.close());
// A parent that dies leaves nothing of ours behind either.
process.on('disconnect', () => void close().finally(() => process.exit(0)));
await layout.sparesReady();
process.on('message', (m: Message) => {
  if ('go' in m) {
    void startBurst(layout, m.go, `w${process.pid}`).then(
      (r) => send({ doneMs: r.wallMs }),
      (e: unknown) => send({ error: messageOf(e) }),
    );
  } else {
    void close().then(
      () => send({ stopped: true }),
      (e: unknown) => send({ error: messageOf(e) }),
    ).finally(() => process.disconnect());
  }
});
send({ ready: true });
