import type { Job, Diagnostic } from '../jobspec/types.js';
import { stmt, type Database } from './db.js';
import type { FileErrorRecord, JobRecord, JobSummary, JobVersionRecord, PlacementFailure } from './types.js';

interface JobRow {
  id: string;
  version: number;
  source_file: string;
  stopped: number;
  submit_time: number;
  modify_time: number;
  placement_json: string | null;
  create_index: number;
  modify_index: number;
  job_modify_index: number;
}

function toJob(r: JobRow): JobRecord {
  return {
    id: r.id,
    version: r.version,
    sourceFile: r.source_file,
    stopped: r.stopped === 1,
    submitTime: r.submit_time,
    modifyTime: r.modify_time,
    placementFailures: r.placement_json === null ? null : (JSON.parse(r.placement_json) as PlacementFailure[]),
    createIndex: r.create_index,
    modifyIndex: r.modify_index,
    jobModifyIndex: r.job_modify_index,
  };
}

export function getJob(db: Database, id: string): JobRecord | null {
  const r = stmt(db, 'SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  return r ? toJob(r) : null;
}

export function listJobs(db: Database): JobRecord[] {
  return (stmt(db, 'SELECT * FROM jobs ORDER BY id').all() as JobRow[]).map(toJob);
}

/** Every job with its current version's spec hash, in one query (a pass compares files against these). */
export function listJobsWithHash(db: Database): (JobRecord & { readonly hash: string })[] {
  // Periodic and dispatched children come from no file: the file sync never sees them.
  const rows = stmt(db, 'SELECT j.*, v.spec_hash AS hash FROM jobs j JOIN job_versions v ON v.job_id = j.id AND v.version = j.version WHERE j.parent_id IS NULL ORDER BY j.id').all() as (JobRow & { hash: string })[];
  return rows.map((r) => ({ ...toJob(r), hash: r.hash }));
}

/**
 * listJobsWithHash's rows of the jobs these files hold (by source_file) and of these job IDs:
 * what a pass needs to plan the named files alone. Two index probes a name.
 */
export function listJobsWithHashFor(db: Database, files: Iterable<string>, ids: Iterable<string>): (JobRecord & { readonly hash: string })[] {
  const sql = 'SELECT j.*, v.spec_hash AS hash FROM jobs j JOIN job_versions v ON v.job_id = j.id AND v.version = j.version WHERE j.parent_id IS NULL AND ';
  const out = new Map<string, JobRecord & { readonly hash: string }>();
  for (const f of files) for (const r of stmt(db, `${sql}j.source_file = ?`).all(f) as (JobRow & { hash: string })[]) out.set(r.id, { ...toJob(r), hash: r.hash });
  for (const id of ids) {
    if (out.has(id)) continue;
    const r = stmt(db, `${sql}j.id = ?`).get(id) as (JobRow & { hash: string }) | undefined;
    if (r) out.set(r.id, { ...toJob(r), hash: r.hash });
  }
  return [...out.values()];
}

interface VersionRow {
  job_id: string;
  version: number;
  spec_json: string;
  spec_hash: string;
  source_file: string;
  submit_time: number;
}

function toVersion(r: VersionRow): JobVersionRecord {
  return {
    jobId: r.job_id,
    version: r.version,
    job: JSON.parse(r.spec_json) as Job,
    hash: r.spec_hash,
    sourceFile: r.source_file,
    submitTime: r.submit_time,
  };
}

export function getJobVersion(db: Database, jobId: string, version: number): JobVersionRecord | null {
  const r = stmt(db, 'SELECT * FROM job_versions WHERE job_id = ? AND version = ?').get(jobId, version) as VersionRow | undefined;
  return r ? toVersion(r) : null;
}

/** The job's current version, or null for an unknown job. */
export function getCurrentJobVersion(db: Database, jobId: string): JobVersionRecord | null {
  const r = stmt(
    db,
    'SELECT v.* FROM job_versions v JOIN jobs j ON j.id = v.job_id AND j.version = v.version WHERE j.id = ?',
  ).get(jobId) as VersionRow | undefined;
  return r ? toVersion(r) : null;
}

export function getCurrentHash(db: Database, jobId: string): string | null {
  const r = stmt(
    db,
    'SELECT v.spec_hash AS h FROM job_versions v JOIN jobs j ON j.id = v.job_id AND j.version = v.version WHERE j.id = ?',
  ).get(jobId) as { h: string } | undefined;
  return r ? r.h : null;
}

/**
 * Records a job spec from a file: a new job at version 0, a new version when the hash
 * differs from the current one, or (same hash) nothing but un-stopping a stopped job.
 * `sourceSha` is the sha256 of the file's bytes, kept so a restart can skip re-parsing it.
 * Returns the version now current and whether anything changed.
 */
export function putJobVersion(
  db: Database,
  job: Job,
  hash: string,
  sourceFile: string,
  now: number,
  sourceSha: string | null = null,
): { version: number; changed: boolean } {
  const existing = getJob(db, job.id);
  if (!existing) {
    stmt(db, 'INSERT INTO jobs (id, version, source_file, stopped, submit_time, modify_time) VALUES (?, 0, ?, 0, ?, ?)').run(job.id, sourceFile, now, now);
    insertVersion(db, job, 0, hash, sourceFile, now, sourceSha);
    return { version: 0, changed: true };
  }
  const currentHash = getCurrentHash(db, job.id);
  if (currentHash === hash) {
    if (sourceSha !== null) stmt(db, 'UPDATE job_versions SET source_sha = ?, source_file = ? WHERE job_id = ? AND version = ?').run(sourceSha, sourceFile, job.id, existing.version);
    if (existing.stopped || existing.sourceFile !== sourceFile) {
      stmt(db, 'UPDATE jobs SET stopped = 0, source_file = ?, modify_time = ? WHERE id = ?').run(sourceFile, now, job.id);
      return { version: existing.version, changed: existing.stopped };
    }
    return { version: existing.version, changed: false };
  }
  const version = existing.version + 1;
  insertVersion(db, job, version, hash, sourceFile, now, sourceSha);
  stmt(db, 'UPDATE jobs SET version = ?, source_file = ?, stopped = 0, submit_time = ?, modify_time = ? WHERE id = ?').run(version, sourceFile, now, now, job.id);
  return { version, changed: true };
}

export function summarize(job: Job): JobSummary {
  return {
    name: job.name,
    type: job.type,
    priority: job.priority,
    namespace: job.namespace,
    datacenters: job.datacenters,
    periodic: job.periodic !== null,
    parameterized: job.parameterized !== null,
    groups: job.groups.map((g) => g.name),
  };
}

function insertVersion(db: Database, job: Job, version: number, hash: string, sourceFile: string, now: number, sourceSha: string | null): void {
  stmt(
    db,
    'INSERT INTO job_versions (job_id, version, spec_json, spec_hash, source_file, submit_time, summary_json, source_sha) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(job.id, version, JSON.stringify(job), hash, sourceFile, now, JSON.stringify(summarize(job)), sourceSha);
}

const SUMMARY_SQL =
  'SELECT j.*, v.summary_json, CASE WHEN v.summary_json IS NULL THEN v.spec_json END AS spec_json FROM jobs j JOIN job_versions v ON v.job_id = j.id AND v.version = j.version';
type SummaryRow = JobRow & { summary_json: string | null; spec_json: string | null };

function toSummary(r: SummaryRow): { job: JobRecord; summary: JobSummary } {
  return {
    job: toJob(r),
    summary: r.summary_json !== null ? (JSON.parse(r.summary_json) as JobSummary) : summarize(JSON.parse(r.spec_json ?? '{}') as Job),
  };
}

/** Every job with its current version's summary, in one query. */
export function listJobSummaries(db: Database): { job: JobRecord; summary: JobSummary }[] {
  return (stmt(db, `${SUMMARY_SQL} ORDER BY j.id`).all() as SummaryRow[]).map(toSummary);
}

export function getJobSummary(db: Database, id: string): { job: JobRecord; summary: JobSummary } | null {
  const r = stmt(db, `${SUMMARY_SQL} WHERE j.id = ?`).get(id) as SummaryRow | undefined;
  return r ? toSummary(r) : null;
}

/** Each job's current file and the sha256 of the bytes its version came from (null if unknown). */
export function listCurrentSources(db: Database): { jobId: string; file: string; sha: string; hash: string; job: Job }[] {
  const rows = stmt(
    db,
    'SELECT j.id, j.source_file, v.source_sha, v.spec_hash, v.spec_json FROM jobs j JOIN job_versions v ON v.job_id = j.id AND v.version = j.version WHERE j.stopped = 0 AND v.source_sha IS NOT NULL',
  ).all() as { id: string; source_file: string; source_sha: string; spec_hash: string; spec_json: string }[];
  return rows.map((r) => ({ jobId: r.id, file: r.source_file, sha: r.source_sha, hash: r.spec_hash, job: JSON.parse(r.spec_json) as Job }));
}

export function setJobStopped(db: Database, jobId: string, now: number): void {
  stmt(db, 'UPDATE jobs SET stopped = 1, modify_time = ? WHERE id = ? AND stopped = 0').run(now, jobId);
}

/** Jobs with placement failures: a targeted pass retries them, as room may have come free. */
export function listBlockedJobIds(db: Database): string[] {
  return (stmt(db, 'SELECT id FROM jobs WHERE placement_json IS NOT NULL').raw(true).all() as [string][]).map((r) => r[0]);
}

export function setPlacementFailures(db: Database, jobId: string, failures: readonly PlacementFailure[] | null): void {
  stmt(db, 'UPDATE jobs SET placement_json = ? WHERE id = ?').run(failures && failures.length > 0 ? JSON.stringify(failures) : null, jobId);
}

interface FileErrorRow {
  file: string;
  job_id: string | null;
  message: string;
  diagnostics_json: string;
  seen_at: number;
}

/** Records a file's error; true when it is new or changed (so a pass logs it once, not every rescan). */
export function putFileError(db: Database, file: string, jobId: string | null, message: string, diagnostics: readonly Diagnostic[], now: number): boolean {
  const r = stmt(
    db,
    `INSERT INTO file_errors (file, job_id, message, diagnostics_json, seen_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (file) DO UPDATE SET job_id = excluded.job_id, message = excluded.message,
       diagnostics_json = excluded.diagnostics_json, seen_at = excluded.seen_at
     WHERE file_errors.message IS NOT excluded.message OR file_errors.job_id IS NOT excluded.job_id`,
  ).run(file, jobId, message, JSON.stringify(diagnostics), now);
  return r.changes > 0;
}

export function clearFileError(db: Database, file: string): void {
  stmt(db, 'DELETE FROM file_errors WHERE file = ?').run(file);
}

/** The files with a recorded error (a pass on named files looks at these again too). */
export function listFileErrorFiles(db: Database): string[] {
  return (stmt(db, 'SELECT file FROM file_errors').raw(true).all() as [string][]).map((r) => r[0]);
}

export function listFileErrors(db: Database): FileErrorRecord[] {
  return (stmt(db, 'SELECT * FROM file_errors ORDER BY file').all() as FileErrorRow[]).map((r) => ({
    file: r.file,
    jobId: r.job_id,
    message: r.message,
    diagnostics: JSON.parse(r.diagnostics_json) as Diagnostic[],
    seenAt: r.seen_at,
  }));
}
