/**
 * The rkt handle's state: the pod UUID (rkt's own name for the pod) plus the pid, start
 * time and boot of the `rkt run-prepared` process, which together name one process for good
 * and keep a reused pid from ever being signalled.
 */
import { BivouacError } from '../../util/errors.js';

export const RKT_HANDLE_VERSION = 1;

export interface RktHandleState {
  readonly uuid: string;
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat when started; 0 if the process was already gone. */
  readonly startTime: number;
  readonly bootId: string;
}

export function encodeState(s: RktHandleState): Readonly<Record<string, unknown>> {
  return { uuid: s.uuid, pid: s.pid, startTime: s.startTime, bootId: s.bootId };
}

export function decodeState(taskId: string, v: Readonly<Record<string, unknown>>): RktHandleState {
  const { uuid, pid, startTime, bootId } = v;
  if (typeof uuid !== 'string' || !/^[0-9a-f-]{36}$/.test(uuid) || typeof pid !== 'number' || typeof startTime !== 'number' || typeof bootId !== 'string') {
    throw new BivouacError('TASK_NOT_FOUND', `task ${taskId}: rkt handle state is not usable`, { recoverable: false });
  }
  return { uuid, pid, startTime, bootId };
}
