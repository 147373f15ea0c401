/** GET /v1/jobs, /v1/job/:id and its allocations, evaluations, deployment, summary, versions. */
import type { Database, JobRecord, JobVersionRecord } from '../state/index.js';
import {
  getJob, getJobSummary, getJobVersion, listAllocsForJob, listEvalsForJob, countAllocsByJob,
} from '../state/index.js';
import { apiJobSummary, jobStub, listJobStubs } from '../status/api.js';
import { AllocReads, apiAllocStub } from '../status/alloc.js';
import { apiEval } from '../status/eval.js';
import { apiJob, jobStateOf } from '../status/job.js';
import { isTerminalClientStatus } from '../state/index.js';
import { diffJobs } from '../jobspec/diff.js';
import { notFound } from './errors.js';
import { parseBoolParam } from './request.js';
import { apiJobDiff } from '../status/job-diff.js';
import type { ReadDeps, Reply, Request } from './types.js';

const q = (body: unknown): Reply => ({ kind: 'json', body });

export function listJobs(req: Request, deps: ReadDeps): Reply {
  // Nomad 1.0's list stub leaves the top-level Namespace empty; clients read JobSummary.Namespace.
  return q(listJobStubs(deps.readDb, true, req.query.get('prefix') ?? '').map((s) => ({ ...stubFields(s), Namespace: '' })));
}

/** The stub as Nomad's JobListStub, without bivouac's own fields. */
function stubFields(s: ReturnType<typeof jobStub>): Record<string, unknown> {
  const { Version: _v, SourceFile: _f, ...rest } = s;
  void _v;
  void _f;
  return {
    ID: rest.ID, ParentID: rest.ParentID, Name: rest.Name, Namespace: rest.Namespace, Datacenters: rest.Datacenters,
    Multiregion: null, Type: rest.Type, Priority: rest.Priority, Periodic: rest.Periodic, ParameterizedJob: rest.ParameterizedJob,
    Stop: rest.Stop, Status: rest.Status, StatusDescription: rest.StatusDescription, JobSummary: rest.JobSummary,
    CreateIndex: rest.CreateIndex, ModifyIndex: rest.ModifyIndex, JobModifyIndex: rest.JobModifyIndex, SubmitTime: rest.SubmitTime,
  };
}

export function requireJob(db: Database, id: string): JobRecord {
  const j = getJob(db, id);
  if (!j) throw notFound('job not found');
  return j;
}

/** The job as Nomad returns it: the current version's spec, defaulted, with its status. */
export function jobObject(db: Database, id: string): Record<string, unknown> {
  const entry = getJobSummary(db, id);
  const version = entry ? getJobVersion(db, id, entry.job.version) : null;
  if (!entry || !version) throw notFound('job not found');
  const stub = jobStub(entry.job, entry.summary, countAllocsByJob(db, id).get(id));
  return apiJob(version.job, jobStateOf(entry.job, stub.Status));
}

export function getJobHandler(req: Request, deps: ReadDeps): Reply {
  return q(jobObject(deps.readDb, req.params[0]));
}

export function jobAllocations(req: Request, deps: ReadDeps): Reply {
  const db = deps.readDb;
  requireJob(db, req.params[0]);
  const all = parseBoolParam(req.query, 'all', false);
  const reads = new AllocReads(db);
  const allocs = listAllocsForJob(db, req.params[0]);
  // Without all=true Nomad lists the allocations of the job as it is now (not an earlier
  // incarnation); bivouac keeps one incarnation per ID, so that is every allocation.
  void all;
  return q(allocs.map((a) => apiAllocStub(reads, a)));
}

export function jobEvaluations(req: Request, deps: ReadDeps): Reply {
  const j = requireJob(deps.readDb, req.params[0]);
  return q(listEvalsForJob(deps.readDb, j.id).map((e) => apiEval(e, queuedOf(j))));
}

export function queuedOf(j: JobRecord): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of j.placementFailures ?? []) out[f.group] = (out[f.group] ?? 0) + f.count;
  return out;
}

/** bivouac has no deployments (no update strategy is carried out): Nomad's answer for a job without one. */
export function jobDeployment(req: Request, deps: ReadDeps): Reply {
  requireJob(deps.readDb, req.params[0]);
  return q(null);
}

/** bivouac makes no deployments: the list is always empty. */
export function listDeployments(): Reply {
  return q([]);
}

export function jobSummaryHandler(req: Request, deps: ReadDeps): Reply {
  const entry = getJobSummary(deps.readDb, req.params[0]);
  if (!entry) throw notFound('job not found');
  return q(apiJobSummary(deps.readDb, entry.job, entry.summary));
}

export function jobVersions(req: Request, deps: ReadDeps): Reply {
  const db = deps.readDb;
  const j = requireJob(db, req.params[0]);
  const withDiffs = parseBoolParam(req.query, 'diffs', false);
  const versions: JobVersionRecord[] = [];
  for (let v = j.version; v >= 0; v--) {
    const rec = getJobVersion(db, j.id, v);
    if (!rec) continue;
    versions.push(rec);
  }
  const live = listAllocsForJob(db, j.id).some((a) => !isTerminalClientStatus(a.clientStatus));
  const body = versions.map((rec) =>
    apiJob(rec.job, {
      ...jobStateOf(j, rec.version === j.version ? (live ? 'running' : j.stopped ? 'dead' : 'pending') : 'dead', rec.version),
      stop: rec.version === j.version ? j.stopped : false,
      submitTime: rec.submitTime,
    }),
  );
  const diffs = withDiffs ? versions.slice(0, -1).map((rec, i) => apiJobDiff(diffJobs(versions[i + 1].job, rec.job))) : null;
  return { kind: 'json', body: { Versions: body, Diffs: diffs, Index: j.modifyIndex, LastContact: 0, KnownLeader: false } };
}
