/**
 * Task lifecycle hooks as Nomad orders them (client/allocrunner/task_hook_coordinator.go):
 * prestart tasks first (an ephemeral one must complete, a sidecar must be running), then
 * the main tasks, poststart tasks once every main task has run, and poststop tasks once
 * every other task is dead. Pure: the phase of a task and the gates over task states.
 */
import type { Task } from '../jobspec/types.js';
import type { TaskStateName } from '../scheduler/status.js';

export type Phase = 'prestart' | 'main' | 'poststart' | 'poststop';

export function phaseOf(task: Task): Phase {
  const hook = task.lifecycle?.hook;
  return hook === 'prestart' || hook === 'poststart' || hook === 'poststop' ? hook : 'main';
}

/** A sidecar keeps running beside the main tasks and is stopped once they are done. */
export function isSidecar(task: Task): boolean {
  return phaseOf(task) !== 'main' && task.lifecycle?.sidecar === true;
}

/**
 * Nomad's restart tracker ends a non-sidecar hook task on a successful exit whatever the
 * job type (it has done its one job); a service's main task would be restarted.
 */
export function restartsOnSuccess(task: Task): boolean {
  return phaseOf(task) === 'main' || isSidecar(task);
}

export interface TaskView {
  readonly task: Task;
  readonly state: TaskStateName;
  readonly failed: boolean;
  /** Has been running at least once (a task waiting out a restart delay counts). */
  readonly started: boolean;
}

const dead = (v: TaskView): boolean => v.state === 'dead';

/** Ephemeral prestart tasks have completed and prestart sidecars have started. */
export function prestartDone(views: readonly TaskView[]): boolean {
  return views.filter((v) => phaseOf(v.task) === 'prestart').every((v) => (isSidecar(v.task) ? v.started || dead(v) : dead(v) && !v.failed));
}

/** Every main task has started (or already ended): poststart may begin. */
export function mainStarted(views: readonly TaskView[]): boolean {
  return views.filter((v) => phaseOf(v.task) === 'main').every((v) => v.started || dead(v));
}

export function mainDone(views: readonly TaskView[]): boolean {
  return views.filter((v) => phaseOf(v.task) === 'main').every(dead);
}

/** Everything but the poststop tasks is dead: poststop may begin. */
export function readyForPoststop(views: readonly TaskView[]): boolean {
  return views.filter((v) => phaseOf(v.task) !== 'poststop').every(dead);
}
