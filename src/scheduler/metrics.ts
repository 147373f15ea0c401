import { assertNever } from '../util/assert.js';
import type { Failure } from './feasibility.js';
import type { PlacementFailure } from './types.js';

/**
 * Nomad's CLI prints "%d nodes" whatever the number (command/monitor.go,
 * formatAllocMetrics), so one node reads "1 nodes". Kept as Nomad words it.
 */
function nodes(n: number): string {
  return `${n} nodes`;
}

/** A group's failure report from the first failed alloc's cause, one node evaluated. */
export function failureReport(group: string, count: number, f: Failure): PlacementFailure {
  switch (f.kind) {
    case 'datacenter':
      return {
        group,
        count,
        reasons: [
          'No nodes were eligible for evaluation',
          ...f.datacenters.map((dc) => `No nodes are available in datacenter "${dc}"`),
        ],
        constraintFiltered: {},
        dimensionExhausted: {},
      };
    case 'filtered':
      return {
        group,
        count,
        reasons: [...(f.detail ? [f.detail] : []), `Constraint "${f.constraint}" filtered ${nodes(1)}`],
        constraintFiltered: { [f.constraint]: 1 },
        dimensionExhausted: {},
      };
    case 'exhausted':
      return {
        group,
        count,
        reasons: [`Resources exhausted on ${nodes(1)}`, `Dimension "${f.dimension}" exhausted on ${nodes(1)}`],
        constraintFiltered: {},
        dimensionExhausted: { [f.dimension]: 1 },
      };
    default:
      return assertNever(f, 'failure');
  }
}
