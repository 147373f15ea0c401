/**
 * Spare allocation directory trees, made ahead of need, so that a start renames one into
 * place instead of making nine directories and two log files on its path.
 *
 * Why: on this machine kind's ext4 a mkdir or a file create costs 0.3–0.5 ms of kernel time
 * each (more under load), a rename ~0.03 ms: a first start spent 2–4 ms building its tree and
 * the spawner 1–2 ms creating the log files, both on the way from allocation to running task.
 *
 * Layout: `<dataDir>/alloc-spares/` (0700: no task can reach a spare) holds complete trees
 *
 *   <n>/                 0711  → <dataDir>/alloc/<allocId>
 *   <n>/alloc/           0755  with data 1777, logs 0755, tmp 1777 (taskdir.ts's modes)
 *   <n>/.task/           0755  with local 0755, secrets 0700, tmp 1777 → <n>/<task>
 *   <n>/alloc/logs/.stdout, .stderr  (empty, 0644)   → <task>.stdout.0, <task>.stderr.0
 *
 * A tree is built under `.building-<n>` and renamed to `<n>` once complete, so the pool
 * only ever holds complete trees. A claim names the task's parts inside the spare and then
 * renames the spare to the allocation's root as its last step: a crash leaves either a spare
 * (the pool is emptied at every agent start) or a complete allocation tree, never half of one.
 */
