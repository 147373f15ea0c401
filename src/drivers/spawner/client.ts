/**
 * The agent's side of the spawner helper (spawner-main.ts): starts it on first use, sends
 * requests, matches answers, and hands each started process's end to whoever waits on it.
 *
 * If the helper dies, requests in flight fail (the caller's start fails and is retried by
 * the task's restart policy after its orphan sweep, as for any failed start), processes it
 * had started are reported `lost` (their exit comes from the shim's exit file instead, as
 * for a recovered task), and the next request starts a new helper.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BivouacError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import { decodeMessage, lineSplitter, type SpawnerMessage, type SpawnRequest } from './protocol.js';

export type SpawnExit = { readonly kind: 'exited'; readonly code: number | null; readonly signal: string | null } | { readonly kind: 'lost' };

export interface SpawnedProcess {
  readonly pid: number;
  /** Settles when the process ends, or with `lost` when the helper died first. */
  readonly exited: Promise<SpawnExit>;
}

export type SpawnOptions = Omit<SpawnRequest, 'id'>;

export interface Spawner {
  spawn(opts: SpawnOptions): Promise<SpawnedProcess>;
  /** Closes the helper's stdin; it exits and leaves its children running. */
  close(): void;
}

interface Pending {
  readonly resolve: (p: SpawnedProcess) => void;
  readonly reject: (e: Error) => void;
}

/** The helper's entry, beside this module both in the compiled tree and in the bundle. */
export const HELPER_URL = new URL('./spawner-main.js', import.meta.url);

export function createSpawner(log: Logger, helper: URL = HELPER_URL): Spawner {
  let proc: ChildProcess | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const exits = new Map<number, (e: SpawnExit) => void>();
  /** Exits reported before anyone asked (the reply and the exit can arrive in one read). */
  const early = new Map<number, SpawnExit>();

  const onMessage = (m: SpawnerMessage): void => {
    switch (m.kind) {
      case 'started': {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (!p) return;
        const exited = new Promise<SpawnExit>((resolve) => {
          const done = early.get(m.pid);
          if (done) {
            early.delete(m.pid);
            resolve(done);
          } else exits.set(m.pid, resolve);
        });
        p.resolve({ pid: m.pid, exited });
        return;
      }
      case 'failed': {
        const p = pending.get(m.id);
        pending.delete(m.id);
        p?.reject(new BivouacError('DRIVER_START', m.message));
        return;
      }
      case 'exited': {
        const e: SpawnExit = { kind: 'exited', code: m.code, signal: m.signal };
        const w = exits.get(m.pid);
        exits.delete(m.pid);
        if (w) w(e);
        else early.set(m.pid, e);
        return;
      }
    }
  };

  const lose = (why: string): void => {
    proc = null;
    for (const p of pending.values()) p.reject(new BivouacError('DRIVER_START', `the process spawner died (${why}) before answering`));
    pending.clear();
    for (const w of exits.values()) w({ kind: 'lost' });
    exits.clear();
    early.clear();
  };

  const ensure = (): ChildProcess => {
    if (proc) return proc;
    const p = spawn(process.execPath, [helper.pathname], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    proc = p;
    p.stdout?.on('data', lineSplitter((line) => {
      const m = decodeMessage(line);
      if (m) onMessage(m);
      else log.warn({ line: line.slice(0, 200) }, 'spawner said something unexpected');
    }));
    p.stderr?.on('data', (b: Buffer) => log.warn({ stderr: b.toString().slice(0, 500) }, 'spawner stderr'));
    p.stdin?.on('error', (err) => log.debug({ err }, 'spawner stdin closed'));
    p.once('exit', (code, signal) => {
      if (proc === p) {
        log.warn({ code, signal }, 'process spawner exited; the next start runs a new one');
        lose(signal ?? `exit ${code}`);
      }
    });
    p.once('error', (err) => {
      if (proc === p) {
        log.error({ err }, 'process spawner failed');
        lose(err.message);
      }
    });
    // Only in-flight work keeps the agent alive, never the helper by itself.
    p.unref();
    return p;
  };

  const refresh = (): void => {
    const busy = pending.size > 0 || exits.size > 0;
    const p = proc;
    if (!p) return;
    if (busy) p.ref();
    else p.unref();
    for (const s of [p.stdout, p.stderr]) {
      const h = s as unknown as { ref?: () => void; unref?: () => void } | null;
      if (busy) h?.ref?.();
      else h?.unref?.();
    }
  };

  return {
    spawn(opts: SpawnOptions): Promise<SpawnedProcess> {
      const p = ensure();
      const id = nextId++;
      return new Promise<SpawnedProcess>((resolve, reject) => {
        pending.set(id, {
          resolve: (sp) => {
            refresh();
            resolve({ pid: sp.pid, exited: sp.exited.finally(refresh) });
          },
          reject: (e) => {
            refresh();
            reject(e);
          },
        });
        refresh();
        p.stdin?.write(JSON.stringify({ id, ...opts }) + '\n');
      });
    },
    close(): void {
      const p = proc;
      proc = null;
      p?.stdin?.end();
      lose('closed');
    },
  };
}
