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
   * Publishes a spare as the allocation's tree at `root` (`<dataDir>/alloc/<allocId>`, which
   * must not exist yet), its task directory and live log files named for `task`. False when
   * no spare is ready or `root` exists: the caller builds the tree itself.
   */
  claim(root: string, task: string): boolean;
  /** Resolves once the pool holds `size` spares (tests, benchmarks). */
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
/** Spares an agent keeps ready: one per start slot on this machine kind; a burst beyond them builds its own trees. */
export const SPARE_ALLOC_DIRS = 4;
const TASK = '.task';
const OUT = '.stdout';
const RETRY_AFTER_FAILURE_MS = 30_000;
const ERR = '.stderr';

export function createSpareAllocDirs(deps: SpareAllocDirsDeps): SpareAllocDirs {
  const pool = join(deps.dataDir, SPARES_DIR);
  const ready: string[] = [];
  let seq = 0;
  let initialized = false;
  let closed = false;
  /** When making a spare last failed: the pool waits a while before it tries again. */
  let failedAt = -Infinity;
  const failed = (): boolean => Date.now() - failedAt < RETRY_AFTER_FAILURE_MS;
  let building: Promise<void> | null = null;
  let fillWaiters: (() => void)[] = [];

  const wakeFilled = (): void => {
    if (ready.length < deps.size && !closed && !failed()) return;
    for (const w of fillWaiters.splice(0)) w();
  };

  /** Builds spares one at a time (on libuv's pool, off the event loop) until the pool is full. */
  const refill = (): void => {
    if (building || closed || failed()) return;
    building = (async () => {
      try {
        if (!initialized) {
          // What an earlier agent left (a spare, a half-built one, one it was naming) is removed.
          await mkdir(deps.dataDir, { recursive: true });
          await rm(pool, { recursive: true, force: true });
          await mkdir(pool, { mode: 0o700 });
          await chmod(pool, 0o700);
          initialized = true;
        }
        while (ready.length < deps.size && !closed) {
          const name = String(++seq);
          await (deps.makeTree ?? makeTree)(spareEntries(join(pool, `.building-${name}`)), join(pool, name));
          ready.push(join(pool, name));
        }
      } catch (err) {
        // A data dir we cannot build in, a spawner that died: starts build their trees
        // themselves (and report why) until the next try.
        failedAt = Date.now();
        deps.log.warn({ err, pool }, 'cannot make spare allocation directories; each start builds its own for a while');
      } finally {
        building = null;
        wakeFilled();
      }
    })();
  };

  refill();
  return {
    claim(root, task) {
      if (ready.length === 0 || existsSync(root)) {
        refill();
        return false;
      }
      const spare = ready.shift() as string;
      try {
        renameSync(join(spare, TASK), join(spare, task));
        const logs = join(spare, 'alloc', 'logs');
        renameSync(join(logs, OUT), logFilePath(logs, task, 'stdout', 0));
        renameSync(join(logs, ERR), logFilePath(logs, task, 'stderr', 0));
        renameSync(spare, root);
      } catch (err) {
        deps.log.warn({ err, spare, root }, 'cannot use a spare allocation directory; building the tree instead');
        void rm(spare, { recursive: true, force: true }).catch(() => undefined);
        refill();
        return false;
      }
      refill();
      return true;
    },
    filled() {
      return new Promise((resolve) => {
        fillWaiters.push(resolve);
        wakeFilled();
      });
    },
    async close() {
      closed = true;
      await building;
      fillWaiters.splice(0).forEach((w) => w());
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
