/**
 * Nomad's rules for the blocks that shape a job's life: `periodic` (PeriodicConfig.Validate
 * and Job.Validate), `parameterized` (ParameterizedJobConfig.Validate), `reschedule`
 * (ReschedulePolicy.Validate, in Nomad's words, Go duration formatting included),
 * `lifecycle` (TaskLifecycleConfig.Validate) and `dispatch_payload`.
 */
import { posix } from 'node:path';
import { formatDuration } from '../util/duration.js';
import { parseCron } from './cron.js';
import { isKnownTimeZone } from './cron-next.js';
import { joinPath } from './decode-ctx.js';
import { makeDiagnostic, type DiagnosticCode, type Position } from './diagnostics.js';
import type { Diagnostic, Job, ReschedulePolicy } from './types.js';

const DELAY_FUNCTIONS = ['constant', 'exponential', 'fibonacci'];
const HOOKS = ['prestart', 'poststart', 'poststop'];
const PAYLOAD_MODES = ['optional', 'required', 'forbidden'];
/** structs.ReschedulePolicyMinDelay and ReschedulePolicyMinInterval. */
const MIN_DELAY_MS = 5_000;
const MIN_INTERVAL_MS = 15_000;

/** `at` lists the places to point at, best first (absolute paths); the path itself is the fallback. */
type Add = (code: DiagnosticCode, message: string, path: string, ...at: string[]) => void;

export function validateLifecycle(job: Job, file: string, positions: ReadonlyMap<string, Position>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add: Add = (code, message, path, ...places) => {
    let at: Position | undefined;
    for (const k of places) at ??= positions.get(k);
    at ??= positions.get(path) ?? { file, line: 0, column: 0 };
    out.push(makeDiagnostic(code, { message }, path, at));
  };
  const under = (path: string, key: string): string => joinPath(path, key);
  const jobPath = `job "${job.id}"`;
  const schedulers = job.type === 'batch' || job.type === 'sysbatch';

  const p = job.periodic;
  if (p !== null && p.enabled) {
    const at = joinPath(jobPath, 'periodic');
    if (!schedulers) add('INVALID_VALUE', 'Periodic can only be used with "batch" or "sysbatch" scheduler', jobPath, at);
    if (p.crons.length === 0) add('INVALID_VALUE', 'Must specify a spec', at);
    if (p.timeZone !== '' && !isKnownTimeZone(p.timeZone)) add('INVALID_VALUE', `Invalid time zone "${p.timeZone}": unknown time zone ${p.timeZone}`, at, under(at, 'time_zone'));
    for (const spec of p.crons) {
      const r = parseCron(spec);
      if (!r.ok) add('INVALID_VALUE', `Invalid cron spec "${spec}": ${r.error}`, at, under(at, spec === p.cron ? 'cron' : 'crons'), under(at, 'crons'));
    }
  }

  const pj = job.parameterized;
  if (pj !== null) {
    const at = joinPath(jobPath, 'parameterized');
    if (!schedulers) add('INVALID_VALUE', 'Parameterized job can only be used with "batch" or "sysbatch" scheduler', jobPath, at);
    if (!PAYLOAD_MODES.includes(pj.payload)) add('INVALID_VALUE', `Unknown payload requirement: "${pj.payload}"`, at, under(at, 'payload'));
    const both = pj.metaRequired.filter((k) => pj.metaOptional.includes(k));
    if (both.length > 0) add('INVALID_VALUE', `Required and optional meta keys should be disjoint. Following keys exist in both: [${both.join(' ')}]`, at, under(at, 'meta_optional'));
  }

  for (const g of job.groups) {
    const gPath = joinPath(jobPath, `group "${g.name}"`);
    if (g.reschedule !== null) {
      // The group's own block when it has one, else the job's, which the group inherited.
      const own = under(gPath, 'reschedule');
      const inherited = under(jobPath, 'reschedule');
      if (job.type === 'system') add('INVALID_VALUE', 'System jobs should not have a reschedule policy', gPath, own, inherited);
      else for (const [msg, key] of rescheduleProblems(g.reschedule)) add('INVALID_VALUE', msg, gPath, under(own, key), own, under(inherited, key), inherited);
    }
    for (const t of g.tasks) {
      const tPath = joinPath(gPath, `task "${t.name}"`);
      if (t.lifecycle !== null && t.lifecycle.hook !== '' && !HOOKS.includes(t.lifecycle.hook)) {
        const at = under(tPath, 'lifecycle');
        add('INVALID_VALUE', `invalid hook: ${t.lifecycle.hook}`, at, under(at, 'hook'));
      }
      const f = t.dispatchPayloadFile;
      const at = under(tPath, 'dispatch_payload');
      if (f !== null && escapes(f)) add('INVALID_VALUE', `dispatch_payload file "${f}" escapes the task's local/ directory`, at, under(at, 'file'));
    }
  }
  return out;
}

