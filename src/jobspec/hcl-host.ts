import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ParseRequest } from './hcl-worker.js';

/** The parser gave no answer: its runtime died or it ran past the time limit. */
export class ParserFailure extends Error {}

type Reply = { readonly ok: true; readonly tree: unknown } | { readonly ok: false; readonly message: string };

/**
 * Runs hcl2json in a child process of its own, one file at a time, each within `timeoutMs`.
 * A parse that runs over, or a parser whose Go runtime has died, gets the process replaced;
 * the file gets a ParserFailure, and the next file a fresh parser. The process is unref'd,
 * so it never keeps a CLI process alive.
 *
 * A parser idle for `idleMs` is let go: the Go runtime inside holds ~90 MB, most of an idle
 * agent's memory, for files that change rarely; the next file pays the load (~0.6–1 s here).
 * A process, not a worker thread, because a thread's memory stays with the agent after the
 * thread ends (measured: RSS 45 MB → 135 loaded → 109 after terminate; glibc keeps it).
 */
export class HclHost {
  private worker: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly timeoutMs: number,
    private readonly idleMs = Infinity,
  ) {}

  /** `timeoutMs` overrides the host's limit for this file only. */
  parse(file: string, text: string, timeoutMs = this.timeoutMs, grammar: ParseRequest['grammar'] = 'hcl2'): Promise<unknown> {
    this.inFlight++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const next = this.queue.then(() => this.run({ file, text, grammar }, true, timeoutMs));
    this.queue = next.catch(() => undefined).finally(() => {
      if (--this.inFlight === 0) this.armIdle();
    });
    return next;
  }

  /**
   * Loads the parser if it is not loaded, so a caller can time a parse without its load (a
   * cold start takes ~0.5–3 s on a busy machine). Never throws: a parser that fails to load
   * is reported by the parse that follows.
   */
  async warm(): Promise<void> {
    if (!this.worker || !this.ready) this.start();
    const w = this.worker as ChildProcess;
    w.ref();
    w.channel?.ref();
    try {
      await this.ready;
    } catch {
      this.recycle();
    } finally {
      w.unref();
      w.channel?.unref();
    }
  }

  /** Files queued or being parsed here. */
  get pending(): number {
    return this.inFlight;
  }

  /** Whether a parser process is loaded now (for tests). */
  get loaded(): boolean {
    return this.worker !== null;
  }

  private armIdle(): void {
    if (!Number.isFinite(this.idleMs) || this.worker === null) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.inFlight === 0) this.recycle();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private start(): Promise<void> {
    const here = new URL(import.meta.url);
    // Under tsx (tests of single files while developing) the parser entry is TypeScript too.
    const ts = here.pathname.endsWith('.ts');
    const entry = new URL(ts ? './hcl-worker.ts' : './hcl-worker.js', here);
    const w = fork(fileURLToPath(entry), [], {
      execArgv: ts ? ['--import', 'tsx'] : [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    // Never keeps a CLI process alive by itself: a parse in flight holds its own timer.
    w.unref();
    w.channel?.unref();
    this.worker = w;
    this.ready = new Promise((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
      w.once('exit', (code, signal) => reject(new ParserFailure(`the HCL parser exited (${signal ?? code}) while loading`)));
    });
    return this.ready;
  }

  private recycle(): void {
    const w = this.worker;
    this.worker = null;
    this.ready = null;
    if (w && w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  }

  private async run(req: ParseRequest, retry: boolean, timeoutMs: number): Promise<unknown> {
    if (!this.worker || !this.ready) this.start();
    // Held while this file is parsed (the load included), so a CLI waits for its answer.
    const held = this.worker as ChildProcess;
    held.ref();
    held.channel?.ref();
    try {
      return await this.exchange(req, retry, timeoutMs);
    } finally {
      held.unref();
      held.channel?.unref();
    }
  }

  private async exchange(req: ParseRequest, retry: boolean, timeoutMs: number): Promise<unknown> {
    try {
      await this.ready;
    } catch (err) {
      this.recycle();
      throw err instanceof ParserFailure ? err : new ParserFailure(`the HCL parser failed to load: ${String(err)}`);
    }
    const w = this.worker as ChildProcess;
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
      const onExit = (code: unknown): void => {
        cleanup();
        this.recycle();
        reject(new ParserFailure(`the HCL parser stopped (${String(code)}) on this file`));
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
      w.send(req);
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
