import { stmt, type Database } from './db.js';
import type { AllocPort, AllocRecord, AllocResources, ClientStatus, DesiredStatus } from './types.js';

interface AllocRow {
  id: string;
  job_id: string;
  job_version: number;
  task_group: string;
  alloc_index: number;
  name: string;
  desired_status: string;
  desired_description: string;
  client_status: string;
  client_description: string;
  resources_json: string;
  ports_json: string;
  create_time: number;
  modify_time: number;
  create_index: number;
  modify_index: number;
}

function toAlloc(r: AllocRow): AllocRecord {
  return {
    id: r.id,
    jobId: r.job_id,
    jobVersion: r.job_version,
    taskGroup: r.task_group,
    index: r.alloc_index,
    name: r.name,
    desiredStatus: r.desired_status as DesiredStatus,
    desiredDescription: r.desired_description,
    clientStatus: r.client_status as ClientStatus,
    clientDescription: r.client_description,
    resources: JSON.parse(r.resources_json) as AllocResources,
    ports: JSON.parse(r.ports_json) as AllocPort[],
    createTime: r.create_time,
    modifyTime: r.modify_time,
    createIndex: r.create_index,
    modifyIndex: r.modify_index,
  };
}

export interface NewAlloc {
  readonly id: string;
  readonly jobId: string;
  readonly jobVersion: number;
  readonly taskGroup: string;
  readonly index: number;
  readonly name: string;
  readonly resources: AllocResources;
  readonly ports: readonly AllocPort[];
  /** Task name and driver for each task, to create their pending task states. */
  readonly tasks: readonly { readonly name: string; readonly driver: string }[];
}

/** Inserts the allocation and a pending state for each of its tasks. */
export function insertAlloc(db: Database, a: NewAlloc, now: number): void {
  stmt(
    db,
    `INSERT INTO allocs (id, job_id, job_version, task_group, alloc_index, name, desired_status, client_status,
       client_description, resources_json, ports_json, create_time, modify_time)
     VALUES (?, ?, ?, ?, ?, ?, 'run', 'pending', 'No tasks have started', ?, ?, ?, ?)`,
  ).run(a.id, a.jobId, a.jobVersion, a.taskGroup, a.index, a.name, JSON.stringify(a.resources), JSON.stringify(a.ports), now, now);
  for (const t of a.tasks) {
    stmt(db, `INSERT INTO task_states (alloc_id, task, driver, state) VALUES (?, ?, ?, 'pending')`).run(a.id, t.name, t.driver);
  }
}

export function getAlloc(db: Database, id: string): AllocRecord | null {
  const r = stmt(db, 'SELECT * FROM allocs WHERE id = ?').get(id) as AllocRow | undefined;
  return r ? toAlloc(r) : null;
}

/** Allocations whose ID starts with the prefix (for the CLI's short IDs). */
export function findAllocsByPrefix(db: Database, prefix: string, limit = 10): AllocRecord[] {
  return (stmt(db, `SELECT * FROM allocs WHERE id >= ? AND id < ? ORDER BY id LIMIT ?`).all(prefix, prefix + '\uffff', limit) as AllocRow[]).map(toAlloc);
}

export function listAllocsForJob(db: Database, jobId: string): AllocRecord[] {
  return (stmt(db, 'SELECT * FROM allocs WHERE job_id = ? ORDER BY create_time DESC, alloc_index').all(jobId) as AllocRow[]).map(toAlloc);
}

/** Every allocation, by job, each list in listAllocsForJob's order: one query for a whole pass. */
export function listAllocsByJob(db: Database): Map<string, AllocRecord[]> {
  const out = new Map<string, AllocRecord[]>();
  for (const r of stmt(db, 'SELECT * FROM allocs ORDER BY job_id, create_time DESC, alloc_index').all() as AllocRow[]) {
    const a = toAlloc(r);
    const list = out.get(a.jobId);
    if (list) list.push(a);
    else out.set(a.jobId, [a]);
  }
  return out;
}

