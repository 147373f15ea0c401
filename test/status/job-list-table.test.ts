/**
 * `job_list` (schema 010), the table `bivouac status`'s list reads, is kept by triggers: after
 * any sequence of the agent's writes through src/state it must hold what the jobs, their
 * versions and their allocations say, and the list read from it must be the cells the JobStubs
 * (the API's and `--json`'s) give. A real SQLite file.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { canonicalHash } from '../../src/jobspec/hash.js';
import type { Job } from '../../src/jobspec/types.js';
import {
  cancelReschedule,
  countAllocsByJob,
  deleteChildJob,
  insertAlloc,
  insertChildJob,
  layoutJobList,
  listJobRows,
  listJobSummaries,
  openState,
  purgeJobRows,
  putJobVersion,
  putRescheduleDecision,
  setAllocClientStatus,
  setJobStopped,
  setPlacementFailures,
  tx,
  type ClientStatus,
  type Database,
} from '../../src/state/index.js';
import { migration001 } from '../../src/state/migrations/001_initial.js';
import { listJobStubs } from '../../src/status/api.js';
import { LIST_HEADER, jobListCells, jobListTable, listJobCells } from '../../src/status/job-list.js';
import { renderJobList } from '../../src/status/render-jobs.js';
import { renderJobListTable } from '../../src/status/render-list.js';
import { formatTable } from '../../src/cli/format.js';
import { job } from '../scheduler/builders.js';

const dir = mkdtempSync(join(tmpdir(), 'bivouac-joblist-table-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** What job_list must hold, from the jobs' summaries and a count of their allocations. */
function expectedRows(db: Database): unknown[][] {
  const counts = countAllocsByJob(db);
  return listJobSummaries(db).map(({ job: j, summary: s }) => [
    j.id,
    s.type,
    s.priority,
    s.periodic ? 1 : 0,
    s.parameterized ? 1 : 0,
    j.stopped ? 1 : 0,
    j.submitTime,
    j.placementFailures !== null ? 1 : 0,
    counts.get(j.id)?.live ?? 0,
    counts.get(j.id)?.total ?? 0,
  ]);
}

/**
 * Asserts the table's rows, the cells read from them, and the list's text as `status` prints it
 * (laid out by SQLite when `sqlLayout`), against the JobStubs; returns the cells.
 */
function assertConsistent(db: Database, step: string, sqlLayout = true): string[][] {
  assert.deepEqual(
    listJobRows(db).map((r) => r.slice(0, 10)),
    expectedRows(db),
    step,
  );
  const cells = listJobCells(db);
  const stubs = listJobStubs(db);
  assert.deepEqual(cells, stubs.map(jobListCells), step);
  assert.equal(layoutJobList(db, LIST_HEADER, () => '') !== null, sqlLayout, `${step}: laid out by SQLite`);
  assert.equal(jobListTable(db), cells.length === 0 ? '' : formatTable(LIST_HEADER, cells), step);
  assert.equal(renderJobListTable(jobListTable(db), []), renderJobList(stubs, []), step);
  return cells;
}

/** A small deterministic PRNG (mulberry32): the same sequence of writes on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PERIODIC = { cron: '*/5 * * * *', crons: ['*/5 * * * *'], prohibitOverlap: false, timeZone: 'UTC', enabled: true };
const PARAMETERIZED = { payload: 'optional', metaRequired: [], metaOptional: [] };
const STATUSES: readonly ClientStatus[] = ['pending', 'running', 'complete', 'failed', 'lost'];

