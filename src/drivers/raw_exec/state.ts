/**
 * The raw_exec handle state: exactly what finds a task again after an agent restart. Stored
 * as JSON by the caller and decoded here, at the boundary, because a row may be old or torn.
 */
import { decodeTaskCgroup, type TaskCgroup } from '../../cgroups/index.js';
import { TaskNotFoundError } from '../../util/errors.js';

export const RAW_EXEC_HANDLE_VERSION = 1;

export interface RawExecState {
  /** The shim's pid; also the process group id, since the shim leads its own group. */
  readonly pid: number;
  readonly pgid: number;
  /** /proc/<pid>/stat field 22, to tell our process from a later one with the same pid. */
  readonly startTime: number;
  /** /proc/sys/kernel/random/boot_id at start: start times only compare within one boot. */
  readonly bootId: string;
  /** Where the shim writes the task's exit status. */
  readonly exitFile: string;
  /** Epoch ms. */
  readonly startedAt: number;
  /** The task's cgroup; null when containment is off (or for a handle from before it). */
  readonly cgroup: TaskCgroup | null;
}

export function encodeState(s: RawExecState): Readonly<Record<string, unknown>> {
  return { ...s };
}

export function decodeState(taskId: string, raw: Readonly<Record<string, unknown>>): RawExecState {
  const int = (k: string): number => {
    const v = raw[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalid(taskId, k);
    return v;
  };
  const str = (k: string): string => {
    const v = raw[k];
    if (typeof v !== 'string' || v === '') throw invalid(taskId, k);
    return v;
  };
  const s: RawExecState = {
    pid: int('pid'),
    pgid: int('pgid'),
    startTime: int('startTime'),
    bootId: str('bootId'),
    exitFile: str('exitFile'),
    startedAt: int('startedAt'),
    cgroup: decodeTaskCgroup(raw.cgroup),
  };
  // pid 0 and 1 are never ours; signalling -0 or -1 would hit our own group or everything.
  if (s.pid <= 1 || s.pgid <= 1) throw invalid(taskId, 'pid');
  return s;
}

function invalid(taskId: string, field: string): TaskNotFoundError {
  return new TaskNotFoundError(taskId, `handle state has no valid ${JSON.stringify(field)}`);
}
