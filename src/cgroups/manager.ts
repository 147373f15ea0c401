/**
 * The one place that creates and removes cgroups. An agent owns one directory per
 * hierarchy, `<own cgroup>/bivouac-<scope>`, and puts each task attempt in
 * `<that>/<allocId>.<task>`. Nothing outside that directory is ever written, so agents,
 * tests and systemd's `Delegate=yes` subtrees coexist.
 *
 * On a pure v2 host the no-internal-process rule applies: a cgroup holding processes cannot
 * hand controllers to its children. So, where the agent's own cgroup lacks memory/cpu in its
 * `cgroup.subtree_control`, the agent first moves itself into the leaf
 * `<own>/bivouac-<scope>-agent` and then enables them (Documentation/admin-guide/cgroup-v2.rst,
 * "No Internal Process Constraint"). On hybrid hosts the unified hierarchy is used without
 * controllers, which needs no move.
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { assertNever } from '../util/assert.js';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BivouacError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { isAbsent, readText, writeText } from './files.js';
import { killAll, type KillOptions } from './kill.js';
import type { CgroupLayout, Hierarchy } from './layout.js';
import { readControllers } from './layout.js';
import { cgroupName, distinctDirs, type TaskCgroup } from './task-cgroup.js';

/** Controllers a v2 task cgroup gets, when the host offers them. */
const V2_CONTROLLERS = ['memory', 'cpu', 'pids'] as const;

export interface CgroupManager {
  readonly layout: CgroupLayout;
  /** The agent's directory in each hierarchy (what `list` scans). */
  readonly bases: readonly string[];
  /** False when the limits cannot be set (v2 without delegated memory/cpu). */
  readonly canLimit: boolean;
  /** The name `create` gives the task's cgroup. */
  nameOf(allocId: string, task: string): string;
  /**
   * Creates the task's cgroup (empty: a leftover of an earlier attempt is killed first) in
   * the hierarchies it needs: the unified one (tracking, cgroup.kill, CPU time), memory
   * (usage), cpuacct only without a unified hierarchy, cpu only with `limits` (default true;
   * raw_exec passes false), freezer only where there is no cgroup.kill. Each hierarchy joined costs a migration (1–5 ms here).
   */
  create(allocId: string, task: string, opts?: { readonly limits?: boolean }): Promise<TaskCgroup>;
  /**
   * What `create` would make, with a leftover of an earlier attempt killed and removed, but
   * the directories not made: the spawner makes them in the request that forks the task
   * (off the agent's loop, beside the fork). Whoever plans one removes it if the start fails.
   */
  plan(allocId: string, task: string, opts?: { readonly limits?: boolean }): Promise<TaskCgroup>;
  /** Moves `pid` (and later its children) into the cgroup, in every hierarchy. */
  join(cg: TaskCgroup, pid: number): void;
  /** The `cgroup.procs` files a shim running as root writes its own pid to, before exec. */
  procsFiles(cg: TaskCgroup): string[];
  /** SIGKILLs every process in the cgroup and waits until it is empty. */
  killAll(cg: TaskCgroup, opts?: KillOptions): Promise<void>;
  /** killAll, then removes the cgroup everywhere. Idempotent. */
  destroy(cg: TaskCgroup, opts?: KillOptions): Promise<void>;
  /** Every task cgroup under this agent's directories (orphan sweep, tests). */
  list(): TaskCgroup[];
  /** Removes this agent's own directories if empty (tests; an agent keeps them). */
  removeBases(): void;
}

export interface ManagerDeps {
  readonly layout: CgroupLayout;
  /** Unique per agent and stable across its restarts (the agent uses its node ID). */
  readonly scope: string;
  readonly log: Logger;
  /** The process to move into a leaf on pure v2; default this one. */
  readonly selfPid?: number;
}