function escapes(file: string): boolean {
  const n = posix.normalize(posix.join('/local', file));
  return n !== '/local' && !n.startsWith('/local/');
}

const d = formatDuration;

/** ReschedulePolicy.Validate: each problem with the key it is about. */
export function rescheduleProblems(r: ReschedulePolicy): [string, string][] {
  if (!(r.attempts > 0 || r.unlimited)) return [];
  const out: [string, string][] = [];
  if (r.attempts > 0) {
    if (r.intervalMs <= 0) out.push(['Interval must be a non zero value if Attempts > 0', 'interval']);
    if (r.unlimited) {
      out.push([`Reschedule Policy with Attempts = ${r.attempts}, Interval = ${d(r.intervalMs)}, and Unlimited = true is ambiguous`, 'unlimited']);
      out.push(['If Attempts >0, Unlimited cannot also be set to true', 'unlimited']);
    }
  }
  let pre = true;
  if (r.delayMs < MIN_DELAY_MS) {
    out.push([`Delay cannot be less than ${d(MIN_DELAY_MS)} (got ${d(r.delayMs)})`, 'delay']);
    pre = false;
  }
  if (!DELAY_FUNCTIONS.includes(r.delayFunction)) {
    out.push([`Invalid delay function "${r.delayFunction}", must be one of ["constant" "exponential" "fibonacci"]`, 'delay_function']);
    pre = false;
  }
  if (r.delayFunction !== 'constant') {
    if (r.maxDelayMs < MIN_DELAY_MS) {
      // Nomad prints the delay here, not the max delay; kept, so the words match.
      out.push([`Max Delay cannot be less than ${d(MIN_DELAY_MS)} (got ${d(r.delayMs)})`, 'max_delay']);
      pre = false;
    }
    if (r.maxDelayMs < r.delayMs) {
      out.push([`Max Delay cannot be less than Delay ${d(r.delayMs)} (got ${d(r.maxDelayMs)})`, 'max_delay']);
      pre = false;
    }
  }
  if (!r.unlimited) {
    if (r.intervalMs < MIN_INTERVAL_MS) out.push([`Interval cannot be less than ${d(MIN_INTERVAL_MS)} (got ${d(r.intervalMs)})`, 'interval']);
    if (pre) out.push(...viability(r));
  }
  return out;
}

/** validateDelayParams: can `attempts` reschedules fit in `interval`? */
function viability(r: ReschedulePolicy): [string, string][] {
  let possible = 0;
  let recommended = 0;
  let valid = true;
  if (r.delayFunction === 'constant') {
    recommended = r.attempts * r.delayMs;
    if (r.intervalMs < recommended) {
      possible = Math.floor(r.intervalMs / r.delayMs);
      valid = false;
    }
  } else if (r.delayFunction === 'exponential') {
    for (let i = 0; i < r.attempts; i++) {
      let next = 2 ** i * r.delayMs;
      if (next > r.maxDelayMs) {
        next = r.maxDelayMs;
        recommended += next;
      } else recommended = next;
      if (recommended < r.intervalMs) possible++;
    }
    valid = possible >= r.attempts;
  } else {
    const slots = [r.delayMs, r.delayMs];
    let ceiling = false;
    for (let i = 2; i < r.attempts; i++) {
      let next: number;
      if (ceiling) next = slots[i - 1] + r.maxDelayMs;
      else {
        next = slots[i - 1] + slots[i - 2];
        if (next > r.maxDelayMs) {
          next = r.maxDelayMs;
          ceiling = true;
        }
      }
      slots.push(next);
    }
    recommended = slots[slots.length - 1];
    if (r.intervalMs < recommended) {
      valid = false;
      const i = slots.findIndex((s) => s > r.intervalMs);
      possible = i < 0 ? 0 : i;
    }
  }
  if (valid) return [];
  const head = r.delayFunction === 'constant'
    ? `Nomad can only make ${possible} attempts in ${d(r.intervalMs)} with initial delay ${d(r.delayMs)} and delay function "constant"`
    : `Nomad can only make ${possible} attempts in ${d(r.intervalMs)} with initial delay ${d(r.delayMs)}, delay function "${r.delayFunction}", and delay ceiling ${d(r.maxDelayMs)}`;
  return [[head, 'interval'], [`Set the interval to at least ${d(Math.round(recommended / 1000) * 1000)} to accommodate ${r.attempts} attempts`, 'interval']];
}
