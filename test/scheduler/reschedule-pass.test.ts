import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openState, putJobVersion, listAllocsForJob, setAllocClientStatus, getLineage, tx, type Database } from '../../src/state/index.js';
import { canonicalHash } from '../../src/jobspec/hash.js';
import type { Job } from '../../src/jobspec/types.js';
import { JobCache } from '../../src/agent/job-cache.js';
import { schedulePass } from '../../src/agent/schedule.js';
import { LiveAllocs } from '../../src/agent/live-allocs.js';
import { silentLogger } from '../../src/util/logger.js';
import { group, job, node, seededRand } from './builders.js';

const T0 = 1_800_000_000_000;
const policy = { attempts: 0, intervalMs: 0, delayMs: 5_000, delayFunction: 'exponential', maxDelayMs: 60_000, unlimited: true };

function setup(spec: Job) {
  const db = openState(':memory:');
  putJobVersion(db, spec, canonicalHash(spec), 'web.nomad', T0);
  const jobs = new JobCache(db);
  let n = 0;
  const live = new LiveAllocs();
  const pass = (now: number) => tx(db, () => schedulePass({ db, jobs, node: node(), now, rand: seededRand(), newId: () => `alloc-${++n}`, log: silentLogger, hostPorts: () => new Set(), live, scope: null }));
  return { db, pass };
}

const ids = (db: Database): string[] => listAllocsForJob(db, 'web').map((a) => a.id).sort();

test('a failed alloc is replaced once, at its due time, in the scheduling pass (state on :memory:)', () => {
  const { db, pass } = setup(job({ id: 'web', groups: [group({ reschedule: policy })] }));
  pass(T0);
  assert.deepEqual(ids(db), ['alloc-1']);
  setAllocClientStatus(db, 'alloc-1', 'failed', 'Failed tasks', T0 + 1000);
  pass(T0 + 1000);
  assert.equal(getLineage(db, 'alloc-1').dueAt, T0 + 6000);
  pass(T0 + 5999);
  assert.deepEqual(ids(db), ['alloc-1']);
  pass(T0 + 6000);
  assert.deepEqual(ids(db), ['alloc-1', 'alloc-2']);
  // Once: a pass again, or a later one, places nothing more.
  pass(T0 + 6000);
  pass(T0 + 60_000);
  assert.deepEqual(ids(db), ['alloc-1', 'alloc-2']);
  assert.deepEqual(getLineage(db, 'alloc-1'), { previousAlloc: null, nextAlloc: 'alloc-2', events: [], dueAt: null });
  const l2 = getLineage(db, 'alloc-2');
  assert.equal(l2.previousAlloc, 'alloc-1');
  assert.deepEqual(l2.events.map((e) => [e.prevAllocId, e.delayMs, e.rescheduleTime]), [['alloc-1', 5000, T0 + 6000]]);
  // The replacement fails too: the next delay doubles.
  setAllocClientStatus(db, 'alloc-2', 'failed', 'Failed tasks', T0 + 7000);
  pass(T0 + 7000);
  assert.equal(getLineage(db, 'alloc-2').dueAt, T0 + 17_000);
});

test('a new job version cancels a pending reschedule; system jobs never reschedule', () => {
  const spec = job({ id: 'web', groups: [group({ reschedule: policy })] });
  const { db, pass } = setup(spec);
  pass(T0);
  setAllocClientStatus(db, 'alloc-1', 'failed', 'Failed tasks', T0 + 1000);
  pass(T0 + 1000);
  const v1 = job({ id: 'web', groups: [group({ reschedule: policy, meta: { v: '1' } })] });
  putJobVersion(db, v1, canonicalHash(v1), 'web.nomad', T0 + 2000);
  pass(T0 + 2000);
  assert.equal(getLineage(db, 'alloc-1').dueAt, null);
  pass(T0 + 10_000);
  assert.equal(getLineage(db, 'alloc-1').nextAlloc, null);

  const sys = setup(job({ id: 'web', type: 'system', groups: [group({ reschedule: null })] }));
  sys.pass(T0);
  setAllocClientStatus(sys.db, 'alloc-1', 'failed', 'Failed tasks', T0 + 1000);
  sys.pass(T0 + 1000);
  sys.pass(T0 + 100_000);
  assert.deepEqual(ids(sys.db), ['alloc-1']);
  assert.equal(getLineage(sys.db, 'alloc-1').dueAt, null);
});
