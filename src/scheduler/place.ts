import type { Group, Job } from '../jobspec/types.js';
import type { NodeInfo } from '../node/types.js';
import type { Rand } from '../util/clock.js';
import { invariant } from '../util/assert.js';
import { distinctFailure, type ProposedAlloc } from './distinct.js';
import { checkGroup, checkJob, type Failure } from './feasibility.js';
import { failureReport } from './metrics.js';
import { assignPorts, portAsks } from './port-assign.js';
import { addResources, exhaustedDimension, groupAsk, nodeCapacity, sumResources } from './resources.js';
import { isLive, type ExistingAlloc, type Placement, type PlacementFailure, type PlacementRequest, type PlaceResult } from './types.js';

export interface PlaceInput {
  readonly job: Job;
  readonly node: NodeInfo;
  /** Every allocation recorded on this node, of any job. */
  readonly existing: readonly ExistingAlloc[];
  /** Ports in use on the host (node `listeningPorts`). */
  readonly hostPorts: ReadonlySet<number>;
  /** What to place, in order (reconcile's `place` plus its `destructive` replacements). */
  readonly requests: readonly PlacementRequest[];
  /** Allocs this plan stops; their cpu, memory, disk and ports count as free. */
  readonly stopping: ReadonlySet<string>;
}

export interface PlaceDeps {
  readonly rand: Rand;
}

/**
 * Decides, for each requested alloc, whether this node can take it and with what ports.
 * Checks run in Nomad's order: datacenter and job constraints; drivers and group/task
 * constraints; distinct_hosts and distinct_property; ports; cpu, memory, disk. Live allocs
 * (desired `run`, not terminal, not being stopped) hold resources and ports; each placement
 * made here holds them for the requests after it. Host ports that an existing alloc
 * declares are that alloc's, accounted by its claim, so a replacement can take over a
 * static port its predecessor is giving up. Failures are grouped per task group with the
 * first failed alloc's metrics, as Nomad coalesces them.
 */
export function place(input: PlaceInput, deps: PlaceDeps): PlaceResult {
  const { job, node, requests } = input;
  const live = input.existing.filter((a) => isLive(a) && !input.stopping.has(a.id));
  const ownedByAllocs = new Set(input.existing.flatMap((a) => a.ports.map((p) => p.value)));
  const claimed = new Set(live.flatMap((a) => a.ports.map((p) => p.value)));
  const busy = (p: number): boolean => claimed.has(p) || (input.hostPorts.has(p) && !ownedByAllocs.has(p));
  const proposed: ProposedAlloc[] = live.map((a) => ({ jobId: a.jobId, group: a.group }));
  const capacity = nodeCapacity(node);
  let used = sumResources(live);

  const jobFailure = checkJob(job, node);
  const groupFailures = new Map<string, Failure | null>();
  const failed = new Map<string, { count: number; first: Failure }>();
  const placements: Placement[] = [];
  const fail = (group: string, f: Failure): void => {
    const prev = failed.get(group);
    failed.set(group, prev ? { count: prev.count + 1, first: prev.first } : { count: 1, first: f });
  };

  for (const req of requests) {
    const group = job.groups.find((g) => g.name === req.group);
    invariant(group, `place: job ${job.id} has no group ${req.group}`);
    if (!groupFailures.has(group.name)) groupFailures.set(group.name, jobFailure ?? checkGroup(group, node));
    const static_ = groupFailures.get(group.name) ?? null;
    if (static_) {
      fail(group.name, static_);
      continue;
    }
    const outcome = placeOne(job, group, node, { proposed, busy, capacity, used }, deps.rand);
    if ('kind' in outcome) {
      fail(group.name, outcome);
      continue;
    }
    placements.push({ group: group.name, index: req.index, resources: outcome.resources, ports: outcome.ports });
    used = addResources(used, outcome.resources);
    for (const p of outcome.ports) claimed.add(p.value);
    proposed.push({ jobId: job.id, group: group.name });
  }

  const failures: PlacementFailure[] = [...failed].map(([g, f]) => failureReport(g, f.count, f.first));
  return { placements, failures };
}

interface NodeState {
  readonly proposed: readonly ProposedAlloc[];
  readonly busy: (port: number) => boolean;
  readonly capacity: ReturnType<typeof nodeCapacity>;
  readonly used: ReturnType<typeof sumResources>;
}

function placeOne(
  job: Job,
  group: Group,
  node: NodeInfo,
  state: NodeState,
  rand: Rand,
): Failure | Pick<Placement, 'resources' | 'ports'> {
  const distinct = distinctFailure(job, group, node, state.proposed);
  if (distinct) return { kind: 'filtered', constraint: distinct, detail: null };
  const ports = assignPorts(portAsks(group), state.busy, node.portRange, rand);
  if (!ports.ok) return { kind: 'exhausted', dimension: ports.dimension };
  const ask = groupAsk(group);
  const dim = exhaustedDimension(state.capacity, state.used, ask);
  if (dim) return { kind: 'exhausted', dimension: dim };
  return { resources: ask, ports: ports.ports };
}
