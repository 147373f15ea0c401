/**
 * The agent's side of the spawner helper (spawner-main.ts): starts it on first use, sends
 * requests, matches answers, and hands each started process's end to whoever waits on it.
 *
 * If the helper dies, requests in flight fail (the caller's start fails and is retried by
 * the task's restart policy after its orphan sweep, as for any failed start), processes it
 * had started are reported lost (their end then comes from polling /proc and the shim's exit
 * file, as for a recovered task), and the next request starts a new helper.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BivouacError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import { decodeMessage, lineSplitter, type Request, type SpawnerMessage, type SpawnRequest, type TreeEntry } from './protocol.js';

type ExitListener = (code: number | null, signal: NodeJS.Signals | null) => void;

/**
 * A process the helper started. It answers `once('exit')`, `ref()` and `unref()` as a
 * ChildProcess does, so a driver watches it the same way, plus `onLost` for a helper that
 * died before the process ended.
 */
export interface SpawnedProcess {
  readonly pid: number;
  /** /proc/<pid>/stat's start time, read by the helper before the release (requests with `join`). */
  readonly startTime: number | null;
  /** For a gated start: let the process run (`go`), or make it exit having run nothing. */
  release(go: boolean): void;
  once(event: 'exit', listener: ExitListener): this;
  onLost(listener: () => void): void;
  /** Keeps this process alive while someone awaits the exit (like ChildProcess.ref). */
  ref(): void;
  unref(): void;
}

export type SpawnOptions = Omit<SpawnRequest, 'id' | 'kind'>;

export interface Spawner {
  spawn(opts: SpawnOptions): Promise<SpawnedProcess>;
  /**
   * Task starts are expected within `forMs`: the helper keeps cgroup migrations cheap until
   * then (spawner-warm.ts). `hierarchy` is where the tasks' cgroups are joined.
   */
  warm(hierarchy: { readonly mount: string; readonly controller: string }, forMs: number): void;
  /** Has the helper make a directory tree and rename it into place (MakeTreeRequest). */
  makeTree(entries: readonly TreeEntry[], renameTo: string): Promise<void>;
  /** Closes the helper's stdin; it exits and leaves its children running. */
  close(): void;
}

/** The helper's entry, beside this module both in the compiled tree and in the bundle. */
export const HELPER_URL = new URL('./spawner-main.js', import.meta.url);

interface Watch {
  exit: ExitListener[];
  lost: (() => void)[];
  ended: { code: number | null; signal: NodeJS.Signals | null } | 'lost' | null;
}

