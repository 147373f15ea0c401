import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from '../../src/jobspec/types.js';
import {
  openState,
  SCHEMA_VERSION,
  putJobVersion,
  getCurrentJobVersion,
  getJob,
  setJobStopped,
  insertAlloc,
  listLiveAllocs,
  setAllocClientStatus,
  markStarting,
  markRunning,
  getHandle,
  markExited,
  markDead,
  getTaskState,
  appendTaskEvent,
  listRestartTimes,
  findAllocsByPrefix,
  putFileError,
  listFileErrors,
  clearFileError,
  listJobSummaries,
  listCurrentSources,
  countAllocsByJob,
} from '../../src/state/index.js';
import { repoRoot } from '../helpers/paths.js';
import { isBivouacError } from '../../src/util/errors.js';

function fakeJob(id: string, extra: Partial<Job> = {}): Job {
  return {
    id,
    name: id,
    type: 'service',
    priority: 50,
    region: 'global',
    namespace: 'default',
    datacenters: ['*'],
    allAtOnce: false,
    constraints: [],
    meta: {},
    periodic: null,
    parameterized: null,
    groups: [],
    extra: {},
    ...extra,
  };
}

describe('state', () => {
  test('a new file opens at the current schema, in WAL mode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bivouac-state-'));
    try {
      const db = openState(join(dir, 'state.db'));
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
      db.close();
      const ro = openState(join(dir, 'state.db'), { readonly: true });
      assert.throws(() => ro.exec('CREATE TABLE x (a)'), /readonly/);
      ro.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a read-only open of a missing file fails with STATE_NOT_FOUND and creates nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bivouac-state-'));
    try {
      assert.throws(() => openState(join(dir, 'state.db'), { readonly: true }), { code: 'STATE_NOT_FOUND' });
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('job versions: identical hash makes no version, a new hash does, a stop is undone by re-adding', () => {
    const db = openState(':memory:');
    assert.deepEqual(putJobVersion(db, fakeJob('web'), 'h1', 'a.nomad', 1000), { version: 0, changed: true });
    assert.deepEqual(putJobVersion(db, fakeJob('web'), 'h1', 'a.nomad', 2000), { version: 0, changed: false });
    assert.deepEqual(putJobVersion(db, fakeJob('web', { priority: 70 }), 'h2', 'a.nomad', 3000), { version: 1, changed: true });
    assert.equal(getCurrentJobVersion(db, 'web')?.job.priority, 70);
    setJobStopped(db, 'web', 4000);
    assert.equal(getJob(db, 'web')?.stopped, true);
    assert.deepEqual(putJobVersion(db, fakeJob('web', { priority: 70 }), 'h2', 'a.nomad', 5000), { version: 1, changed: true });
    assert.equal(getJob(db, 'web')?.stopped, false);
  });

  test('a task start writes its intent before the handle, and the handle goes with the process', () => {
    const db = openState(':memory:');
    putJobVersion(db, fakeJob('web'), 'h1', 'a.nomad', 1000);
    insertAlloc(
      db,
      {
        id: 'aaaaaaaa-1111-2222-3333-444444444444',
        jobId: 'web',
        jobVersion: 0,
        taskGroup: 'g',
        index: 0,
        name: 'web.g[0]',
        resources: { cpu: 100, memoryMB: 300, diskMB: 300 },
        ports: [],
        tasks: [{ name: 't', driver: 'raw_exec' }],
      },
      1000,
    );
    const id = 'aaaaaaaa-1111-2222-3333-444444444444';
    assert.equal(listLiveAllocs(db).length, 1);
    assert.equal(markStarting(db, id, 't'), 1);
    assert.equal(getTaskState(db, id, 't')?.starting, true);
    assert.equal(getHandle(db, id, 't'), null);
    markRunning(db, id, 't', 1, 'raw_exec', { pid: 42 }, 1100);
    assert.deepEqual(getHandle(db, id, 't')?.handle, { pid: 42 });
    assert.equal(getTaskState(db, id, 't')?.state, 'running');
    assert.equal(getTaskState(db, id, 't')?.starting, false);
    markExited(db, id, 't');
    assert.equal(getHandle(db, id, 't'), null);
    appendTaskEvent(db, id, 't', 1200, 'Restarting', 'Task restarting in 15s');
    appendTaskEvent(db, id, 't', 1300, 'Started', 'Task started by client');
    assert.deepEqual(listRestartTimes(db, id, 't'), [1200]);
    markDead(db, id, 't', true, 1400);
    assert.equal(getTaskState(db, id, 't')?.failed, true);
    setAllocClientStatus(db, id, 'failed', 'Failed tasks', 1400);
    assert.equal(listLiveAllocs(db).length, 0);
    assert.equal(findAllocsByPrefix(db, 'aaaaaaaa').length, 1);
    assert.equal(findAllocsByPrefix(db, 'aaaaaaab').length, 0);
  });

  test('allocation counts per job: live and total, of all jobs or one, from the index alone', () => {
    const db = openState(':memory:');
    const statuses = { web: ['running', 'pending', 'failed'], batch: ['complete'] } as const;
    let n = 0;
    for (const [job, list] of Object.entries(statuses)) {
      putJobVersion(db, fakeJob(job), 'h', `${job}.nomad`, 1000);
      list.forEach((status, index) => {
        const id = `aaaaaaaa-0000-0000-0000-${String(++n).padStart(12, '0')}`;
        insertAlloc(db, { id, jobId: job, jobVersion: 0, taskGroup: 'g', index, name: `${job}.g[${index}]`, resources: { cpu: 1, memoryMB: 1, diskMB: 1 }, ports: [], tasks: [] }, 1000);
        if (status !== 'pending') setAllocClientStatus(db, id, status, '', 1100);
      });
    }
    assert.deepEqual([...countAllocsByJob(db)].sort(), [['batch', { live: 0, total: 1 }], ['web', { live: 2, total: 3 }]]);
    assert.deepEqual([...countAllocsByJob(db, 'web')], [['web', { live: 2, total: 3 }]]);
    assert.deepEqual([...countAllocsByJob(db, 'nope')], []);
    // A cold `status` with 10,000 allocations must not read every allocation row to count them.
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT job_id, count(*), sum(client_status IN ('pending', 'running')) FROM allocs GROUP BY job_id`).all() as { detail: string }[];
    assert.match(plan.map((p) => p.detail).join('\n'), /COVERING INDEX allocs_job_status/);
  });

  test('file errors keep their first-seen time while the message is unchanged, and say when they changed', () => {
    const db = openState(':memory:');
    assert.equal(putFileError(db, 'x.nomad', null, 'bad', [], 1), true, 'new');
    assert.equal(putFileError(db, 'x.nomad', null, 'bad', [], 2), false, 'the same error again: nothing to log');
    assert.equal(listFileErrors(db)[0].seenAt, 1);
    assert.equal(putFileError(db, 'x.nomad', null, 'worse', [], 3), true, 'changed');
    assert.equal(listFileErrors(db)[0].seenAt, 3);
    clearFileError(db, 'x.nomad');
    assert.equal(listFileErrors(db).length, 0);
  });

  test('SQL lives only in src/state/', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.includes(`${join('src', 'state')}`) && /\.prepare\(\s*['"`]|\.exec\(\s*['"`]\s*(CREATE|INSERT|UPDATE|DELETE|SELECT)/i.test(readFileSync(p, 'utf8')))
          offenders.push(p);
      }
    };
    walk(join(repoRoot, 'src'));
    walk(join(repoRoot, 'cmd'));
    assert.deepEqual(offenders, []);
  });

  test('a reader never sees a schema half made: an empty file is not found yet, and a failed step leaves the schema it had', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bivouac-state-'));
    try {
      const path = join(dir, 'state.db');
      const { default: Sqlite } = await import('better-sqlite3');
      // The file as an agent has just created it, before its migrations commit.
      new Sqlite(path).pragma('journal_mode = WAL');
      assert.throws(() => openState(path, { readonly: true }), (e: unknown) => isBivouacError(e) && e.code === 'STATE_NOT_FOUND');
      // A step that fails (a table the migration creates already exists) rolls back every step before it.
      const blocker = new Sqlite(path);
      blocker.exec('CREATE TABLE job_list (id TEXT)');
      blocker.close();
      assert.throws(() => openState(path), (e: unknown) => isBivouacError(e) && e.code === 'STATE_MIGRATION' && /from schema 9 to 10/.test(e.message));
      const after = new Sqlite(path, { readonly: true });
      assert.equal(after.pragma('user_version', { simple: true }), 0);
      assert.deepEqual(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(), [{ name: 'job_list' }]);
      after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a schema-1 database is migrated forward and its old rows still read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bivouac-state-'));
    try {
      const path = join(dir, 'state.db');
      const { default: Sqlite } = await import('better-sqlite3');
      const { migration001 } = await import('../../src/state/migrations/001_initial.js');
      const old = new Sqlite(path);
      old.exec(migration001);
      old.pragma('user_version = 1');
      old.prepare('INSERT INTO jobs (id, version, source_file, stopped, submit_time, modify_time) VALUES (?, 0, ?, 0, 1, 1)').run('web', 'web.nomad');
      old.prepare('INSERT INTO job_versions (job_id, version, spec_json, spec_hash, source_file, submit_time) VALUES (?, 0, ?, ?, ?, 1)').run(
        'web',
        JSON.stringify(fakeJob('web', { priority: 70 })),
        'h',
        'web.nomad',
      );
      old.close();
      const db = openState(path);
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      const [row] = listJobSummaries(db);
      assert.equal(row.summary.priority, 70);
      assert.deepEqual(listCurrentSources(db), []);
      putJobVersion(db, fakeJob('web', { priority: 80 }), 'h2', 'web.nomad', 2, 'sha');
      assert.equal(listJobSummaries(db)[0].summary.priority, 80);
      assert.equal(listCurrentSources(db)[0].sha, 'sha');
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
