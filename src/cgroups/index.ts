/**
 * Task containment by cgroup: the public surface of src/cgroups (drivers use it; nothing
 * else does, apart from the agent wiring it up and the node reporting it).
 *
 * Use:
 *   const c = setupContainment({ procRoot: '/proc', scope: nodeId.slice(0, 8), log });
 *   if (c.manager) {
 *     const cg = await c.manager.create(allocId, taskName);  // store cg in the task handle first
 *     applyLimits(cg, limitsFor(cfg.resources));             // isolating drivers only
 *     // join before the task execs: either the agent writes the pid of a shim that waits
 *     // for a go-ahead (manager.join(cg, pid)), or a root shim writes its own pid to each of
 *     // manager.procsFiles(cg).
 *     sampleCgroup(cg); cgroupPids(cg); oomKillCount(cg);
 *     await manager.killAll(cg);                              // cgroup.kill, or freeze-kill-thaw
 *     await manager.destroy(cg);                              // killAll + rmdir, idempotent
 *   }
 * A TaskCgroup is plain JSON (`decodeTaskCgroup` reads it back from a handle); kill, sample
 * and destroy work from it alone after an agent restart.
 */
import type { Logger } from '../util/logger.js';
import { detectLayout, type CgroupLayout } from './layout.js';
import { createCgroupManager, type CgroupManager } from './manager.js';

export { detectLayout, layoutFrom, parseMountinfo, parseProcCgroup, type CgroupLayout, type CgroupVersion, type HierarchyKind } from './layout.js';
export { createCgroupManager, destroyCgroup, type CgroupManager, type ManagerDeps } from './manager.js';
export { cgroupName, decodeTaskCgroup, distinctDirs, trackingDir, type TaskCgroup } from './task-cgroup.js';
export { cgroupPids, killAll, type KillOptions } from './kill.js';
export { endSampleRound, oomKillCount, sampleCgroup, sampleFiles, type CgroupSample, type CpuSample, type MemorySample } from './sample.js';
export { applyLimits, cpuShares, cpuWeight, limitsFor, limitWrites, type CgroupLimits, type CgroupWrite } from './limits.js';

export interface Containment {
  /** Null when no cgroup can be made here: tasks still run, uncontained. */
  readonly manager: CgroupManager | null;
  readonly layout: CgroupLayout | null;
  /** Why containment is off; '' when on. */
  readonly reason: string;
}

export interface ContainmentDeps {
  readonly procRoot?: string;
  readonly scope: string;
  readonly log: Logger;
  /** Set false to run without cgroups (agent config). */
  readonly enabled?: boolean;
}

/** Detects the layout and makes the agent's cgroup directories; never throws. */
export function setupContainment(deps: ContainmentDeps): Containment {
  if (deps.enabled === false) return { manager: null, layout: null, reason: 'disabled in the agent configuration' };
  const found = detectLayout(deps.procRoot ?? '/proc');
  if (found.layout === null) return { manager: null, layout: null, reason: found.reason };
  try {
    return { manager: createCgroupManager({ layout: found.layout, scope: deps.scope, log: deps.log }), layout: found.layout, reason: '' };
  } catch (e) {
    deps.log.warn({ err: (e as Error).message }, 'task containment is off: no cgroup can be made');
    return { manager: null, layout: found.layout, reason: (e as Error).message };
  }
}