export function createSpawner(log: Logger, helper: URL = HELPER_URL): Spawner {
  let proc: ChildProcess | null = null;
  let nextId = 1;
  let refs = 0;
  const pending = new Map<number, { resolve: (w: { pid: number; startTime: number | null; watch: Watch }) => void; reject: (e: Error) => void }>();
  const watches = new Map<number, Watch>();
  const trees = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();


  /** The helper (and its pipe) keeps the agent alive only while an answer or an awaited exit is due. */
  const refresh = (): void => {
    const p = proc;
    if (!p) return;
    const busy = pending.size > 0 || trees.size > 0 || refs > 0;
    for (const h of [p, p.stdout, p.stderr] as ({ ref?: () => void; unref?: () => void } | null)[]) {
      if (busy) h?.ref?.();
      else h?.unref?.();
    }
  };

  const onMessage = (m: SpawnerMessage): void => {
    if (m.kind === 'exited') {
      const w = watches.get(m.pid);
      watches.delete(m.pid);
      if (!w) return;
      const signal = m.signal as NodeJS.Signals | null;
      w.ended = { code: m.code, signal };
      for (const l of w.exit.splice(0)) l(m.code, signal);
      return;
    }
    const t = trees.get(m.id);
    if (t) {
      trees.delete(m.id);
      if (m.kind === 'made') t.resolve();
      else t.reject(new BivouacError('TASK_SETUP', m.kind === 'failed' ? m.message : 'unexpected answer'));
      refresh();
      return;
    }
    const p = pending.get(m.id);
    pending.delete(m.id);
    // The watch exists before anyone can ask, and before this pid's exit can be read.
    if (m.kind === 'made') return;
    if (m.kind === 'started') {
      const watch: Watch = { exit: [], lost: [], ended: null };
      watches.set(m.pid, watch);
      p?.resolve({ pid: m.pid, startTime: m.startTime ?? null, watch });
    } else p?.reject(new BivouacError('DRIVER_START', m.message));
    refresh();
  };

  const lose = (why: string): void => {
    proc = null;
    for (const p of pending.values()) p.reject(new BivouacError('DRIVER_START', `the process spawner ended (${why}) before answering`));
    pending.clear();
    for (const t of trees.values()) t.reject(new BivouacError('TASK_SETUP', `the process spawner ended (${why}) before answering`));
    trees.clear();
    for (const w of watches.values()) {
      w.ended = 'lost';
      for (const l of w.lost.splice(0)) l();
    }
    watches.clear();
  };

  const send = (r: Request): void => {
    proc?.stdin?.write(JSON.stringify(r) + '\n');
  };

  const ensure = (): ChildProcess => {
    if (proc) return proc;
    // Its own session: a terminal's Ctrl-C to the agent's group is the agent's to handle.
    const p = spawn(process.execPath, [helper.pathname], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    proc = p;
    p.stdout?.on('data', lineSplitter((line) => {
      const m = decodeMessage(line);
      if (m) onMessage(m);
      else log.warn({ line: line.slice(0, 200) }, 'spawner said something unexpected');
    }));
    p.stderr?.on('data', (b: Buffer) => log.warn({ stderr: b.toString().slice(0, 500) }, 'spawner stderr'));
    p.stdin?.on('error', (err) => log.debug({ err }, 'spawner stdin closed'));
    const ended = (why: string): void => {
      if (proc !== p) return;
      log.warn({ why }, 'process spawner ended; the next start runs a new one');
      lose(why);
    };
    p.once('exit', (code, signal) => ended(signal ?? `exit ${code}`));
    p.once('error', (err) => ended(err.message));
    refresh();
    return p;
  };

  /** `w` is held here, not looked up: the map lets go of it once the process has ended. */
  const handle = (id: number, pid: number, startTime: number | null, w: Watch): SpawnedProcess => {
    let reffed = false;
    const self: SpawnedProcess = {
      pid,
      startTime,
      release(go) {
        send({ kind: 'release', id, go });
      },
      once(_event, listener) {
        const ended = w.ended;
        if (ended === null) w.exit.push(listener);
        else if (ended !== 'lost') listener(ended.code, ended.signal);
        return self;
      },
      onLost(listener) {
        if (w.ended === null) w.lost.push(listener);
        else if (w.ended === 'lost') listener();
      },
      ref() {
        if (!reffed) refs++;
        reffed = true;
        refresh();
      },
      unref() {
        if (reffed) refs--;
        reffed = false;
        refresh();
      },
    };
    // An ended process holds nothing open, whoever forgot to unref it.
    w.exit.push(() => self.unref());
    w.lost.push(() => self.unref());
    return self;
  };

  return {
    async spawn(opts: SpawnOptions): Promise<SpawnedProcess> {
      ensure();
      const id = nextId++;
      const { pid, startTime, watch } = await new Promise<{ pid: number; startTime: number | null; watch: Watch }>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        refresh();
        send({ kind: 'spawn', id, ...opts });
      });
      return handle(id, pid, startTime, watch);
    },
    makeTree(entries, renameTo): Promise<void> {
      ensure();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        trees.set(id, { resolve, reject });
        refresh();
        send({ kind: 'mktree', id, entries, renameTo });
      });
    },
    warm(hierarchy, forMs): void {
      ensure();
      send({ kind: 'warm', mount: hierarchy.mount, controller: hierarchy.controller, forMs });
    },
    close(): void {
      const p = proc;
      if (!p) return;
      p.stdin?.end();
      lose('closed');
      p.unref();
      p.stdout?.destroy();
      p.stderr?.destroy();
    },
  };
}
