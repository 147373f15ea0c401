/**
 * Decoding `rkt status --format=json` (api/v1 pod, reference/rkt.md §4.2, §8). Only what
 * recovery needs: the pod state and each app's exit code, which the coreos stage1 records
 * and the fly stage1 does not.
 */
import { assertNever } from '../../util/assert.js';

export type PodState =
  | 'embryo'
  | 'preparing'
  | 'aborted prepare'
  | 'prepared'
  | 'running'
  | 'deleting'
  | 'exited deleting'
  | 'exited'
  | 'exited garbage'
  | 'garbage';

const STATES: readonly string[] = ['embryo', 'preparing', 'aborted prepare', 'prepared', 'running', 'deleting', 'exited deleting', 'exited', 'exited garbage', 'garbage'];

export interface PodStatus {
  readonly uuid: string;
  readonly state: PodState;
  /** Exit codes of the apps that have one, in the pod's app order. */
  readonly exitCodes: readonly number[];
}

function isRecord(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Null when the text is not a pod status rkt would print. */
export function parsePodStatus(text: string): PodStatus | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null; // not JSON: the caller reports rkt's output as unusable
  }
  if (!isRecord(v) || typeof v.name !== 'string' || typeof v.state !== 'string' || !STATES.includes(v.state)) return null;
  const apps = Array.isArray(v.apps) ? v.apps : [];
  const exitCodes: number[] = [];
  for (const a of apps) if (isRecord(a) && typeof a.exit_code === 'number') exitCodes.push(a.exit_code);
  return { uuid: v.name, state: v.state as PodState, exitCodes };
}

/** The pod is over: no process of it runs any more. */
export function podFinished(state: PodState): boolean {
  switch (state) {
    case 'exited':
    case 'exited garbage':
    case 'exited deleting':
    case 'garbage':
    case 'deleting':
    case 'aborted prepare':
      return true;
    case 'embryo':
    case 'preparing':
    case 'prepared':
    case 'running':
      return false;
    default:
      return assertNever(state, 'pod state');
  }
}
