import type { Group, Job } from '../jobspec/types.js';
import type { NodeInfo } from '../node/types.js';
import { constraintString, datacenterMatches, meetsConstraint } from './constraints.js';

/** Why this node cannot take an alloc, in the shape Nomad's AllocMetric records it. */
export type Failure =
  | { readonly kind: 'datacenter'; readonly datacenters: readonly string[] }
  /** `constraint` is the ConstraintFiltered key; `detail` an extra line naming the cause. */
  | { readonly kind: 'filtered'; readonly constraint: string; readonly detail: string | null }
  | { readonly kind: 'exhausted'; readonly dimension: string };

/** Nomad's FilterConstraintDrivers: the metric key when a task's driver is unusable. */
export const MISSING_DRIVERS = 'missing drivers';

/** Job-wide checks: the datacenter, then the job's constraints. */
export function checkJob(job: Job, node: NodeInfo): Failure | null {
  if (!datacenterMatches(job.datacenters, node.datacenter)) {
    return { kind: 'datacenter', datacenters: job.datacenters };
  }
  for (const c of job.constraints) {
    if (!meetsConstraint(c, node)) return { kind: 'filtered', constraint: constraintString(c), detail: null };
  }
  return null;
}

/** Group checks in Nomad's order: drivers, then the group's and its tasks' constraints. */
export function checkGroup(group: Group, node: NodeInfo): Failure | null {
  for (const t of group.tasks) {
    const d = node.drivers[t.driver];
    if (!d || !d.detected) {
      return { kind: 'filtered', constraint: MISSING_DRIVERS, detail: `Driver "${t.driver}" is not detected` };
    }
    if (!d.healthy) {
      const why = d.message ? `: ${d.message}` : '';
      return { kind: 'filtered', constraint: MISSING_DRIVERS, detail: `Driver "${t.driver}" is not healthy${why}` };
    }
  }
  for (const c of [...group.constraints, ...group.tasks.flatMap((t) => t.constraints)]) {
    if (!meetsConstraint(c, node)) return { kind: 'filtered', constraint: constraintString(c), detail: null };
  }
  return null;
}