export function createCgroupManager(deps: ManagerDeps): CgroupManager {
  const { layout, scope } = deps;
  if (!/^[A-Za-z0-9_.-]+$/.test(scope)) throw new BivouacError('CONFIG', `cgroup scope ${JSON.stringify(scope)} must be one path component`);
  const baseName = `bivouac-${scope}`;
  const bases = new Map<Hierarchy, string>();
  for (const h of layout.hierarchies) bases.set(h, join(h.own, baseName));
  for (const [h, dir] of bases) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new BivouacError('TASK_SETUP', `cannot create cgroup ${dir} in the ${h.kind} hierarchy: ${(e as Error).message}`, { cause: e });
    }
  }
  let canLimit = true;
  if (layout.version === 'v2') {
    const h = layout.hierarchies[0];
    canLimit = delegateV2(h, join(h.own, baseName), `${baseName}-agent`, deps.selfPid ?? process.pid, deps.log);
  }
  const baseDirs = [...new Set(bases.values())];

  const dirsOf = (name: string, keep: (h: Hierarchy) => boolean = () => true): TaskCgroup => {
    const dirs: Partial<Record<Hierarchy['kind'], string>> = {};
    for (const [h, base] of bases) if (keep(h)) dirs[h.kind] = join(base, name);
    return { name, dirs };
  };
  const unifiedKill = [...bases.entries()].some(([h, base]) => h.kind === 'unified' && existsSync(join(base, 'cgroup.kill')));
  const hasUnified = [...bases.keys()].some((h) => h.kind === 'unified');
  const needed = (limits: boolean) => (h: Hierarchy): boolean => {
    switch (h.kind) {
      case 'unified':
      case 'memory':
        return true;
      case 'cpuacct':
        // The unified hierarchy's cpu.stat counts CPU time in every cgroup, controller or not
        // (the sampler reads it when there is no cpuacct dir): one migration fewer per start.
        return !hasUnified;
      case 'cpu':
        return limits;
      case 'freezer':
        return !unifiedKill;
      case 'pids':
        return false;
      default:
        return assertNever(h.kind, 'hierarchy');
    }
  };

  const destroy = destroyCgroup;

  return {
    layout,
    bases: baseDirs,
    canLimit,
    nameOf: cgroupName,
    async create(allocId, task, opts = {}) {
      const cg = await this.plan(allocId, task, opts);
      for (const d of distinctDirs(cg)) mkdirSync(d);
      return cg;
    },
    async plan(allocId, task, opts = {}) {
      const name = cgroupName(allocId, task);
      // Only an earlier attempt of this same task can have left it: ours to clear.
      const old = dirsOf(name);
      if (distinctDirs(old).some(exists)) await destroy(old);
      return dirsOf(name, needed(opts.limits !== false));
    },
    join(cg, pid) {
      for (const f of this.procsFiles(cg)) writeText(f, '', String(pid));
    },
    procsFiles: (cg) => distinctDirs(cg).map((d) => join(d, 'cgroup.procs')),
    killAll,
    destroy,
    list() {
      const names = new Set<string>();
      for (const b of baseDirs) {
        try {
          for (const e of readdirSync(b, { withFileTypes: true })) if (e.isDirectory()) names.add(e.name);
        } catch (err) {
          if (!isAbsent(err)) throw err;
        }
      }
      return [...names].sort().map((n) => dirsOf(n));
    },
    removeBases() {
      for (const b of baseDirs) {
        try {
          rmdirSync(b);
        } catch (e) {
          if (!isAbsent(e)) throw e;
        }
      }
    },
  };
}

/** Kills every process in the cgroup, then removes it everywhere; works from a stored handle alone. Idempotent. */
export async function destroyCgroup(cg: TaskCgroup, opts?: KillOptions): Promise<void> {
  await killAll(cg, opts);
  const deadline = Date.now() + RMDIR_BUSY_MS;
  for (const d of distinctDirs(cg)) {
    for (;;) {
      try {
        rmdirSync(d);
        break;
      } catch (e) {
        if (isAbsent(e)) break;
        // EBUSY with cgroup.procs already empty: a killed process is still on its way out of
        // the kernel (seen under load in the unified hierarchy); it leaves within moments.
        if ((e as NodeJS.ErrnoException).code === 'EBUSY' && Date.now() < deadline) {
          await sleep(10);
          continue;
        }
        throw new BivouacError('TASK_SETUP', `cannot remove cgroup ${d}: ${(e as Error).message}`, { cause: e });
      }
    }
  }
}

/** How long destroy waits for an emptied cgroup to become removable. */
const RMDIR_BUSY_MS = 5_000;

/**
 * Makes memory/cpu/pids available to task cgroups on a pure v2 host. Returns false (tasks
 * are still tracked and killed by cgroup, only not limited) when they cannot be delegated.
 */
function delegateV2(h: Hierarchy, base: string, leafName: string, selfPid: number, log: Logger): boolean {
  const offered = readControllers(h.own);
  const want = V2_CONTROLLERS.filter((c) => offered.includes(c));
  if (!want.includes('memory') || !want.includes('cpu')) return false;
  const enabled = (dir: string): string[] => (readText(dir, 'cgroup.subtree_control') ?? '').trim().split(/\s+/);
  try {
    if (!want.every((c) => enabled(h.own).includes(c))) {
      if (h.own !== h.mount) {
        // The no-internal-process rule: leave our own cgroup for a leaf before enabling.
        const leaf = join(h.own, leafName);
        mkdirSync(leaf, { recursive: true });
        writeText(leaf, 'cgroup.procs', String(selfPid));
      }
      writeText(h.own, 'cgroup.subtree_control', want.map((c) => `+${c}`).join(' '));
    }
    writeText(base, 'cgroup.subtree_control', want.map((c) => `+${c}`).join(' '));
    return true;
  } catch (e) {
    // EBUSY: other processes share the agent's cgroup, which are not ours to move.
    log.warn({ cgroup: h.own, err: (e as Error).message }, 'cannot enable cgroup controllers; tasks are tracked but not limited');
    return false;
  }
}

function exists(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    // Absent (or unreadable, which for a cgroup dir we made means gone).
    return false;
  }
}
