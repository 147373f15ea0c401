/**
 * PUT /v1/job/:id/dispatch (Nomad's JobDispatchRequest: `Payload` base64, `Meta`) and
 * PUT /v1/job/:id/periodic/force, through the same child-job code as `bivouac job dispatch`
 * and `job periodic force` (src/agent/dispatch.ts). The child's registration makes its
 * evaluation (schema 008); the answer waits for the pass that places the child, as a
 * register does, so Nomad's CLI monitor lists its allocation.
 */
import { dispatchJob, forcePeriodicLaunch } from '../agent/dispatch.js';
import { findEvalAfter, getCurrentJobVersion, getJob, getStateIndex, type EvalRecord } from '../state/index.js';
import { ApiError, badRequest } from './errors.js';
import { waitForPass } from './write-jobs.js';
import type { AgentReply, ApiDeps, Request } from './types.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The request's Meta and Payload, or a 400 naming what is wrong; nothing is written before this passes. */
export function dispatchRequest(body: unknown, jobId: string): { meta: Record<string, string>; payload: Buffer | null } {
  if (body === undefined || body === null) return { meta: {}, payload: null };
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('dispatch request must be a JSON object');
  const { JobID, Payload, Meta } = body as { JobID?: unknown; Payload?: unknown; Meta?: unknown };
  if (JobID !== undefined && JobID !== null && JobID !== '' && JobID !== jobId) throw badRequest('Job ID does not match');
  let payload: Buffer | null = null;
  if (Payload !== undefined && Payload !== null) {
    if (typeof Payload !== 'string' || !BASE64.test(Payload)) throw badRequest('Payload must be a base64 string');
    payload = Buffer.from(Payload, 'base64');
  }
  const meta: Record<string, string> = {};
  if (Meta !== undefined && Meta !== null) {
    if (typeof Meta !== 'object' || Array.isArray(Meta)) throw badRequest('Meta must be an object of strings');
    for (const [k, v] of Object.entries(Meta as Record<string, unknown>)) {
      if (typeof v !== 'string') throw badRequest(`Meta "${k}" must be a string`);
      meta[k] = v;
    }
  }
  return { meta, payload };
}

/** The child's registration evaluation, made in the same transaction as the child. */
function childEval(deps: ApiDeps, childId: string, before: number): EvalRecord {
  const ev = findEvalAfter(deps.db, childId, 'job-register', before);
  if (ev === null) throw new ApiError(500, `job "${childId}" was registered without an evaluation`);
  return ev;
}

export async function dispatchHandler(req: Request, deps: ApiDeps): Promise<AgentReply> {
  const { meta, payload } = dispatchRequest(req.body, req.params[0]);
  // Nomad's server words for these two (the CLI's own dispatch says them its way).
  const parent = getJob(deps.db, req.params[0]);
  if (parent === null) throw new ApiError(500, 'parameterized job not found');
  if (parent.stopped) throw new ApiError(500, `Specified job "${parent.id}" is stopped`);
  const before = getStateIndex(deps.db);
  const childId = dispatchJob(deps.db, req.params[0], meta, payload, deps.clock.now());
  const ev = childEval(deps, childId, before);
  deps.agent.requestPass();
  await waitForPass(deps);
  const idx = getStateIndex(deps.db);
  return {
    kind: 'json',
    body: { DispatchedJobID: childId, EvalID: ev.id, EvalCreateIndex: ev.createIndex, JobCreateIndex: getJob(deps.db, childId)?.createIndex ?? 0, Index: idx },
    index: idx,
  };
}

export async function periodicForceHandler(req: Request, deps: ApiDeps): Promise<AgentReply> {
  const current = getCurrentJobVersion(deps.db, req.params[0]);
  if (current === null) throw new ApiError(500, 'job not found');
  if (current.job.periodic === null) throw new ApiError(500, "can't force launch non-periodic job");
  const before = getStateIndex(deps.db);
  const childId = forcePeriodicLaunch(deps.db, req.params[0], deps.clock.now());
  const ev = childEval(deps, childId, before);
  deps.agent.requestPass();
  await waitForPass(deps);
  const idx = getStateIndex(deps.db);
  // Nomad answers with the evaluation's index, as its periodic endpoint does.
  return { kind: 'json', body: { EvalID: ev.id, EvalCreateIndex: ev.createIndex, Index: ev.createIndex }, index: ev.createIndex };
}