import { existsSync, renameSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { makeTree } from '../drivers/spawner/tree.js';
import type { TreeEntry } from '../drivers/spawner/protocol.js';
import { join } from 'node:path';
import type { Logger } from '../util/logger.js';
import { logFilePath } from './logs.js';
import { ALLOC_DIR_MODES } from './taskdir.js';

export interface SpareAllocDirs {
  /**
   * A spare for the allocation whose tree belongs at `root`, taken out of the pool (waiting
   * for one to be made if none is ready); null when `root` exists already (a restart, a
   * second task) or no spare can be made: the caller builds the tree itself.
   */
  take(root: string): Promise<string | null>;
  /**
   * Publishes a taken spare as the allocation's tree at `root`, its task directory and live
   * log files named for `task`. False (the spare dropped) when it cannot: the caller builds.
   */
  publish(spare: string, root: string, task: string): boolean;
  /** Returns a taken spare that was not published (nothing in it was renamed) to the pool. */
  giveBack(spare: string): void;
  /** Resolves once the pool holds `size` spares, or cannot (tests, benchmarks). */
  filled(): Promise<void>;
  /** Stops refilling; resolves when no build is under way. Spares stay for the next agent to remove. */
  close(): Promise<void>;
}

export interface SpareAllocDirsDeps {
  readonly dataDir: string;
  /** How many spares to keep ready. */
  readonly size: number;
  readonly log: Logger;
  /**
   * Makes one tree (the spawner helper's makeTree: the mkdirs cost the agent's thread
   * nothing); this process's own thread pool when absent.
   */
  readonly makeTree?: (entries: readonly TreeEntry[], renameTo: string) => Promise<void>;
}

export const SPARES_DIR = 'alloc-spares';
/** Spares an agent keeps ready: one per start slot on this machine kind; a burst beyond them waits for more. */
export const SPARE_ALLOC_DIRS = 4;
const TASK = '.task';
const OUT = '.stdout';
const RETRY_AFTER_FAILURE_MS = 30_000;
/** Trees made at once: a burst of starts waits on these, not on mkdirs in the agent's thread. */
const PARALLEL_BUILDS = 2;
const ERR = '.stderr';

export function createSpareAllocDirs(deps: SpareAllocDirsDeps): SpareAllocDirs {
  const pool = join(deps.dataDir, SPARES_DIR);
  const make = deps.makeTree ?? makeTree;
  const ready: string[] = [];
  const waiters: ((spare: string | null) => void)[] = [];
  let fillWaiters: (() => void)[] = [];
  let seq = 0;
  let inFlight = 0;
  let closed = false;
  /** When making a spare last failed: the pool waits a while before it tries again. */
  let failedAt = -Infinity;
  const failed = (): boolean => Date.now() - failedAt < RETRY_AFTER_FAILURE_MS;
  const builds = new Set<Promise<void>>();

  // What an earlier agent left (a spare, a half-built one, one it was naming) is removed.
  const init = (async () => {
    await mkdir(deps.dataDir, { recursive: true });
    await rm(pool, { recursive: true, force: true });
    await mkdir(pool, { mode: 0o700 });
    await chmod(pool, 0o700);
  })();

  const settle = (): void => {
    if (closed || failed()) for (const w of waiters.splice(0)) w(null);
    if (ready.length >= deps.size || closed || failed()) for (const w of fillWaiters.splice(0)) w();
  };

  const buildOne = async (): Promise<void> => {
    const name = String(++seq);
    try {
      await init;
      await make(spareEntries(join(pool, `.building-${name}`)), join(pool, name));
      const w = waiters.shift();
      if (w) w(join(pool, name));
      else ready.push(join(pool, name));
    } catch (err) {
      // A data dir we cannot build in, a spawner that died: starts build their trees
      // themselves (and report why) until the next try.
      failedAt = Date.now();
      deps.log.warn({ err, pool }, 'cannot make spare allocation directories; each start builds its own for a while');
    }
  };

  /** Keeps `size` spares ready beyond the starts waiting for one, making a few at a time off the event loop. */
  const refill = (): void => {
    while (!closed && !failed() && inFlight < PARALLEL_BUILDS && ready.length + inFlight < deps.size + waiters.length) {
      inFlight++;
      const b = buildOne().finally(() => {
        inFlight--;
        builds.delete(b);
        refill();
        settle();
      });
      builds.add(b);
    }
    settle();
  };

  refill();
  return {
    take(root) {
      if (existsSync(root)) return Promise.resolve(null);
      const spare = ready.shift();
      if (spare !== undefined) {
        refill();
        return Promise.resolve(spare);
      }
      if (closed || failed()) return Promise.resolve(null);
      return new Promise((resolve) => {
        waiters.push(resolve);
        refill();
      });
    },
    publish(spare, root, task) {
      try {
        renameSync(join(spare, TASK), join(spare, task));
        const logs = join(spare, 'alloc', 'logs');
        renameSync(join(logs, OUT), logFilePath(logs, task, 'stdout', 0));
        renameSync(join(logs, ERR), logFilePath(logs, task, 'stderr', 0));
        renameSync(spare, root);
        return true;
      } catch (err) {
        deps.log.warn({ err, spare, root }, 'cannot use a spare allocation directory; building the tree instead');
        void rm(spare, { recursive: true, force: true }).catch(() => undefined);
        return false;
      }
    },
    giveBack(spare) {
      const w = waiters.shift();
      if (w) w(spare);
      else ready.unshift(spare);
      settle();
    },
    filled() {
      return new Promise((resolve) => {
        fillWaiters.push(resolve);
        settle();
      });
    },
    async close() {
      closed = true;
      await Promise.allSettled([init, ...builds]);
      settle();
      fillWaiters = [];
    },
  };
}

/** A spare's tree, root first (taskdir.ts's modes); built where only the agent can reach it. */
function spareEntries(root: string): TreeEntry[] {
  const M = ALLOC_DIR_MODES;
  const dir = (path: string, mode: number): TreeEntry => ({ path, mode, file: false });
  return [
    dir(root, M.root),
    dir(join(root, 'alloc'), M.shared),
    dir(join(root, 'alloc', 'data'), M.data),
    dir(join(root, 'alloc', 'logs'), M.logs),
    dir(join(root, 'alloc', 'tmp'), M.tmp),
    dir(join(root, TASK), M.taskDir),
    dir(join(root, TASK, 'local'), M.local),
    dir(join(root, TASK, 'secrets'), M.secrets),
    dir(join(root, TASK, 'tmp'), M.tmp),
    ...[OUT, ERR].map((f) => ({ path: join(root, 'alloc', 'logs', f), mode: 0o644, file: true })),
  ];
}
