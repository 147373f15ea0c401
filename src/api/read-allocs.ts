/** GET /v1/allocations, /v1/allocation/:id, evaluations, and the client stats of an allocation. */
import type { AllocRecord, Database } from '../state/index.js';
import { findAllocsByPrefix, getAlloc, getEval, getJob, listAllAllocs, listAllocsForJob, listEvals, listEvalsForJob } from '../state/index.js';
import { AllocReads, apiAlloc, apiAllocStub } from '../status/alloc.js';
import { apiEval } from '../status/eval.js';
import { notFound } from './errors.js';
import { queuedOf } from './read-jobs.js';
import { allocStats, hostStats } from './stats.js';
import type { ReadDeps, Reply, Request } from './types.js';

const q = (body: unknown): Reply => ({ kind: 'json', body });

/** Nomad's roundUUIDDownIfOdd: an odd-length ID prefix is cut to even length. */
export function evenPrefix(p: string): string {
  return p.length % 2 === 1 ? p.slice(0, -1) : p;
}

export function listAllocations(req: Request, deps: ReadDeps): Reply {
  const db = deps.readDb;
  const prefix = evenPrefix(req.query.get('prefix') ?? '');
  const allocs = prefix === '' ? listAllAllocs(db) : findAllocsByPrefix(db, prefix, 10_000);
  const reads = new AllocReads(db);
  return q(allocs.map((a) => apiAllocStub(reads, a)));
}

export function requireAlloc(db: Database, id: string): AllocRecord {
  const a = getAlloc(db, id);
  if (!a) throw notFound('alloc not found');
  return a;
}

export function getAllocation(req: Request, deps: ReadDeps): Reply {
  return q(apiAlloc(deps.readDb, requireAlloc(deps.readDb, req.params[0])));
}

export function getEvaluation(req: Request, deps: ReadDeps): Reply {
  const e = getEval(deps.readDb, req.params[0]);
  if (!e) throw notFound('eval not found');
  const j = getJob(deps.readDb, e.jobId);
  return q(apiEval(e, j ? queuedOf(j) : {}));
}

export function listEvaluations(req: Request, deps: ReadDeps): Reply {
  const prefix = evenPrefix(req.query.get('prefix') ?? '');
  return q(listEvals(deps.readDb).filter((e) => e.id.startsWith(prefix)).map((e) => apiEval(e)));
}

/** The allocations an evaluation made: the job's, created after it (by state index) and before the job's next evaluation. */
export function evaluationAllocations(req: Request, deps: ReadDeps): Reply {
  const db = deps.readDb;
  const e = getEval(db, req.params[0]);
  if (!e) throw notFound('eval not found');
  const next = listEvalsForJob(db, e.jobId).filter((x) => x.createIndex > e.createIndex).at(-1);
  const reads = new AllocReads(db);
  const allocs = listAllocsForJob(db, e.jobId).filter((a) => a.createIndex > e.createIndex && (next === undefined || a.createIndex < next.createIndex));
  return q(allocs.map((a) => apiAllocStub(reads, a)));
}

export function allocationStats(req: Request, deps: ReadDeps): Reply {
  requireAlloc(deps.readDb, req.params[0]);
  return q(allocStats(deps.readDb, req.params[0], deps.clock.now(), deps.taskUsage));
}

export function clientStats(_req: Request, deps: ReadDeps): Reply {
  return q(hostStats(deps.dataDir, deps.clock.now()));
}
