/** Reschedule decisions and allocation lineage (schema 5): see migrations/005_job_lifecycle.ts. */
import { stmt, type Database } from './db.js';
import type { AllocRecord } from './types.js';

export type RescheduleState = 'due' | 'none' | 'done' | 'cancelled';

export interface RescheduleRecord {
  readonly allocId: string;
  readonly jobId: string;
  readonly state: RescheduleState;
  readonly dueAt: number | null;
  readonly delayMs: number;
  readonly nextAlloc: string | null;
}

/** RescheduleTracker.Events of an allocation, times in ms. */
export interface StoredRescheduleEvent {
  readonly rescheduleTime: number;
  readonly prevAllocId: string;
  readonly prevNodeId: string;
  readonly delayMs: number;
}

export interface Lineage {
  readonly previousAlloc: string | null;
  readonly nextAlloc: string | null;
  readonly events: readonly StoredRescheduleEvent[];
  /** The pending reschedule's due time, when one is due. */
  readonly dueAt: number | null;
}

interface Row {
  alloc_id: string;
  job_id: string;
  state: string;
  due_at: number | null;
  delay_ms: number;
  next_alloc: string | null;
}

const toRecord = (r: Row): RescheduleRecord => ({
  allocId: r.alloc_id,
  jobId: r.job_id,
  state: r.state as RescheduleState,
  dueAt: r.due_at,
  delayMs: r.delay_ms,
  nextAlloc: r.next_alloc,
});

/** Failed allocations the job still wants whose fate is not decided yet. */
export function listUndecidedFailedAllocs(db: Database): { readonly id: string; readonly jobId: string; readonly jobVersion: number; readonly group: string; readonly index: number; readonly failedAt: number }[] {
  return (stmt(
    db,
    `SELECT a.id, a.job_id AS jobId, a.job_version AS jobVersion, a.task_group AS "group", a.alloc_index AS "index", a.modify_time AS failedAt
       FROM allocs a LEFT JOIN reschedules r ON r.alloc_id = a.id
      WHERE a.client_status = 'failed' AND a.desired_status = 'run' AND r.alloc_id IS NULL`,
  ).all() as { id: string; jobId: string; jobVersion: number; group: string; index: number; failedAt: number }[]);
}

export function putRescheduleDecision(db: Database, allocId: string, jobId: string, dueAt: number | null, delayMs: number, now: number): void {
  stmt(db, `INSERT INTO reschedules (alloc_id, job_id, state, due_at, delay_ms, decided_at) VALUES (?, ?, ?, ?, ?, ?)`).run(
    allocId, jobId, dueAt === null ? 'none' : 'due', dueAt, delayMs, now,
  );
}

export function listDueReschedules(db: Database): RescheduleRecord[] {
  return (stmt(db, `SELECT * FROM reschedules WHERE state = 'due' ORDER BY due_at`).all() as Row[]).map(toRecord);
}

/** The earliest pending due time, for the agent's timer. */
export function nextRescheduleDue(db: Database): number | null {
  const r = stmt(db, `SELECT min(due_at) AS t FROM reschedules WHERE state = 'due'`).get() as { t: number | null };
  return r.t;
}

export function cancelReschedule(db: Database, allocId: string): void {
  stmt(db, `UPDATE reschedules SET state = 'cancelled' WHERE alloc_id = ? AND state = 'due'`).run(allocId);
}

/** Links a replacement to the failed allocation it replaces, with its tracker; marks the reschedule done. */
export function recordReplacement(db: Database, prev: AllocRecord, nextId: string, events: readonly StoredRescheduleEvent[]): void {
  stmt(db, `UPDATE reschedules SET state = 'done', next_alloc = ? WHERE alloc_id = ?`).run(nextId, prev.id);
  stmt(db, `INSERT INTO alloc_lineage (alloc_id, previous_alloc, tracker_json) VALUES (?, ?, ?)`).run(nextId, prev.id, JSON.stringify(events));
}

export function getTracker(db: Database, allocId: string): StoredRescheduleEvent[] {
  const r = stmt(db, `SELECT tracker_json FROM alloc_lineage WHERE alloc_id = ?`).get(allocId) as { tracker_json: string } | undefined;
  return r ? (JSON.parse(r.tracker_json) as StoredRescheduleEvent[]) : [];
}

export function getLineage(db: Database, allocId: string): Lineage {
  const l = stmt(db, `SELECT previous_alloc, tracker_json FROM alloc_lineage WHERE alloc_id = ?`).get(allocId) as { previous_alloc: string; tracker_json: string } | undefined;
  const r = stmt(db, `SELECT state, due_at, next_alloc FROM reschedules WHERE alloc_id = ?`).get(allocId) as { state: string; due_at: number | null; next_alloc: string | null } | undefined;
  return {
    previousAlloc: l?.previous_alloc ?? null,
    nextAlloc: r?.next_alloc ?? null,
    events: l ? (JSON.parse(l.tracker_json) as StoredRescheduleEvent[]) : [],
    dueAt: r?.state === 'due' ? r.due_at : null,
  };
}

/** Jobs with a reschedule due: their status stays pending or running meanwhile, as Nomad's does. */
export function jobHasDueReschedule(db: Database, jobId: string): boolean {
  return stmt(db, `SELECT 1 FROM reschedules WHERE job_id = ? AND state = 'due' LIMIT 1`).get(jobId) !== undefined;
}

/** The same of every job in one read, for the job list (one query per job cost a cold `status` ~3 ms at 1,000 jobs). */
export function jobsWithDueReschedule(db: Database): Set<string> {
  return new Set((stmt(db, `SELECT DISTINCT job_id FROM reschedules WHERE state = 'due'`).all() as { job_id: string }[]).map((r) => r.job_id));
}
