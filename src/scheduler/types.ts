/** What the scheduler reads and returns. Everything here is plain data. */

export type DesiredStatus = 'run' | 'stop' | 'evict';

export type AllocClientStatus = 'pending' | 'running' | 'complete' | 'failed' | 'lost';

export interface AllocResources {
  /** MHz */
  readonly cpu: number;
  readonly memoryMB: number;
  readonly diskMB: number;
}

export interface AllocPort {
  readonly label: string;
  /** Port on the host. */
  readonly value: number;
  /** Task name for a task-level network; absent or null for the group's network. */
  readonly task?: string | null;
}

/** An allocation already recorded on this node (any job). */
export interface ExistingAlloc {
  readonly id: string;
  readonly jobId: string;
  readonly jobVersion: number;
  readonly group: string;
  /** The N in `<job>.<group>[N]`. */
  readonly index: number;
  readonly desiredStatus: DesiredStatus;
  readonly clientStatus: AllocClientStatus;
  readonly resources: AllocResources;
  readonly ports: readonly AllocPort[];
}

/** One allocation to place: a group instance by index. */
export interface PlacementRequest {
  readonly group: string;
  readonly index: number;
}

export interface PlacedPort {
  readonly label: string;
  readonly value: number;
  /** Port inside the task; the same as value unless the job maps it. */
  readonly to: number;
  readonly task: string | null;
}

export interface Placement {
  readonly group: string;
  readonly index: number;
  readonly resources: AllocResources;
  readonly ports: readonly PlacedPort[];
}

/**
 * Why a group's allocations could not be placed, as Nomad's AllocMetric reports it for one
 * node. `reasons` are the lines `job plan` prints, in Nomad's words.
 */
export interface PlacementFailure {
  readonly group: string;
  /** How many of the group's requested allocations failed. */
  readonly count: number;
  readonly reasons: readonly string[];
  readonly constraintFiltered: Readonly<Record<string, number>>;
  readonly dimensionExhausted: Readonly<Record<string, number>>;
}

export interface PlaceResult {
  readonly placements: readonly Placement[];
  readonly failures: readonly PlacementFailure[];
}

export function isTerminalClientStatus(s: AllocClientStatus): boolean {
  return s === 'complete' || s === 'failed' || s === 'lost';
}

/** An alloc that holds resources: meant to run and not yet finished. */
export function isLive(a: Pick<ExistingAlloc, 'desiredStatus' | 'clientStatus'>): boolean {
  return a.desiredStatus === 'run' && !isTerminalClientStatus(a.clientStatus);
}