describe('the job_list table', () => {
  test('follows 600 random writes of the agent: registrations, new versions, stops, allocations, reschedules, purges, children', () => {
    const db = openState(join(dir, 'random.db'));
    const rand = prng(14);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const jobs = new Map<string, Job>();
    const allocs = new Map<string, { jobId: string; status: ClientStatus; decided?: boolean }>();
    let n = 0;
    let now = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const seen = new Set<string>();
    let due = false;
    const newJob = (id: string): Job =>
      job({
        id,
        name: id,
        type: pick(['service', 'batch', 'system'] as const),
        priority: 1 + Math.floor(rand() * 100),
        periodic: rand() < 0.15 ? PERIODIC : null,
        parameterized: rand() < 0.15 ? PARAMETERIZED : null,
      });
    try {
      for (let step = 0; step < 600; step++) {
        now += 1 + Math.floor(rand() * 5000);
        const op = rand();
        const ids = [...jobs.keys()];
        const label = `step ${step}`;
        tx(db, () => {
          if (op < 0.12 || ids.length === 0) {
            const j = newJob(`job-${String(++n).padStart(3, '0')}`);
            putJobVersion(db, j, canonicalHash(j), `${j.id}.nomad`, now);
            jobs.set(j.id, j);
          } else if (op < 0.2) {
            // A new version (another type, priority, periodic…), or the same one again (restarts a stopped job).
            const id = pick(ids);
            const j = rand() < 0.7 ? { ...newJob(id) } : (jobs.get(id) as Job);
            putJobVersion(db, j, canonicalHash(j), `${id}.nomad`, now);
            jobs.set(id, j);
          } else if (op < 0.26) {
            setJobStopped(db, pick(ids), now);
          } else if (op < 0.32) {
            setPlacementFailures(db, pick(ids), rand() < 0.5 ? [{ group: 'g', count: 1, reasons: ['Dimension "memory" exhausted on 1 node'] }] : null);
          } else if (op < 0.55) {
            const jobId = pick(ids);
            const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
            insertAlloc(db, { id, jobId, jobVersion: 0, taskGroup: 'g', index: 0, name: `${jobId}.g[0]`, resources: { cpu: 1, memoryMB: 10, diskMB: 10 }, ports: [], tasks: [{ name: 't', driver: 'raw_exec' }] }, now);
            allocs.set(id, { jobId, status: 'pending' });
          } else if (op < 0.85 && allocs.size > 0) {
            const id = pick([...allocs.keys()]);
            const a = allocs.get(id) as { jobId: string; status: ClientStatus; decided?: boolean };
            a.status = pick(STATUSES);
            setAllocClientStatus(db, id, a.status, '', now);
            // The agent decides a failed allocation's fate once; a decision due may be cancelled later.
            if (a.status === 'failed' && !a.decided && rand() < 0.5) {
              putRescheduleDecision(db, id, a.jobId, now + 60_000, 60_000, now);
              a.decided = true;
            } else if (rand() < 0.2) {
              cancelReschedule(db, id);
            }
          } else if (op < 0.92) {
            const id = pick(ids);
            if (purgeJobRows(db, id)) {
              jobs.delete(id);
              for (const [a, v] of allocs) if (v.jobId === id) allocs.delete(a);
            }
          } else if (op < 0.97) {
            const parent = pick(ids);
            const child = newJob(`${parent}/periodic-${now}`);
            insertChildJob(db, parent, child, canonicalHash(child), `${parent}.nomad`, now, null);
            jobs.set(child.id, child);
          } else {
            const children = ids.filter((id) => id.includes('/periodic-'));
            if (children.length > 0) {
              const id = pick(children);
              deleteChildJob(db, id);
              jobs.delete(id);
              for (const [a, v] of allocs) if (v.jobId === id) allocs.delete(a);
            }
          }
        });
        for (const c of assertConsistent(db, label)) seen.add(c[3]);
        due ||= listJobRows(db).some((r) => r[10] === 1);
      }
      // The sequence went through every status the list shows, and a reschedule due.
      assert.deepEqual([...seen].sort(), ['dead', 'dead (stopped)', 'pending', 'running']);
      assert.ok(due, 'a job with a reschedule due');
    } finally {
      db.close();
    }
  });

  test('is filled from the rows already there when a database is migrated, schema-1 rows (no summary) included', () => {
    const path = join(dir, 'old.db');
    const old = new Sqlite(path);
    old.exec(migration001);
    old.pragma('user_version = 1');
    const put = (j: Job, submit: number, stopped = 0): void => {
      old.prepare('INSERT INTO jobs (id, version, source_file, stopped, submit_time, modify_time) VALUES (?, 0, ?, ?, ?, ?)').run(j.id, `${j.id}.nomad`, stopped, submit, submit);
      old.prepare('INSERT INTO job_versions (job_id, version, spec_json, spec_hash, source_file, submit_time) VALUES (?, 0, ?, ?, ?, ?)').run(j.id, JSON.stringify(j), 'h', `${j.id}.nomad`, submit);
    };
    const alloc = (id: string, jobId: string, status: ClientStatus): void => {
      old
        .prepare(
          `INSERT INTO allocs (id, job_id, job_version, task_group, alloc_index, name, desired_status, client_status, resources_json, ports_json, create_time, modify_time)
           VALUES (?, ?, 0, 'g', 0, ?, 'run', ?, '{}', '[]', 1, 1)`,
        )
        .run(id, jobId, `${jobId}.g[0]`, status);
    };
    put(job({ id: 'web', name: 'web', priority: 70 }), 1_700_000_000_000);
    put(job({ id: 'cron', name: 'cron', type: 'batch', periodic: PERIODIC }), 1_700_000_001_000);
    put(job({ id: 'dispatch', name: 'dispatch', type: 'batch', parameterized: PARAMETERIZED }), 1_700_000_002_000, 1);
    put(job({ id: 'done', name: 'done', type: 'batch' }), 1_700_000_003_000);
    alloc('a1', 'web', 'running');
    alloc('a2', 'web', 'complete');
    alloc('a3', 'done', 'complete');
    old.close();
    const db = openState(path);
    try {
      assertConsistent(db, 'migrated');
      assert.deepEqual(
        listJobCells(db).map((c) => c[3]),
        ['running', 'dead (stopped)', 'dead', 'running'],
      );
    } finally {
      db.close();
    }
  });

  test("never fails the agent's write over a field the list only shows: a summary without a type or a priority", () => {
    const db = openState(join(dir, 'lenient.db'));
    try {
      const j = job({ id: 'odd', name: 'odd' });
      tx(db, () => putJobVersion(db, j, canonicalHash(j), 'odd.nomad', 1_700_000_000_000));
      db.prepare(`INSERT INTO job_versions (job_id, version, spec_json, spec_hash, source_file, submit_time, summary_json) VALUES ('odd', 1, '{}', 'h', 'odd.nomad', 1, '{"name": "odd"}')`).run();
      db.prepare(`UPDATE jobs SET version = 1 WHERE id = 'odd'`).run();
      // Nomad's defaults, as the job would have had them.
      assert.deepEqual(listJobRows(db).map((r) => [r[0], r[1], r[2]]), [['odd', 'service', 50]]);
    } finally {
      db.close();
    }
  });

  test('a list SQLite cannot lay out exactly (IDs beyond ASCII, a NUL, whitespace at the ends, times before 1970) is laid out from its cells, the same', () => {
    const db = openState(join(dir, 'odd.db'));
    const add = (id: string, submit: number): void => {
      const j = job({ id, name: id });
      tx(db, () => putJobVersion(db, j, canonicalHash(j), 'odd.nomad', submit));
    };
    try {
      assertConsistent(db, 'empty');
      assert.equal(renderJobListTable(jobListTable(db), []), 'No running jobs\n');
      add('plain', Date.UTC(2026, 0, 1));
      assertConsistent(db, 'plain');
      for (const [id, submit, sqlLayout, note] of [
        ['jöb', Date.UTC(2026, 0, 1), false, 'Latin-1: two bytes, one UTF-16 unit'],
        ['job-\u{1F680}', Date.UTC(2026, 0, 1), false, 'astral: four bytes, two UTF-16 units'],
        ['nul\u0000inside', Date.UTC(2026, 0, 1), false, 'a NUL, where SQLite strings end'],
        [' lead', Date.UTC(2026, 0, 1), false, 'a space first'],
        ['tail\t', Date.UTC(2026, 0, 1), false, 'a tab last'],
        ['tab\tinside', Date.UTC(2026, 0, 1), true, 'a tab inside: one byte, one unit, not trimmed'],
        ['early', -1_500, false, 'before 1970'],
        ['late', 253_402_300_799_999, true, 'the last millisecond of 9999'],
      ] as const) {
        add(id, submit);
        assertConsistent(db, note, sqlLayout);
        tx(db, () => purgeJobRows(db, id));
        assertConsistent(db, `${note} purged`);
      }
    } finally {
      db.close();
    }
  });
});
