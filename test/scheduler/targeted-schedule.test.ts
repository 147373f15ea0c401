import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  closeState,
  getJob,
  listAllocsForJob,
  listAllAllocs,
  openState,
  putJobVersion,
  setAllocClientStatus,
  tx,
  type Database,
} from '../../src/state/index.js';
import { canonicalHash } from '../../src/jobspec/hash.js';
import type { Job } from '../../src/jobspec/types.js';
import { JobCache } from '../../src/agent/job-cache.js';
import { LiveAllocs } from '../../src/agent/live-allocs.js';
import { schedulePass, type ScheduleResult } from '../../src/agent/schedule.js';
import { silentLogger } from '../../src/util/logger.js';
import { group, job, node, seededRand, task } from './builders.js';

const T0 = 1_800_000_000_000;

/** A job of `count` allocations of one 100 MHz / 300 MB task each (the builders' defaults). */
const spec = (id: string, count = 1, meta: Record<string, string> = {}): Job => job({ id, groups: [group({ count, meta, tasks: [task()] })] });

function register(db: Database, j: Job, now = T0): void {
  putJobVersion(db, j, canonicalHash(j), `${j.id}.nomad`, now);
}

/** One agent's view: its job cache and its resources ledger (a restart makes new ones). */
function agentOn(db: Database, capacityAllocs?: number) {
  const jobs = new JobCache(db);
  const live = new LiveAllocs();
  let n = 0;
  // The builders' node offers plenty; `capacityAllocs` shrinks it to that many 100 MHz allocations.
  const base = node();
  const info = capacityAllocs === undefined ? base : { ...base, attributes: { ...base.attributes, 'cpu.totalcompute': String(capacityAllocs * 100) }, reserved: { ...base.reserved, cpu: 0 } };
  const pass = (scope: readonly string[] | null, now = T0): ScheduleResult =>
    tx(db, () => schedulePass({ db, jobs, node: info, now, rand: seededRand(), newId: () => `a${String(++n).padStart(3, '0')}-${Math.random().toString(36).slice(2, 6)}`, log: silentLogger, hostPorts: () => new Set(), live, scope: scope === null ? null : new Set(scope) }));
  return { pass, live };
}

const ids = (db: Database, jobId: string): string[] => listAllocsForJob(db, jobId).map((a) => a.id).sort();
const snapshot = (db: Database): string => JSON.stringify(listAllAllocs(db));

