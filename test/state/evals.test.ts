/**
 * Schema 008's synthetic evaluations on a real SQLite file: one per new job version and per
 * stop or re-start, none for a file that changes nothing, the job's JobModifyIndex and the
 * writer's time on each, at most EVALS_PER_JOB kept per job, and none left once the job goes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from '../../src/jobspec/types.js';
import { EVALS_PER_JOB } from '../../src/state/migrations/008_job_evals.js';
import { deleteChildJob, getJob, insertChildJob, listEvalsForJob, openState, purgeJobRows, putJobVersion, setJobStopped, tx, type Database } from '../../src/state/index.js';

const job = (id: string, priority = 50, type = 'service'): Job => ({
  id, name: id, type, priority, region: 'global', namespace: 'default', datacenters: ['*'], allAtOnce: false, constraints: [], meta: {}, periodic: null, parameterized: null, groups: [], extra: {},
} as Job);

function withDb(fn: (db: Database) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'bivouac-state-evals-'));
  const db = openState(join(dir, 'state.db'));
  try {
    fn(db);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('synthetic evaluations (schema 008)', () => {
  test('a new job, a new version, a stop and a re-start each make one; an unchanged file none', () => {
    withDb((db) => {
      putJobVersion(db, job('web', 70, 'batch'), 'h1', 'web.nomad', 1000);
      putJobVersion(db, job('web', 70, 'batch'), 'h1', 'web.nomad', 2000);
      putJobVersion(db, job('web', 80, 'batch'), 'h2', 'web.nomad', 3000);
      setJobStopped(db, 'web', 4000);
      setJobStopped(db, 'web', 4500);
      putJobVersion(db, job('web', 80, 'batch'), 'h2', 'web.nomad', 5000);
      const evals = listEvalsForJob(db, 'web');
      assert.deepEqual(evals.map((e) => [e.triggeredBy, e.createTime, e.status]), [
        ['job-register', 5000, 'complete'],
        ['job-deregister', 4000, 'complete'],
        ['job-register', 3000, 'complete'],
        ['job-register', 1000, 'complete'],
      ]);
      assert.deepEqual([evals[3].priority, evals[0].priority, evals[0].type, evals[0].namespace], [70, 80, 'batch', 'default']);
      assert.equal(evals[0].jobModifyIndex, getJob(db, 'web')?.jobModifyIndex);
      for (let i = 1; i < evals.length; i++) assert.ok(evals[i - 1].createIndex > evals[i].createIndex && evals[i - 1].jobModifyIndex > evals[i].jobModifyIndex);
    });
  });

  test('a child job (dispatch, periodic) gets its own; a job keeps its newest evaluations only; a purged or collected job leaves none', () => {
    withDb((db) => {
      putJobVersion(db, job('parent'), 'p', 'parent.nomad', 1);
      tx(db, () => insertChildJob(db, 'parent', job('parent/dispatch-1-abcd'), 'c', 'parent.nomad', 2, null));
      assert.deepEqual(listEvalsForJob(db, 'parent/dispatch-1-abcd').map((e) => e.triggeredBy), ['job-register']);
      for (let v = 0; v < EVALS_PER_JOB + 10; v++) putJobVersion(db, job('parent', 50 + (v % 2)), `h${v}`, 'parent.nomad', 10 + v);
      const kept = listEvalsForJob(db, 'parent');
      assert.equal(kept.length, EVALS_PER_JOB);
      assert.equal(kept[0].createTime, 10 + EVALS_PER_JOB + 9, 'the newest is kept');
      // The children collector's delete.
      tx(db, () => insertChildJob(db, 'parent', job('parent/periodic-5'), 'c', 'parent.nomad', 5, null));
      assert.equal(listEvalsForJob(db, 'parent/periodic-5').length, 1);
      tx(db, () => deleteChildJob(db, 'parent/periodic-5'));
      assert.deepEqual(listEvalsForJob(db, 'parent/periodic-5'), []);
      // A purge.
      assert.ok(tx(db, () => purgeJobRows(db, 'parent/dispatch-1-abcd')));
      assert.deepEqual(listEvalsForJob(db, 'parent/dispatch-1-abcd'), []);
      assert.ok(tx(db, () => purgeJobRows(db, 'parent')));
      assert.deepEqual(listEvalsForJob(db, 'parent'), []);
    });
  });
});
