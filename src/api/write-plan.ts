/** PUT /v1/job/:id/plan, PUT /v1/validate/job, POST /v1/jobs/parse. */
import { canonicalHash } from '../jobspec/hash.js';
import { decodeApiJob } from '../jobspec/api-decode.js';
import { formatDiagnostic } from '../jobspec/diagnostics.js';
import { getCurrentJobVersion, getJob, getJobVersion, listAllocsForJob, listLiveAllocs } from '../state/index.js';
import { toExisting } from '../agent/schedule.js';
import { listeningPorts } from '../node/ports.js';
import { planJob, type UpdateType } from '../status/render-plan.js';
import { apiJobDiff } from '../status/job-diff.js';
import { apiJobSpec } from '../status/job.js';
import { ApiError, badRequest } from './errors.js';
import { jobFromBody } from './write-jobs.js';
import type { AgentReply as Reply, ApiDeps, Request } from './types.js';

/** Nomad's DesiredUpdates field for each of bivouac's update kinds. */
const DESIRED: Readonly<Record<UpdateType, string>> = {
  create: 'Place', destroy: 'Stop', ignore: 'Ignore', 'in-place update': 'InPlaceUpdate', 'create/destroy update': 'DestructiveUpdate',
};

export function planHandler(req: Request, deps: ApiDeps): Reply {
  const { job } = jobFromBody(req.body);
  if (job.id !== req.params[0]) throw badRequest('Job ID does not match');
  const node = deps.agent.node();
  if (node === null) throw new ApiError(500, 'the node has not been fingerprinted yet');
  const db = deps.readDb;
  const current = getCurrentJobVersion(db, job.id);
  const record = getJob(db, job.id);
  const plan = planJob({
    job,
    current: current && { job: current.job, version: current.version, hash: current.hash, stopped: record?.stopped ?? false },
    hash: canonicalHash(job),
    allocsOfJob: listAllocsForJob(db, job.id).map(toExisting),
    allocsOnNode: listLiveAllocs(db).map(toExisting),
    jobAt: (v) => getJobVersion(db, job.id, v)?.job ?? null,
    node,
    hostPorts: listeningPorts('/proc'),
    rand: Math.random,
  });
  const tg: Record<string, Record<string, number>> = {};
  const updates = new Map<string, Map<string, number>>();
  for (const g of job.groups) {
    const counts: Record<string, number> = { Ignore: 0, Place: 0, Migrate: 0, Stop: 0, InPlaceUpdate: 0, DestructiveUpdate: 0, Canary: 0, Preemptions: 0 };
    const named = new Map<string, number>();
    for (const [kind, n] of plan.updates.get(g.name) ?? []) {
      counts[DESIRED[kind]] += n;
      named.set(kind, n);
    }
    tg[g.name] = counts;
    updates.set(g.name, named);
  }
  const diff = apiJobDiff(plan.diff, plan.annotations, updates);
  const fields = (diff.Fields as { Name: string }[] | null) ?? [];
  if (record?.stopped && !fields.some((f) => f.Name === 'Stop')) {
    // A stopped job run again: Nomad shows the Stop flag going back to false (unless the plan's diff says so already).
    const stop = { Type: 'Edited', Name: 'Stop', Old: 'true', New: 'false', Annotations: null };
    diff.Type = 'Edited';
    diff.Fields = [...fields, stop].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  }
  const failed = plan.failures.length === 0 ? null : Object.fromEntries(plan.failures.map((f) => [f.group, failedMetric(f.reasons, f.count)]));
  return {
    kind: 'json',
    body: {
      Annotations: { DesiredTGUpdates: tg, PreemptedAllocs: null },
      FailedTGAllocs: failed,
      JobModifyIndex: record?.jobModifyIndex ?? 0,
      CreatedEvals: null,
      Diff: req.body !== null && typeof req.body === 'object' && (req.body as { Diff?: unknown }).Diff === false ? null : diff,
      NextPeriodicLaunch: null,
      Warnings: '',
      Index: record?.modifyIndex ?? 0,
    },
  };
}

/** Nomad's AllocMetric for a group that did not fit, with the scheduler's reasons as its dimension text. */
function failedMetric(reasons: readonly string[], count: number): Record<string, unknown> {
  const dims: Record<string, number> = {};
  for (const r of reasons) dims[r] = 1;
  return {
    NodesEvaluated: 1, NodesFiltered: 0, NodesAvailable: null, ClassFiltered: null, ConstraintFiltered: null, NodesExhausted: 1,
    ClassExhausted: null, DimensionExhausted: dims, QuotaExhausted: null, Scores: null, ScoreMetaData: null, AllocationTime: 0,
    CoalescedFailures: Math.max(0, count - 1),
  };
}

export function validateHandler(req: Request): Reply {
  const r = decodeApiJob('request body', req.body);
  const errors = r.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d));
  const warnings = r.diagnostics.filter((d) => d.severity === 'warning').map((d) => formatDiagnostic(d));
  return {
    kind: 'json',
    body: {
      DriverConfigValidated: errors.length === 0,
      ValidationErrors: errors.length === 0 ? null : errors,
      Error: errors.length === 0 ? '' : `${errors.length} error(s) occurred:\n\n${errors.map((e) => `* ${e}`).join('\n')}\n\n`,
      Warnings: warnings.join('\n'),
    },
  };
}

export async function parseHandler(req: Request, deps: ApiDeps): Promise<Reply> {
  const b = req.body;
  const hcl = b !== null && typeof b === 'object' ? (b as { JobHCL?: unknown }).JobHCL : undefined;
  if (typeof hcl !== 'string' || hcl === '') throw badRequest('Job spec is empty');
  const r = await deps.parser.parse('request.nomad', hcl);
  if (r.job === null) throw badRequest(r.diagnostics.filter((d) => d.severity === 'error').map((d) => deps.parser.format(d)).join('; ') || 'invalid job');
  // api.Job (what parse returns) also has the job-level Migrate and Reschedule, null unless set.
  return { kind: 'json', body: { Migrate: null, Reschedule: null, ...apiJobSpec(r.job), Status: '' } };
}
