/**
 * What `status JOB` shows of a periodic or parameterized parent, as Nomad's job status
 * does (command/job_status.go outputPeriodicInfo, outputParameterizedInfo): the next
 * periodic launch, the children summary and the children launched so far.
 */
import type { Database } from '../state/index.js';
import { getCurrentJobVersion, getLastLaunch, listChildren } from '../state/index.js';
import { parseCron } from '../jobspec/cron.js';
import { nextFire } from '../jobspec/cron-next.js';
import { formatKV, formatTable, formatTime, MS_TO_NS } from '../cli/format.js';
import { jobStatus } from '../scheduler/status.js';
import { formatDuration } from '../util/duration.js';

export interface ChildrenJson {
  readonly Kind: 'periodic' | 'parameterized';
  /** ns; 0 when none (disabled, stopped, or a spec that never fires again). */
  readonly NextPeriodicLaunch: number;
  readonly Parameterized: { readonly Payload: string; readonly MetaRequired: readonly string[]; readonly MetaOptional: readonly string[] } | null;
  readonly Summary: { readonly Pending: number; readonly Running: number; readonly Dead: number };
  readonly Children: readonly { readonly ID: string; readonly Status: string; readonly SubmitTime: number }[];
}

export function childrenJson(db: Database, jobId: string, stopped: boolean, now: number): ChildrenJson | null {
  const spec = getCurrentJobVersion(db, jobId)?.job;
  if (!spec || (spec.periodic === null && spec.parameterized === null)) return null;
  let next = 0;
  const p = spec.periodic;
  if (p !== null && p.enabled && !stopped && spec.parameterized === null) {
    const from = Math.max(getLastLaunch(db, jobId) ?? now, now - 1);
    for (const s of p.crons) {
      const c = parseCron(s);
      const n = c.ok ? nextFire(c.cron, from, p.timeZone) : null;
      if (n !== null && (next === 0 || n < next / MS_TO_NS)) next = n * MS_TO_NS;
    }
  }
  const summary = { Pending: 0, Running: 0, Dead: 0 };
  const children = listChildren(db, jobId).map((c) => {
    const status = jobStatus({
      type: spec.type,
      periodic: false,
      parameterized: false,
      stopped: c.stopped,
      allocs: c.live > 0 ? [{ desiredStatus: 'run', clientStatus: 'running' }] : c.total > 0 ? [{ desiredStatus: 'run', clientStatus: 'complete' }] : [],
      pendingWork: false,
    });
    if (status === 'pending') summary.Pending++;
    else if (status === 'running') summary.Running++;
    else summary.Dead++;
    return { ID: c.id, Status: status, SubmitTime: c.submitTime * MS_TO_NS };
  });
  const pj = spec.parameterized;
  return {
    Kind: pj !== null ? 'parameterized' : 'periodic',
    NextPeriodicLaunch: next,
    Parameterized: pj === null ? null : { Payload: pj.payload, MetaRequired: pj.metaRequired, MetaOptional: pj.metaOptional },
    Summary: summary,
    Children: children,
  };
}

/** The `Next Periodic Launch` line of the job's key-value block. */
export function childrenKV(c: ChildrenJson | null, stopped: boolean, now: number): [string, string][] {
  if (c === null || c.Kind !== 'periodic') return [];
  if (stopped) return [['Next Periodic Launch', 'none (job stopped)']];
  if (c.NextPeriodicLaunch === 0) return [];
  const at = c.NextPeriodicLaunch / MS_TO_NS;
  // Nomad's formatTimeDifference: the Go duration, rounded to the second.
  const s = Math.max(0, Math.round((at - now) / 1000));
  return [['Next Periodic Launch', `${formatTime(at)} (${formatDuration(s * 1000)} from now)`]];
}

/** The sections that replace Summary and Allocations for a parent job. */
export function renderChildren(c: ChildrenJson): string {
  let out = '';
  if (c.Parameterized !== null) {
    out += '\nParameterized Job\n';
    out += formatKV([
      ['Payload', c.Parameterized.Payload],
      ['Required Metadata', c.Parameterized.MetaRequired.join(', ')],
      ['Optional Metadata', c.Parameterized.MetaOptional.join(', ')],
    ]);
  }
  out += c.Kind === 'parameterized' ? '\nParameterized Job Summary\n' : '\nChildren Job Summary\n';
  out += formatTable(['Pending', 'Running', 'Dead'], [[String(c.Summary.Pending), String(c.Summary.Running), String(c.Summary.Dead)]]);
  out += c.Kind === 'parameterized' ? '\nDispatched Jobs\n' : '\nPreviously Launched Jobs\n';
  if (c.Children.length === 0) out += c.Kind === 'parameterized' ? 'No dispatched instances of parameterized job found\n' : 'No instances of periodic job found\n';
  else out += formatTable(['ID', 'Status'], c.Children.map((x) => [x.ID, x.Status]));
  return out;
}
