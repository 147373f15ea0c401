/**
 * Checks on the decoded job that need more than one field: ranges, the log-vs-disk rule,
 * duplicate and unsafe names, a job with nothing to run. Wording is Nomad 1.5's where it
 * has one. Positions come from the map the decoder filled, keyed by path.
 */
import { joinPath } from './decode-ctx.js';
import { LIMITS } from './defaults.js';
import { makeDiagnostic, type DiagnosticCode, type Position } from './diagnostics.js';
import { formatDuration } from '../util/duration.js';
import { validateLifecycle } from './validate-lifecycle.js';
import type { Diagnostic, Group, Job, Task } from './types.js';
import { apiJob } from './api-json.js';
import { validateBlocks } from './validate-blocks.js';

export interface ValidateInput {
  readonly job: Job;
  readonly file: string;
  readonly positions: ReadonlyMap<string, Position>;
}

export function validateJob({ job, file, positions }: ValidateInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (code: DiagnosticCode, args: Readonly<Record<string, string | number>>, path: string, key?: string): void => {
    const at = (key !== undefined ? positions.get(joinPath(path, key)) : undefined) ?? positions.get(path) ?? { file, line: 0, column: 0 };
    out.push(makeDiagnostic(code, args, path, at));
  };
  const jobPath = `job "${job.id}"`;
  checkName(add, 'Job', job.id, jobPath);
  if (job.priority < LIMITS.priorityMin || job.priority > LIMITS.priorityMax) {
    add('OUT_OF_RANGE', { message: `Job priority must be between [${LIMITS.priorityMin}, ${LIMITS.priorityMax}]` }, jobPath, 'priority');
  }
  if (job.groups.length === 0) add('NO_GROUPS', {}, jobPath);
  const seen = new Map<string, number>();
  job.groups.forEach((g, i) => {
    const gPath = joinPath(jobPath, `group "${g.name}"`);
    const first = seen.get(g.name);
    if (first !== undefined) add('DUPLICATE_NAME', { message: `Job task group ${i + 1} redefines '${g.name}' from group ${first + 1}` }, gPath);
    else seen.set(g.name, i);
    validateGroup(add, g, gPath);
  });
  const groupPath = (g: string): string => joinPath(jobPath, `group "${g}"`);
  validateBlocks(apiJob(job, false), {
    job: (code, message, key) => add(code, { message }, jobPath, key),
    group: (g) => (code, message, key) => add(code, { message }, groupPath(g), key),
    task: (g, t) => (code, message, key) => add(code, { message }, joinPath(groupPath(g), `task "${t}"`), key),
  });
  out.push(...validateLifecycle(job, file, positions));
  return out;
}

type Add = (code: DiagnosticCode, args: Readonly<Record<string, string | number>>, path: string, key?: string) => void;

function validateGroup(add: Add, g: Group, path: string): void {
  checkName(add, 'Task group', g.name, path);
  if (g.count < 0) add('OUT_OF_RANGE', { message: "Task group count can't be negative" }, path, 'count');
  if (g.ephemeralDisk.sizeMB < LIMITS.diskMinMB) {
    add('OUT_OF_RANGE', { message: `minimum DiskMB value is ${LIMITS.diskMinMB}; got ${g.ephemeralDisk.sizeMB}` }, path, 'ephemeral_disk');
  }
  checkRestart(add, g.restart, path);
  if (g.tasks.length === 0 && !hasGateway(g)) add('NO_TASKS', {}, path);
  const seen = new Map<string, number>();
  g.tasks.forEach((t, i) => {
    const tPath = joinPath(path, `task "${t.name}"`);
    const first = seen.get(t.name);
    if (first !== undefined) add('DUPLICATE_NAME', { message: `Task ${i + 1} redefines '${t.name}' from task ${first + 1}` }, tPath);
    else seen.set(t.name, i);
    validateTask(add, t, g, tPath);
  });
}

