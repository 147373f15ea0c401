/** PUT /v1/allocation/:id/stop and PUT /v1/client/allocation/:id/restart|signal. */
import { randomUUID } from 'node:crypto';
import { getJobSummary, getStateIndex, insertEval, getJob } from '../state/index.js';
import { badRequest } from './errors.js';
import { requireAlloc } from './read-allocs.js';
import type { AgentReply as Reply, ApiDeps, Request } from './types.js';

function field(body: unknown, name: string): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('request body must be a JSON object');
  const v = (body as Record<string, unknown>)[name];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw badRequest(`${name} must be a string`);
  return v;
}

/** Nomad's signal names: SIGHUP, SIGUSR1 … (and the bare forms HUP, USR1). */
const SIGNAL = /^(SIG)?[A-Z0-9+-]{2,10}$/;

export async function restartAlloc(req: Request, deps: ApiDeps): Promise<Reply> {
  const alloc = requireAlloc(deps.readDb, req.params[0]);
  const task = field(req.body, 'TaskName');
  await deps.agent.restartAlloc(alloc.id, task);
  return { kind: 'json', body: { Index: 0 } };
}

export async function signalAlloc(req: Request, deps: ApiDeps): Promise<Reply> {
  const alloc = requireAlloc(deps.readDb, req.params[0]);
  const task = field(req.body, 'Task');
  const sig = (field(req.body, 'Signal') ?? 'SIGKILL').toUpperCase();
  if (!SIGNAL.test(sig)) throw badRequest(`invalid signal "${sig}"`);
  await deps.agent.signalAlloc(alloc.id, task, sig.startsWith('SIG') ? sig : `SIG${sig}`);
  return { kind: 'json', body: { Index: 0 } };
}

export function stopAlloc(req: Request, deps: ApiDeps): Reply {
  const alloc = requireAlloc(deps.readDb, req.params[0]);
  deps.agent.stopAlloc(alloc.id);
  const s = getJobSummary(deps.readDb, alloc.jobId)?.summary;
  const ev = insertEval(deps.db, {
    id: randomUUID(), jobId: alloc.jobId, namespace: s?.namespace ?? 'default', priority: s?.priority ?? 50, type: s?.type ?? 'service',
    triggeredBy: 'alloc-stop', status: 'complete', jobModifyIndex: getJob(deps.readDb, alloc.jobId)?.jobModifyIndex ?? 0, createTime: deps.clock.now(),
  });
  const idx = getStateIndex(deps.readDb);
  return { kind: 'json', body: { EvalID: ev.id, Index: idx }, index: idx };
}
