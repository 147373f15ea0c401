import { Worker } from 'node:worker_threads';
import type { ParseRequest } from './hcl-worker.js';

/** The parser gave no answer: its runtime died or it ran past the time limit. */
export class ParserFailure extends Error {}

type Reply = { readonly ok: true; readonly tree: unknown } | { readonly ok: false; readonly message: string };

/**
 * Runs hcl2json in a worker thread, one file at a time, each within `timeoutMs`. A parse
 * that runs over, or a worker whose Go runtime has died, gets the worker replaced; the
 * file gets a ParserFailure, and the next file a fresh parser. The worker is unref'd, so
 * it never keeps a CLI process alive.
 */
export class HclHost {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly timeoutMs: number) {}

  /** `timeoutMs` overrides the host's limit for this file only. */
  parse(file: string, text: string, timeoutMs = this.timeoutMs, grammar: ParseRequest['grammar'] = 'hcl2'): Promise<unknown> {
    const next = this.queue.then(() => this.run({ file, text, grammar }, true, timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private start(): Promise<void> {
    const here = new URL(import.meta.url);
    // Under tsx (tests of single files while developing) the worker is TypeScript too.
    const ts = here.pathname.endsWith('.ts');
    const w = new Worker(new URL(ts ? './hcl-worker.ts' : './hcl-worker.js', here), ts ? { execArgv: ['--import', 'tsx'] } : {});
    w.unref();
    this.worker = w;
    this.ready = new Promise((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
      w.once('exit', (code) => reject(new ParserFailure(`the HCL parser exited (${code}) while loading`)));
    });
    return this.ready;
  }

  private recycle(): void {
    const w = this.worker;
    this.worker = null;
    this.ready = null;
    if (w) void w.terminate();
  }

  private async run(req: ParseRequest, retry: boolean, timeoutMs: number): Promise<unknown> {
    if (!this.worker || !this.ready) this.start();
    try {
      await this.ready;
    } catch (err) {
      this.recycle();
      throw err instanceof ParserFailure ? err : new ParserFailure(`the HCL parser failed to load: ${String(err)}`);
    }
    const w = this.worker as Worker;
    const reply = await new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        this.recycle();
        reject(new ParserFailure(`the HCL parser gave no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (r: Reply): void => {
        cleanup();
        resolve(r);
      };
      const onExit = (code: number): void => {
        cleanup();
        this.recycle();
        reject(new ParserFailure(`the HCL parser stopped (exit ${code}) on this file`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('exit', onExit);
        w.off('error', onExit);
      };
      w.on('message', onMessage);
      w.on('exit', onExit);
      w.on('error', onExit);
      w.postMessage(req);
    });
    if (reply.ok) return reply.tree;
    // The Go runtime inside the WebAssembly module has died (a fatal error of its own,
    // perhaps on an earlier file); it answers every later call with this text and nothing
    // else. It has no error codes, so the text is all there is to go on. A fresh worker
    // gets one more try before this file is blamed.
    if (reply.message.includes('Go program has already exited')) {
      this.recycle();
      if (retry) return this.run(req, false, timeoutMs);
      throw new ParserFailure('the HCL parser crashed on this file');
    }
    throw new Error(reply.message);
  }
}
