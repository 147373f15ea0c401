import type { Constraint, Group, Job } from '../jobspec/types.js';
import type { NodeInfo } from '../node/types.js';
import { resolveTarget } from './constraints.js';

/** An allocation counted by distinct_hosts / distinct_property: live now or placed by this plan. */
export interface ProposedAlloc {
  readonly jobId: string;
  readonly group: string;
}

/**
 * The filter reason when placing one more alloc of `group` here would break a job- or
 * group-level distinct_hosts or distinct_property constraint, else null. On one node,
 * distinct_hosts allows one alloc of the job (job level) or of the group (group level),
 * and distinct_property with value N allows N, since every alloc shares the node's value.
 * Task-level distinct constraints are ignored, as in Nomad.
 */
export function distinctFailure(
  job: Job,
  group: Group,
  node: NodeInfo,
  proposed: readonly ProposedAlloc[],
): string | null {
  const isDistinct = (c: Constraint): boolean => c.operator === 'distinct_hosts' || c.operator === 'distinct_property';
  if (!job.constraints.some(isDistinct) && !group.constraints.some(isDistinct)) return null;
  const ofJob = proposed.filter((a) => a.jobId === job.id).length;
  const ofGroup = proposed.filter((a) => a.jobId === job.id && a.group === group.name).length;
  if ((hasDistinctHosts(job.constraints) && ofJob > 0) || (hasDistinctHosts(group.constraints) && ofGroup > 0)) {
    return 'distinct_hosts';
  }
  for (const [constraints, used] of [
    [job.constraints, ofJob],
    [group.constraints, ofGroup],
  ] as const) {
    for (const c of constraints) {
      if (c.operator !== 'distinct_property') continue;
      const reason = propertyFailure(c, node, used);
      if (reason) return reason;
    }
  }
  return null;
}

function hasDistinctHosts(constraints: readonly Constraint[]): boolean {
  const c = constraints.find((x) => x.operator === 'distinct_hosts');
  if (!c) return false;
  // Nomad: an empty or unparsable value enforces it; only an explicit false turns it off.
  const v = c.value.trim().toLowerCase();
  return !['false', '0', 'f'].includes(v);
}

function propertyFailure(c: Constraint, node: NodeInfo, used: number): string | null {
  const allowed = c.value === '' ? 1 : Number(c.value);
  if (!Number.isSafeInteger(allowed) || allowed < 0) return `failed to convert RTarget "${c.value}" to uint64`;
  const prop = resolveTarget(c.attribute, node);
  if (!prop.found) return `missing property "${c.attribute}"`;
  if (used < allowed) return null;
  return `distinct_property: ${c.attribute}=${prop.value} used by ${used} allocs`;
}