function validateTask(add: Add, t: Task, g: Group, path: string): void {
  checkName(add, 'Task', t.name, path);
  // Each task's dir sits beside the shared `alloc/` dir in the allocation's directory.
  if (t.name === 'alloc') add('UNSAFE_NAME', { what: 'Task', name: 'alloc', reason: 'it is the name of the shared alloc/ directory' }, path);
  const r = t.resources;
  const resPath = joinPath(path, 'resources');
  if (r.cores === 0 && r.cpu < LIMITS.cpuMin) add('OUT_OF_RANGE', { message: `minimum CPU value is ${LIMITS.cpuMin}; got ${r.cpu}` }, resPath, 'cpu');
  if (r.memoryMB < LIMITS.memoryMinMB) add('OUT_OF_RANGE', { message: `minimum MemoryMB value is ${LIMITS.memoryMinMB}; got ${r.memoryMB}` }, resPath, 'memory');
  if (r.memoryMaxMB !== 0 && r.memoryMaxMB < r.memoryMB) {
    add('OUT_OF_RANGE', { message: `MemoryMaxMB value (${r.memoryMaxMB}) should be larger than MemoryMB value (${r.memoryMB})` }, resPath, 'memory_max');
  }
  if (t.killTimeoutMs < 0) add('OUT_OF_RANGE', { message: "Task's kill_timeout must be a positive value" }, path, 'kill_timeout');
  const logsPath = joinPath(path, 'logs');
  if (t.logs.maxFiles < LIMITS.logMinFiles) add('OUT_OF_RANGE', { message: `minimum number of files is ${LIMITS.logMinFiles}; got ${t.logs.maxFiles}` }, logsPath);
  if (t.logs.maxFileSizeMB < LIMITS.logMinFileSizeMB) {
    add('OUT_OF_RANGE', { message: `minimum file size is ${LIMITS.logMinFileSizeMB}MB; got ${t.logs.maxFileSizeMB}` }, logsPath);
  }
  const logMB = t.logs.maxFiles * t.logs.maxFileSizeMB;
  if (logMB >= g.ephemeralDisk.sizeMB) add('LOG_EXCEEDS_DISK', { logMB, diskMB: g.ephemeralDisk.sizeMB }, logsPath);
  checkRestart(add, t.restart, path);
}

/** A Connect gateway group has no tasks of its own: Nomad injects the gateway task. */
function hasGateway(g: Group): boolean {
  const services = g.extra['Services'];
  if (!Array.isArray(services)) return false;
  return services.some((s: unknown) => {
    const connect = typeof s === 'object' && s !== null ? (s as Record<string, unknown>)['Connect'] : undefined;
    return typeof connect === 'object' && connect !== null && 'gateway' in connect;
  });
}

function checkRestart(add: Add, r: Task['restart'], path: string): void {
  const at = joinPath(path, 'restart');
  if (r.attempts < 0) add('OUT_OF_RANGE', { message: 'restart attempts must be 0 or more' }, at);
  if (r.delayMs < 0) add('OUT_OF_RANGE', { message: 'restart delay must be 0 or more' }, at);
  if (r.attempts === 0 && r.mode === 'delay') add('INVALID_VALUE', { message: `Restart policy "delay" with 0 attempts is ambiguous` }, at);
  if (r.attempts > 0 && r.intervalMs < r.attempts * r.delayMs) {
    const msg = `Nomad can't restart the TaskGroup ${r.attempts} times in an interval of: ${formatDuration(r.intervalMs)} with a delay of: ${formatDuration(r.delayMs)}`;
    add('OUT_OF_RANGE', { message: msg }, at);
  }
}

/** Why a name cannot be a directory name, or null when it can. */
export function unsafeNameReason(name: string): string | null {
  if (name === '') return 'it is empty';
  if (name === '.' || name === '..') return 'it is "." or ".."';
  if (name.includes('/') || name.includes('\\')) return 'it contains a slash';
  if (name.includes('\0')) return 'it contains a NUL character';
  if (/[\u0001-\u001f\u007f]/.test(name)) return 'it contains a control character';
  if (Buffer.byteLength(name, 'utf8') > LIMITS.nameMaxBytes) return `it is longer than ${LIMITS.nameMaxBytes} bytes`;
  return null;
}

function checkName(add: Add, what: string, name: string, path: string): void {
  const reason = unsafeNameReason(name);
  if (reason !== null) add('UNSAFE_NAME', { what, name: JSON.stringify(name).slice(1, -1), reason }, path);
}