describe('targeted schedule (state on :memory: and a file)', () => {
  test('a job changed beside running jobs is reconciled; the jobs it did not name are not touched', () => {
    const db = openState(':memory:');
    for (const id of ['a', 'b', 'c']) register(db, spec(id));
    const { pass } = agentOn(db);
    pass(null);
    for (const a of listAllAllocs(db)) setAllocClientStatus(db, a.id, 'running', 'Tasks are running', T0);
    const before = { a: JSON.stringify(listAllocsForJob(db, 'a')), c: JSON.stringify(listAllocsForJob(db, 'c')) };
    register(db, spec('b', 3), T0 + 1000);
    const r = pass(['b'], T0 + 1000);
    assert.equal(r.placed, 2);
    assert.equal(ids(db, 'b').length, 3);
    // Its live allocations come back for the agent's runners; the others' are not listed.
    assert.deepEqual([...(r.liveIds ?? [])].sort(), ids(db, 'b'));
    assert.equal(JSON.stringify(listAllocsForJob(db, 'a')), before.a);
    assert.equal(JSON.stringify(listAllocsForJob(db, 'c')), before.c);
    closeState(db);
  });

  test('a job the targeted pass did not name waits, and the full pass fixes it', () => {
    const db = openState(':memory:');
    for (const id of ['a', 'b']) register(db, spec(id));
    const { pass } = agentOn(db);
    pass(null);
    // `b` changes behind the targeted pass's back (as a missed fs event would leave it).
    register(db, spec('b', 2), T0 + 1000);
    register(db, spec('a', 2), T0 + 1000);
    pass(['a'], T0 + 1000);
    assert.equal(ids(db, 'a').length, 2);
    assert.equal(ids(db, 'b').length, 1);
    const full = pass(null, T0 + 2000);
    assert.equal(full.liveIds, null);
    assert.equal(ids(db, 'b').length, 2);
    assert.equal(ids(db, 'a').length, 2);
  });

  test('resources held by jobs outside the scope still count, and a finished allocation frees them for a blocked job', () => {
    const db = openState(':memory:');
    register(db, spec('big', 3));
    const { pass } = agentOn(db, 4);
    pass(null);
    assert.equal(ids(db, 'big').length, 3);
    // Room for one more: a new job of two gets one, and the other is a placement failure.
    register(db, spec('late', 2), T0 + 1000);
    pass(['late'], T0 + 1000);
    assert.equal(ids(db, 'late').length, 1);
    assert.notEqual(getJob(db, 'late')?.placementFailures, null);
    // A third job finds no room at all: the ledger holds every job's allocations.
    register(db, spec('later'), T0 + 1500);
    pass(['later'], T0 + 1500);
    assert.equal(ids(db, 'later').length, 0);
    // One of `big`'s allocations ends: the pass for it (scope: its job and the blocked ones, as
    // the agent builds it) places one blocked allocation, in name order of the jobs.
    const last = listAllocsForJob(db, 'big').find((a) => a.index === 2);
    assert.ok(last);
    setAllocClientStatus(db, last.id, 'complete', 'All tasks have completed', T0 + 2000);
    register(db, spec('big', 2), T0 + 2000);
    pass(['big', 'late', 'later'], T0 + 2000);
    assert.equal(ids(db, 'late').length, 2);
    assert.equal(getJob(db, 'late')?.placementFailures, null);
    assert.equal(ids(db, 'later').length, 0);
    // Never more live than the node holds, whatever the mix of passes.
    const live = listAllAllocs(db).filter((a) => a.desiredStatus === 'run' && (a.clientStatus === 'pending' || a.clientStatus === 'running'));
    assert.equal(live.length, 4);
  });

  test('a targeted pass with a ledger never loaded reads the resources in use first', () => {
    const db = openState(':memory:');
    register(db, spec('big', 3));
    agentOn(db, 4).pass(null);
    // A new agent (after a restart) whose first pass is targeted: it must not see an empty node.
    const fresh = agentOn(db, 4);
    assert.equal(fresh.live.valid, false);
    register(db, spec('late', 3), T0 + 1000);
    fresh.pass(['late'], T0 + 1000);
    assert.equal(fresh.live.valid, true);
    assert.equal(ids(db, 'late').length, 1);
  });

  test('a stop in a targeted pass frees its resources in the ledger; a rolled-back pass is read again', () => {
    const db = openState(':memory:');
    register(db, spec('a', 2));
    const { pass, live } = agentOn(db, 2);
    pass(null);
    // The job goes down to one: the stopped allocation no longer holds room for the next job.
    register(db, spec('a', 1), T0 + 1000);
    register(db, spec('b', 1), T0 + 1000);
    const r = pass(['a', 'b'], T0 + 1000);
    assert.equal(r.stop.length, 1);
    assert.equal(ids(db, 'b').length, 1);
    // A pass that throws after placing: its transaction rolls back, and the agent invalidates
    // the ledger (agent.ts does on any failed pass), so the next pass reads the rows again.
    register(db, spec('c', 1), T0 + 2000);
    assert.throws(() =>
      tx(db, () => {
        schedulePass({ db, jobs: new JobCache(db), node: node(), now: T0 + 2000, rand: seededRand(), newId: () => 'ghost', log: silentLogger, hostPorts: () => new Set(), live, scope: new Set(['c']) });
        throw new Error('crash after placing');
      }),
    );
    assert.equal(listAllocsForJob(db, 'c').length, 0);
    assert.equal(live.list().some((a) => a.id === 'ghost'), true);
    live.invalidate();
    pass(['c'], T0 + 3000);
    assert.equal(live.list().some((a) => a.id === 'ghost'), false);
  });

  test('kill -9 between passes: a new agent on the same file places nothing twice, targeted or full', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bivouac-targeted-'));
    try {
      const path = join(dir, 'state.db');
      let db = openState(path);
      for (const id of ['a', 'b']) register(db, spec(id, 2));
      agentOn(db).pass(null);
      register(db, spec('b', 3), T0 + 1000);
      agentOn(db).pass(['b'], T0 + 1000);
      const before = snapshot(db);
      // No clean close: the connection is dropped as a killed process leaves it.
      db.close();
      db = openState(path);
      const next = agentOn(db);
      next.pass(['a', 'b'], T0 + 2000);
      assert.equal(snapshot(db), before);
      next.pass(null, T0 + 3000);
      assert.equal(snapshot(db), before);
      assert.equal(ids(db, 'a').length, 2);
      assert.equal(ids(db, 'b').length, 3);
      closeState(db);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
