/**
 * Job writes keep the jobs directory the one source of truth (DESIGN.md): PUT /v1/jobs writes
 * `<jobs dir>/<id>.nomad.json` atomically and the agent's next pass registers it like any
 * dropped file; DELETE moves the defining file to `<data dir>/stopped-jobs/`. Each answers
 * with a synthetic evaluation, already complete, so Nomad's CLI monitor ends.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job } from '../jobspec/types.js';
import { decodeApiJob, apiJobObject } from '../jobspec/api-decode.js';
import { formatDiagnostic } from '../jobspec/diagnostics.js';
import {
  apiJobFileSha, findEvalAfter, forgetApiJobFile, getJob, getJobSummary, getStateIndex, insertEval, listAllocsForJob, purgeJobRows, recordApiJobFile, tx,
  type EvalRecord,
} from '../state/index.js';
import { ApiError, badRequest, notFound } from './errors.js';
import { parseBoolParam } from './request.js';
import type { AgentReply as Reply, ApiDeps, Request } from './types.js';

/** How long a write waits for the agent's pass to take it in before answering anyway. */
const PASS_WAIT_MS = 10_000;
/** How long a purge waits for the job's tasks to stop before refusing to drop their rows. */
const PURGE_WAIT_MS = 60_000;

/** The decoded job of a request body `{"Job": {…}}`, or a 400 naming every problem. */
export function jobFromBody(body: unknown): { job: Job; raw: Record<string, unknown> } {
  const raw = apiJobObject(body);
  if (raw === null) throw badRequest('Job must be specified');
  const r = decodeApiJob('request body', body);
  if (r.job === null) {
    const errors = r.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d));
    throw badRequest(`Job validation failed: ${errors.join('; ')}`);
  }
  return { job: r.job, raw: raw as Record<string, unknown> };
}

/** A job ID becomes a file name: nothing that could leave the directory or hide the file. */
function fileNameFor(id: string): string {
  if (id.includes('/') || id.includes('\0') || id.startsWith('.') || id.length > 200) {
    throw badRequest(`job ID "${id}" cannot be a file name in the jobs directory (no "/", no leading ".", at most 200 characters)`);
  }
  return `${id}.nomad.json`;
}

export function waitForPass(deps: ApiDeps): Promise<void> {
  return Promise.race([deps.agent.nextPass(), new Promise<void>((r) => setTimeout(r, PASS_WAIT_MS).unref())]);
}

/**
 * The evaluation of this write: the one the pass recorded when it took in a new version or a
 * stop (schema 008), else — nothing changed, or a purge dropped it — one recorded now, as
 * Nomad makes an evaluation for every register and deregister.
 */
function evalOf(deps: ApiDeps, job: { id: string; namespace: string; priority: number; type: string }, triggeredBy: string, since: number, before: number): EvalRecord {
  const made = findEvalAfter(deps.db, job.id, triggeredBy, before);
  if (made !== null) return made;
  const j = getJob(deps.db, job.id);
  return insertEval(deps.db, {
    id: randomUUID(), jobId: job.id, namespace: job.namespace, priority: job.priority, type: job.type, triggeredBy,
    status: 'complete', jobModifyIndex: j?.jobModifyIndex ?? 0, createTime: since,
  });
}

export async function registerJob(req: Request, deps: ApiDeps): Promise<Reply> {
  const { job, raw } = jobFromBody(req.body);
  if (req.params.length > 0 && req.params[0] !== job.id) throw badRequest('Job ID does not match name');
  const name = fileNameFor(job.id);
  const existing = getJob(deps.readDb, job.id);
  if (existing && existing.sourceFile !== name && existsSync(join(deps.jobsDir, existing.sourceFile))) {
    throw badRequest(`job "${job.id}" is defined by the file ${existing.sourceFile} in the jobs directory; edit that file (it is the operator's and stays the truth)`);
  }
  const since = deps.clock.now();
  const before = getStateIndex(deps.db);
  const text = `${JSON.stringify({ Job: raw }, null, 2)}\n`;
  const tmp = join(deps.jobsDir, `.${name}.tmp`);
  writeFileSync(tmp, text, { mode: 0o640 });
  renameSync(tmp, join(deps.jobsDir, name));
  recordApiJobFile(deps.db, name, createHash('sha256').update(text).digest('hex'));
  deps.agent.requestPass();
  await waitForPass(deps);
  const ev = evalOf(deps, job, 'job-register', since, before);
  const idx = getStateIndex(deps.readDb);
  return { kind: 'json', body: { EvalID: ev.id, EvalCreateIndex: ev.createIndex, JobModifyIndex: ev.jobModifyIndex, Warnings: '', Index: idx, LastContact: 0, KnownLeader: false }, index: idx };
}

/** The moved file's path in stopped-jobs/, never overwriting an earlier stop's copy. */
function stoppedPath(deps: ApiDeps, file: string): string {
  const dir = join(deps.dataDir, 'stopped-jobs');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const plain = join(dir, file);
  return existsSync(plain) ? join(dir, `${file}.${deps.clock.now()}`) : plain;
}

export async function deregisterJob(req: Request, deps: ApiDeps): Promise<Reply> {
  const id = req.params[0];
  const purge = parseBoolParam(req.query, 'purge', false);
  const since = deps.clock.now();
  const before = getStateIndex(deps.db);
  const j = getJob(deps.readDb, id);
  if (!j) throw notFound('job not found');
  const summary = getJobSummary(deps.readDb, id)?.summary;
  const jobSpec = { id, namespace: summary?.namespace ?? 'default', priority: summary?.priority ?? 50, type: summary?.type ?? 'service' };
  const source = join(deps.jobsDir, j.sourceFile);
  let moved: string | null = null;
  let ours = false;
  const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
  if (existsSync(source)) {
    ours = apiJobFileSha(deps.db, j.sourceFile) === sha(source);
    moved = stoppedPath(deps, j.sourceFile);
    renameSync(source, moved);
    deps.agent.requestPass();
    await waitForPass(deps);
  } else {
    // Stopped before: its file is already in stopped-jobs/, where a purge may still remove it.
    const earlier = join(deps.dataDir, 'stopped-jobs', j.sourceFile);
    if (existsSync(earlier)) {
      moved = earlier;
      ours = apiJobFileSha(deps.db, j.sourceFile) === sha(earlier);
    }
  }
  if (purge) {
    const deadline = Date.now() + PURGE_WAIT_MS;
    while (!tx(deps.db, () => purgeJobRows(deps.db, id))) {
      if (Date.now() > deadline || req.signal.aborted) throw new ApiError(500, `job "${id}" still has running tasks; purge again once they have stopped`);
      await new Promise((r) => setTimeout(r, 100));
    }
    if (moved !== null && ours) rmSync(moved, { force: true });
    forgetApiJobFile(deps.db, j.sourceFile);
  }
  const ev = evalOf(deps, jobSpec, 'job-deregister', since, before);
  const idx = getStateIndex(deps.readDb);
  return {
    kind: 'json',
    body: { EvalID: ev.id, EvalCreateIndex: ev.createIndex, JobModifyIndex: ev.jobModifyIndex, VolumeEvalID: '', VolumeEvalIndex: 0, Index: idx, LastContact: 0, KnownLeader: false },
    index: idx,
  };
}

/** Allocations of a job that still hold a task (for tests and the purge's wait). */
export function liveAllocCount(deps: ApiDeps, jobId: string): number {
  return listAllocsForJob(deps.readDb, jobId).filter((a) => a.clientStatus === 'pending' || a.clientStatus === 'running').length;
}
