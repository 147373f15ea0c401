/**
 * The rkt handle's state: the pod UUID (rkt's own name for the pod) plus the pid, start
 * time and boot of the `rkt run-prepared` process, which together name one process for good
 * and keep a reused pid from ever being signalled.
 */
import { decodeTaskCgroup, type TaskCgroup } from '../../cgroups/index.js';
import { BivouacError } from '../../util/errors.js';

export const RKT_HANDLE_VERSION = 1;

export interface RktHandleState {
  readonly uuid: string;
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat when started; 0 if the process was already gone. */
  readonly startTime: number;
  readonly bootId: string;
  /**
   * Where the host-side shim (exit-shim.ts) writes `rkt run-prepared`'s exit status; when
   * set, `pid` is the shim's, the rkt process is its child. Null in handles from before it.
   */
  readonly exitFile: string | null;
  /** The pod's cgroup (the shim joined it, so rkt and a fly stage1's apps are in it). */
  readonly cgroup: TaskCgroup | null;
}

export function encodeState(s: RktHandleState): Readonly<Record<string, unknown>> {
  return { uuid: s.uuid, pid: s.pid, startTime: s.startTime, bootId: s.bootId, exitFile: s.exitFile, cgroup: s.cgroup };
}

export function decodeState(taskId: string, v: Readonly<Record<string, unknown>>): RktHandleState {
  const { uuid, pid, startTime, bootId } = v;
  if (typeof uuid !== 'string' || !/^[0-9a-f-]{36}$/.test(uuid) || typeof pid !== 'number' || typeof startTime !== 'number' || typeof bootId !== 'string') {
    throw new BivouacError('TASK_NOT_FOUND', `task ${taskId}: rkt handle state is not usable`, { recoverable: false });
  }
  const exitFile = typeof v.exitFile === 'string' && v.exitFile.startsWith('/') ? v.exitFile : null;
  return { uuid, pid, startTime, bootId, exitFile, cgroup: decodeTaskCgroup(v.cgroup) };
}
