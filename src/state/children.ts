/** Periodic and dispatched children of a job (schema 5): see migrations/005_job_lifecycle.ts. */
import type { Job } from '../jobspec/types.js';
import { stmt, type Database } from './db.js';
import { putJobVersion } from './jobs.js';

export interface ChildRecord {
  readonly id: string;
  readonly submitTime: number;
  readonly stopped: boolean;
  /** Allocations not terminal on the client. */
  readonly live: number;
  readonly total: number;
}

export function getLastLaunch(db: Database, jobId: string): number | null {
  const r = stmt(db, 'SELECT last_launch FROM periodic_launches WHERE job_id = ?').get(jobId) as { last_launch: number } | undefined;
  return r ? r.last_launch : null;
}

export function setLastLaunch(db: Database, jobId: string, at: number): void {
  stmt(db, 'INSERT INTO periodic_launches (job_id, last_launch) VALUES (?, ?) ON CONFLICT (job_id) DO UPDATE SET last_launch = excluded.last_launch').run(jobId, at);
}

/** Registers a child job (version 0) under its parent, with its dispatch payload if any. */
export function insertChildJob(db: Database, parentId: string, child: Job, hash: string, sourceFile: string, now: number, payload: Buffer | null): void {
  putJobVersion(db, child, hash, sourceFile, now);
  stmt(db, 'UPDATE jobs SET parent_id = ? WHERE id = ?').run(parentId, child.id);
  if (payload !== null) stmt(db, 'INSERT INTO dispatch_payloads (job_id, payload) VALUES (?, ?)').run(child.id, payload);
}

/** A parent's children, oldest first, with their allocation counts. */
export function listChildren(db: Database, parentId: string): ChildRecord[] {
  const rows = stmt(
    db,
    `SELECT j.id, j.submit_time, j.stopped,
            (SELECT count(*) FROM allocs a WHERE a.job_id = j.id AND a.client_status IN ('pending', 'running')) AS live,
            (SELECT count(*) FROM allocs a WHERE a.job_id = j.id) AS total
       FROM jobs j WHERE j.parent_id = ? ORDER BY j.submit_time, j.id`,
  ).all(parentId) as { id: string; submit_time: number; stopped: number; live: number; total: number }[];
  return rows.map((r) => ({ id: r.id, submitTime: r.submit_time, stopped: r.stopped === 1, live: r.live, total: r.total }));
}

export function getParentId(db: Database, jobId: string): string | null {
  const r = stmt(db, 'SELECT parent_id FROM jobs WHERE id = ?').get(jobId) as { parent_id: string | null } | undefined;
  return r?.parent_id ?? null;
}

export function getDispatchPayload(db: Database, jobId: string): Buffer | null {
  const r = stmt(db, 'SELECT payload FROM dispatch_payloads WHERE job_id = ?').get(jobId) as { payload: Buffer } | undefined;
  return r ? r.payload : null;
}

/** Removes a finished child and everything it owns; returns its allocation IDs (their dirs go next). */
export function deleteChildJob(db: Database, jobId: string): string[] {
  const ids = (stmt(db, 'SELECT id FROM allocs WHERE job_id = ?').all(jobId) as { id: string }[]).map((r) => r.id);
  stmt(db, 'DELETE FROM allocs WHERE job_id = ?').run(jobId);
  stmt(db, 'DELETE FROM jobs WHERE id = ?').run(jobId);
  stmt(db, 'DELETE FROM file_errors WHERE job_id = ?').run(jobId);
  return ids;
}

/**
 * SQLite's count of commits by other connections: the agent polls it to notice rows a CLI
 * wrote while it runs (`job dispatch`, `job periodic force`) without waiting for a rescan.
 */
export function externalCommits(db: Database): number {
  return db.pragma('data_version', { simple: true }) as number;
}

/** Parents with more than `keep` children: the only ones the children GC needs to look at. */
export function parentsOverHistory(db: Database, keep: number): string[] {
  return (stmt(db, 'SELECT parent_id AS p FROM jobs WHERE parent_id IS NOT NULL GROUP BY parent_id HAVING count(*) > ?').all(keep) as { p: string }[]).map((r) => r.p);
}

/** Children registered between two times (ms), for the periodic benchmark. */
export function listChildrenRegistered(db: Database, from: number, to: number): { readonly id: string; readonly submitTime: number }[] {
  return (stmt(db, 'SELECT id, submit_time FROM jobs WHERE parent_id IS NOT NULL AND submit_time BETWEEN ? AND ? ORDER BY submit_time').all(from, to) as { id: string; submit_time: number }[]).map((r) => ({ id: r.id, submitTime: r.submit_time }));
}

/** A job that is not a child (periodic parents are among these): the periodic launcher's candidate. */
export interface TopLevelJob {
  readonly id: string;
  readonly version: number;
  readonly stopped: boolean;
  readonly sourceFile: string;
}

const TOP_LEVEL_SQL = 'SELECT id, version, stopped, source_file FROM jobs WHERE parent_id IS NULL';
type TopLevelRow = { id: string; version: number; stopped: number; source_file: string };
const toTopLevel = (r: TopLevelRow): TopLevelJob => ({ id: r.id, version: r.version, stopped: r.stopped === 1, sourceFile: r.source_file });

/** One top-level job; null for an unknown job or a child. */
export function getTopLevelJob(db: Database, id: string): TopLevelJob | null {
  const r = stmt(db, `${TOP_LEVEL_SQL} AND id = ?`).get(id) as TopLevelRow | undefined;
  return r ? toTopLevel(r) : null;
}

/** Every top-level job, by ID. */
export function listTopLevelJobs(db: Database): TopLevelJob[] {
  return (stmt(db, `${TOP_LEVEL_SQL} ORDER BY id`).all() as TopLevelRow[]).map(toTopLevel);
}
