/**
 * The read-only commands on a state database no agent of this version has opened yet (an
 * upgrade, the agent not restarted, or down): they read a copy migrated in memory and answer
 * as on a current one, and the file is left as it was (the agent migrates it on its start).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { migration001 } from '../../src/state/migrations/001_initial.js';
import { job } from '../scheduler/builders.js';
import { cli } from '../helpers/agent.js';

const root = mkdtempSync(join(tmpdir(), 'bivouac-old-schema-'));
after(() => rmSync(root, { recursive: true, force: true }));

const ALLOC = '0b5f3c1e-0000-4000-8000-000000000001';

/** A schema-1 database as an agent of that version left it: the job `web` and its running allocation. */
function oldState(dataDir: string, wal: boolean): InstanceType<typeof Sqlite> {
  mkdirSync(dataDir);
  const old = new Sqlite(join(dataDir, 'state.db'));
  if (wal) old.pragma('journal_mode = WAL');
  old.exec(migration001);
  old.pragma('user_version = 1');
  const web = job({ id: 'web', name: 'web', priority: 70 });
  old.prepare('INSERT INTO jobs (id, version, source_file, stopped, submit_time, modify_time) VALUES (?, 0, ?, 0, ?, ?)').run('web', 'web.nomad', 1_700_000_000_000, 1_700_000_000_000);
  old.prepare('INSERT INTO job_versions (job_id, version, spec_json, spec_hash, source_file, submit_time) VALUES (?, 0, ?, ?, ?, ?)').run('web', JSON.stringify(web), 'h', 'web.nomad', 1_700_000_000_000);
  old
    .prepare(
      `INSERT INTO allocs (id, job_id, job_version, task_group, alloc_index, name, desired_status, client_status, resources_json, ports_json, create_time, modify_time)
       VALUES (?, 'web', 0, 'g', 0, 'web.g[0]', 'run', 'running', ?, '[]', ?, ?)`,
    )
    .run(ALLOC, JSON.stringify({ cpu: 100, memoryMB: 64, diskMB: 10 }), 1_700_000_000_000, 1_700_000_000_000);
  old.prepare(`INSERT INTO task_states (alloc_id, task, driver, state, started_at) VALUES (?, 't', 'raw_exec', 'running', ?)`).run(ALLOC, 1_700_000_000_000);
  return old;
}

/** The list, one job, its allocation and the JSON list, as on a current database. */
function assertReads(dataDir: string): void {
  const list = cli(['status', '--data-dir', dataDir]);
  assert.equal(list.stderr, '');
  assert.equal(list.code, 0);
  assert.equal(list.stdout, 'ID   Type     Priority  Status   Submit Date\nweb  service  70        running  2023-11-14T22:13:20Z\n');

  const one = cli(['status', '--data-dir', dataDir, 'web']);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, /^ID +\= web$/m);
  assert.match(one.stdout, /^0b5f3c1e +\S+ +g +0 +run +running /m);

  const alloc = cli(['alloc', 'status', '--data-dir', dataDir, '0b5f3c1e']);
  assert.equal(alloc.code, 0, alloc.stderr);
  assert.match(alloc.stdout, new RegExp(`^ID +\\= ${ALLOC}$`, 'm'));
  assert.match(alloc.stdout, /^Task "t" is "running"$/m);

  const json = cli(['status', '--json', '--data-dir', dataDir]);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(
    (JSON.parse(json.stdout) as { ID: string; Priority: number; Status: string }[]).map((j) => [j.ID, j.Priority, j.Status]),
    [['web', 70, 'running']],
  );
}

describe('status on a database of the oldest schema', () => {
  test('the agent down: lists the jobs, shows one and its allocation, and leaves the file untouched', () => {
    const dataDir = join(root, 'down');
    oldState(dataDir, false).close();
    const before = readFileSync(join(dataDir, 'state.db'));
    assertReads(dataDir);
    assert.deepEqual(readFileSync(join(dataDir, 'state.db')), before);
    assert.deepEqual(readdirSync(dataDir), ['state.db']);
  });

  test("its agent up, in WAL mode, not yet restarted after the upgrade: the same, and the schema stays the agent's", () => {
    const dataDir = join(root, 'up');
    const agent = oldState(dataDir, true);
    try {
      assertReads(dataDir);
      assert.equal(agent.pragma('user_version', { simple: true }), 1);
      assert.equal(agent.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      agent.close();
    }
  });
});
