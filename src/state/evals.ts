import { stmt, type Database } from './db.js';
import type { ClientStatus } from './types.js';
import { pruneEvalsSql } from './migrations/008_job_evals.js';

/**
 * The change counter behind Nomad's X-Nomad-Index and blocking queries (schema 006), and the
 * synthetic evaluations the API records for each registration or stop: bivouac schedules in
 * its own passes and has no evaluation broker, but Nomad's CLI follows an evaluation to its end.
 */
export function getStateIndex(db: Database): number {
  return (stmt(db, 'SELECT idx FROM state_index WHERE id = 1').get() as { idx: number }).idx;
}

export interface EvalRecord {
  readonly id: string;
  readonly jobId: string;
  readonly namespace: string;
  readonly priority: number;
  readonly type: string;
  /** Nomad's words: job-register, job-deregister, alloc-stop. */
  readonly triggeredBy: string;
  readonly status: string;
  readonly jobModifyIndex: number;
  readonly createIndex: number;
  readonly createTime: number;
}

interface EvalRow {
  id: string;
  job_id: string;
  namespace: string;
  priority: number;
  type: string;
  triggered_by: string;
  status: string;
  job_modify_index: number;
  create_index: number;
  create_time: number;
}

function toEval(r: EvalRow): EvalRecord {
  return {
    id: r.id,
    jobId: r.job_id,
    namespace: r.namespace,
    priority: r.priority,
    type: r.type,
    triggeredBy: r.triggered_by,
    status: r.status,
    jobModifyIndex: r.job_modify_index,
    createIndex: r.create_index,
    createTime: r.create_time,
  };
}

/** Records an evaluation, keeping the job's newest EVALS_PER_JOB (schema 008 keeps the ones its triggers make so). */
export function insertEval(db: Database, e: Omit<EvalRecord, 'createIndex'>): EvalRecord {
  stmt(
    db,
    'INSERT INTO evaluations (id, job_id, namespace, priority, type, triggered_by, status, job_modify_index, create_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(e.id, e.jobId, e.namespace, e.priority, e.type, e.triggeredBy, e.status, e.jobModifyIndex, e.createTime);
  stmt(db, PRUNE_EVALS).run({ job: e.jobId });
  return getEval(db, e.id) as EvalRecord;
}

const PRUNE_EVALS = pruneEvalsSql('@job');

export function getEval(db: Database, id: string): EvalRecord | null {
  const r = stmt(db, 'SELECT * FROM evaluations WHERE id = ?').get(id) as EvalRow | undefined;
  return r ? toEval(r) : null;
}

/** Newest first, as Nomad lists a job's evaluations. */
export function listEvalsForJob(db: Database, jobId: string): EvalRecord[] {
  return (stmt(db, 'SELECT * FROM evaluations WHERE job_id = ? ORDER BY create_index DESC').all(jobId) as EvalRow[]).map(toEval);
}

/** The job's newest evaluation of this trigger made after the state index `after` (schema 008's triggers make them), or null. */
export function findEvalAfter(db: Database, jobId: string, triggeredBy: string, after: number): EvalRecord | null {
  const r = stmt(db, 'SELECT * FROM evaluations WHERE job_id = ? AND triggered_by = ? AND create_index > ? ORDER BY create_index DESC LIMIT 1').get(jobId, triggeredBy, after) as
    | EvalRow
    | undefined;
  return r ? toEval(r) : null;
}

export function listEvals(db: Database): EvalRecord[] {
  return (stmt(db, 'SELECT * FROM evaluations ORDER BY create_index DESC').all() as EvalRow[]).map(toEval);
}

/**
 * `nomad job stop -purge`: the job's rows and history go (allocations, their task states,
 * handles and events by cascade, versions, evaluations, file errors). Only allocations that
 * are no longer running may go; returns false, changing nothing, while any is.
 */
export function purgeJobRows(db: Database, jobId: string): boolean {
  const live = stmt(
    db,
    `SELECT count(*) AS n FROM allocs WHERE job_id = ? AND (client_status IN ('pending', 'running')
       OR id IN (SELECT alloc_id FROM task_states WHERE state != 'dead'))`,
  ).get(jobId) as { n: number };
  if (live.n > 0) return false;
  stmt(db, 'DELETE FROM allocs WHERE job_id = ?').run(jobId);
  stmt(db, 'DELETE FROM evaluations WHERE job_id = ?').run(jobId);
  stmt(db, 'DELETE FROM file_errors WHERE job_id = ?').run(jobId);
  stmt(db, 'DELETE FROM jobs WHERE id = ?').run(jobId);
  return true;
}

/** How many task events of one type were recorded (the metrics' task start/restart/failure counts). */
export function countTaskEventsOfType(db: Database, type: string): number {
  return (stmt(db, 'SELECT count(*) AS n FROM task_events WHERE type = ?').get(type) as { n: number }).n;
}

/** Remembers that the API wrote this job file (name in the jobs dir) with these bytes. */
export function recordApiJobFile(db: Database, file: string, sha: string): void {
  stmt(db, 'INSERT INTO api_job_files (file, sha) VALUES (?, ?) ON CONFLICT (file) DO UPDATE SET sha = excluded.sha').run(file, sha);
}

export function apiJobFileSha(db: Database, file: string): string | null {
  return (stmt(db, 'SELECT sha FROM api_job_files WHERE file = ?').get(file) as { sha: string } | undefined)?.sha ?? null;
}

export function forgetApiJobFile(db: Database, file: string): void {
  stmt(db, 'DELETE FROM api_job_files WHERE file = ?').run(file);
}

/** Client status counts per job and task group, every job in one query (the API's job list summaries). */
export function countAllocsByJobGroup(db: Database): Map<string, { group: string; status: ClientStatus; n: number }[]> {
  const rows = stmt(db, 'SELECT job_id, task_group AS "group", client_status AS status, count(*) AS n FROM allocs GROUP BY job_id, task_group, client_status').all() as {
    job_id: string;
    group: string;
    status: ClientStatus;
    n: number;
  }[];
  const out = new Map<string, { group: string; status: ClientStatus; n: number }[]>();
  for (const r of rows) {
    let list = out.get(r.job_id);
    if (!list) out.set(r.job_id, (list = []));
    list.push({ group: r.group, status: r.status, n: r.n });
  }
  return out;
}