/** The IDs of listLiveAllocs, in its order: a pass reads whole rows only for allocations it has no runner for. */
export function listLiveAllocIds(db: Database): string[] {
  return (stmt(db, `SELECT id FROM allocs WHERE client_status IN ('pending', 'running') ORDER BY create_time, id`).all() as { id: string }[]).map((r) => r.id);
}

/** Allocations the agent must still look after: not terminal on the client. */
export function listLiveAllocs(db: Database): AllocRecord[] {
  return (stmt(db, `SELECT * FROM allocs WHERE client_status IN ('pending', 'running') ORDER BY create_time, id`).all() as AllocRow[]).map(toAlloc);
}

/** The live allocations' job version and group alone: log rotation reads them every tick, and whole rows were most of its work. */
export function listLiveAllocGroups(db: Database): { readonly id: string; readonly jobId: string; readonly jobVersion: number; readonly taskGroup: string }[] {
  return (stmt(db, `SELECT id, job_id, job_version, task_group FROM allocs WHERE client_status IN ('pending', 'running')`).raw(true).all() as [string, string, number, string][]).map(
    ([id, jobId, jobVersion, taskGroup]) => ({ id, jobId, jobVersion, taskGroup }),
  );
}

/**
 * Allocations the agent must pick up at start: not finished on the client, or finished
 * while one of their tasks was still being stopped (a crash mid-kill) and so still holding
 * a task that is not dead.
 */
export function listAllocsToRecover(db: Database): AllocRecord[] {
  return (stmt(
    db,
    `SELECT * FROM allocs WHERE client_status IN ('pending', 'running')
       OR id IN (SELECT alloc_id FROM task_states WHERE state != 'dead')
     ORDER BY create_time, id`,
  ).all() as AllocRow[]).map(toAlloc);
}

export function listAllAllocs(db: Database): AllocRecord[] {
  return (stmt(db, 'SELECT * FROM allocs ORDER BY create_time, id').all() as AllocRow[]).map(toAlloc);
}

export function setAllocDesired(db: Database, id: string, status: DesiredStatus, description: string, now: number): void {
  stmt(db, 'UPDATE allocs SET desired_status = ?, desired_description = ?, modify_time = ? WHERE id = ?').run(status, description, now, id);
}

export function setAllocClientStatus(db: Database, id: string, status: ClientStatus, description: string, now: number): boolean {
  const r = stmt(
    db,
    'UPDATE allocs SET client_status = ?, client_description = ?, modify_time = ? WHERE id = ? AND (client_status != ? OR client_description != ?)',
  ).run(status, description, now, id, status, description);
  return r.changes > 0;
}

/** An in-place update: the allocation now runs the job's newer version. */
export function setAllocJobVersion(db: Database, id: string, version: number, now: number): void {
  stmt(db, 'UPDATE allocs SET job_version = ?, modify_time = ? WHERE id = ?').run(version, now, id);
}

/** Client status counts per task group, for `status JOB`'s Summary table. */
export function countAllocsByGroup(db: Database, jobId: string): { group: string; status: ClientStatus; n: number }[] {
  return (stmt(db, 'SELECT task_group AS "group", client_status AS status, count(*) AS n FROM allocs WHERE job_id = ? GROUP BY task_group, client_status').all(jobId) as {
    group: string;
    status: ClientStatus;
    n: number;
  }[]);
}

export interface AllocCounts {
  /** Not terminal on the client (pending, running). */
  readonly live: number;
  readonly total: number;
}

/**
 * Allocation counts per job, for the job status column: of every job in one pass, or of one
 * job through its index (`status JOB` must not pay for the other jobs).
 */
export function countAllocsByJob(db: Database, jobId?: string): Map<string, AllocCounts> {
  const sql = `SELECT job_id, count(*) AS total, sum(client_status IN ('pending', 'running')) AS live FROM allocs
    ${jobId === undefined ? '' : 'WHERE job_id = ?'} GROUP BY job_id`;
  const rows = (jobId === undefined ? stmt(db, sql).all() : stmt(db, sql).all(jobId)) as { job_id: string; total: number; live: number }[];
  return new Map(rows.map((r) => [r.job_id, { live: r.live, total: r.total }]));
}
