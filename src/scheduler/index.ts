/**
 * The scheduler's public surface: pure functions from (job, node, allocations) to decisions.
 *
 * A plan is `reconcile` then `place`:
 *   const r = reconcile(job, version, allocsOfJob, { stopped, jobAt });
 *   const stopping = new Set([...r.stop, ...r.destructive].map((x) => x.allocId));
 *   const p = place({ job, node, existing: allocsOnNode, hostPorts: listeningPorts('/proc'),
 *                     requests: [...r.place, ...r.destructive], stopping }, { rand });
 * `p.failures` carry Nomad's reasons for `job plan` and `status`.
 */
export type {
  AllocClientStatus,
  AllocPort,
  AllocResources,
  DesiredStatus,
  ExistingAlloc,
  PlacedPort,
  Placement,
  PlacementFailure,
  PlacementRequest,
  PlaceResult,
} from './types.js';
export { isLive, isTerminalClientStatus } from './types.js';
export { place, type PlaceDeps, type PlaceInput } from './place.js';
export { reconcile, ALLOC_NOT_NEEDED, type ReconcileOptions, type ReconcileResult } from './reconcile.js';
export { tasksUpdated, destructiveChange, jobWideChange } from './tasks-updated.js';
export { allocClientStatus, jobStatus, jobStatusLabel, type JobStatus, type JobStatusInput, type TaskStateName, type TaskStateSummary } from './status.js';
export { meetsConstraint, resolveTarget, constraintString, datacenterMatches } from './constraints.js';
export { matchVersionConstraint, matchSemverConstraint, parseVersionConstraint, parseSemverConstraint } from './version.js';
export { groupAsk, nodeCapacity } from './resources.js';
export { portAsks } from './port-assign.js';
