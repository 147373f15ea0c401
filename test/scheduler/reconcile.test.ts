import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../src/jobspec/types.js';
import { ALLOC_NOT_NEEDED, reconcile, type ReconcileResult } from '../../src/scheduler/reconcile.js';
import type { ExistingAlloc } from '../../src/scheduler/types.js';
import { alloc, group, job, task } from './builders.js';

const v0 = job();
const inPlaceV1 = job({ groups: [group({ restart: { attempts: 5, intervalMs: 60_000, delayMs: 1000, mode: 'delay' } })] });
const destructiveV1 = job({ groups: [group({ tasks: [task({ env: { A: '1' } })] })] });

function run(j: Job, version: number, allocs: readonly ExistingAlloc[], history: Record<number, Job> = { 0: v0 }, stopped = false): ReconcileResult {
  return reconcile(j, version, allocs, { stopped, jobAt: (v) => history[v] ?? null });
}

function ids(list: readonly { readonly allocId: string }[]): string[] {
  return list.map((x) => x.allocId).sort();
}

const web = (index: number, over: Partial<ExistingAlloc> = {}): ExistingAlloc => alloc({ index, ...over });

describe('reconcile', () => {
  test('new job: every index placed', () => {
    const r = run(job({ groups: [group({ count: 3 })] }), 0, []);
    assert.deepEqual(r.place, [0, 1, 2].map((index) => ({ group: 'web', index })));
    assert.deepEqual([r.stop, r.inPlace, r.destructive, r.ignore], [[], [], [], []]);
  });

  test('identical version: nothing to do', () => {
    const r = run(v0, 0, [web(0)]);
    assert.deepEqual(r, { place: [], stop: [], inPlace: [], destructive: [], ignore: [{ allocId: web(0).id }] });
  });

  test('in-place change bumps the version', () => {
    const r = run(inPlaceV1, 1, [web(0)]);
    assert.deepEqual(r.inPlace, [{ allocId: web(0).id }]);
    assert.deepEqual([r.place, r.destructive, r.stop], [[], [], []]);
  });

  test('destructive change replaces, naming the change', () => {
    const r = run(destructiveV1, 1, [web(0)]);
    assert.deepEqual(r.destructive, [{ allocId: web(0).id, group: 'web', index: 0, reason: 'task "server" env' }]);
    assert.deepEqual([r.place, r.inPlace, r.stop], [[], [], []]);
  });

  test('unknown old version counts as destructive', () => {
    assert.equal(run(inPlaceV1, 1, [web(0)], {}).destructive.length, 1);
  });

  test('job meta change is destructive for every group', () => {
    assert.equal(run(job({ meta: { owner: 'x' } }), 1, [web(0)]).destructive.length, 1);
  });

  test('count up places the missing indexes', () => {
    const r = run(job({ groups: [group({ count: 3 })] }), 1, [web(0)]);
    assert.deepEqual(r.place, [{ group: 'web', index: 1 }, { group: 'web', index: 2 }]);
    assert.deepEqual(r.inPlace, [{ allocId: web(0).id }]);
  });

  test('count down stops the highest indexes', () => {
    const allocs = [web(0), web(1), web(2), web(3)];
    const r = run(job({ groups: [group({ count: 2 })] }), 0, allocs);
    assert.deepEqual(r.stop, [web(2), web(3)].map((a) => ({ allocId: a.id, reason: ALLOC_NOT_NEEDED })));
    assert.deepEqual(ids(r.ignore), ids([web(0), web(1)].map((a) => ({ allocId: a.id }))));
  });

  test('a second live alloc on one index stops', () => {
    const older = web(0, { id: 'older' });
    const newer = web(0, { id: 'newer', jobVersion: 1 });
    const r = run(inPlaceV1, 1, [older, newer], { 0: v0, 1: inPlaceV1 });
    assert.deepEqual(ids(r.stop), ['older']);
    assert.deepEqual(ids(r.ignore), ['newer']);
  });

  test('a removed group stops its allocs', () => {
    const gone = alloc({ group: 'old', index: 0 });
    const r = run(v0, 1, [web(0), gone], { 0: v0 });
    assert.deepEqual(r.stop, [{ allocId: gone.id, reason: ALLOC_NOT_NEEDED }]);
  });

  test('a stopped job stops every live alloc, leaves terminal ones', () => {
    const done = web(1, { clientStatus: 'complete' });
    const r = run(v0, 0, [web(0), done], { 0: v0 }, true);
    assert.deepEqual(ids(r.stop), [web(0).id]);
    assert.deepEqual(ids(r.ignore), [done.id]);
    assert.deepEqual(r.place, []);
  });

  test('allocs already told to stop are ignored and their index is placed', () => {
    const stopped = web(0, { desiredStatus: 'stop' });
    const r = run(v0, 0, [stopped]);
    assert.deepEqual(ids(r.ignore), [stopped.id]);
    assert.deepEqual(r.place, [{ group: 'web', index: 0 }]);
  });

  describe('terminal allocs', () => {
    const batch0 = job({ type: 'batch' });
    const batchRestartOnly = job({ type: 'batch', groups: [group({ count: 1, restart: { attempts: 0, intervalMs: 1, delayMs: 1, mode: 'fail' } })] });
    const batchChanged = job({ type: 'batch', groups: [group({ tasks: [task({ rawConfig: { command: '/bin/true' } })] })] });
    const cases: readonly {
      readonly name: string;
      readonly job: Job;
      readonly version: number;
      readonly history: Record<number, Job>;
      readonly alloc: ExistingAlloc;
      readonly placed: boolean;
    }[] = [
      { name: 'batch complete stays complete', job: batch0, version: 0, history: { 0: batch0 }, alloc: web(0, { clientStatus: 'complete' }), placed: false },
      { name: 'batch failed is not re-run', job: batch0, version: 0, history: { 0: batch0 }, alloc: web(0, { clientStatus: 'failed' }), placed: false },
      { name: 'batch complete, in-place edit: not re-run', job: batchRestartOnly, version: 1, history: { 0: batch0 }, alloc: web(0, { clientStatus: 'complete' }), placed: false },
      { name: 'batch complete, changed spec: re-run', job: batchChanged, version: 1, history: { 0: batch0 }, alloc: web(0, { clientStatus: 'complete' }), placed: true },
      { name: 'service failed, same version: not replaced', job: v0, version: 0, history: { 0: v0 }, alloc: web(0, { clientStatus: 'failed' }), placed: false },
      { name: 'service failed, outdated version: replaced', job: inPlaceV1, version: 1, history: { 0: v0 }, alloc: web(0, { clientStatus: 'failed' }), placed: true },
      { name: 'service lost, same version: not replaced', job: v0, version: 0, history: { 0: v0 }, alloc: web(0, { clientStatus: 'lost' }), placed: false },
    ];
    for (const c of cases) {
      test(c.name, () => {
        const r = run(c.job, c.version, [c.alloc], c.history);
        assert.deepEqual(ids(r.ignore), [c.alloc.id]);
        assert.deepEqual(r.place, c.placed ? [{ group: 'web', index: 0 }] : []);
        assert.deepEqual([r.stop, r.inPlace, r.destructive], [[], [], []]);
      });
    }

    test('a live alloc holds the index over a failed one', () => {
      const failed = web(0, { id: 'failed', clientStatus: 'failed' });
      const running = web(0, { id: 'running' });
      const r = run(v0, 0, [failed, running]);
      assert.deepEqual(ids(r.ignore), ['failed', 'running']);
      assert.deepEqual(r.place, []);
    });
  });

  test('system jobs want one alloc whatever the count', () => {
    const r = run(job({ type: 'system', groups: [group({ count: 5 })] }), 0, []);
    assert.deepEqual(r.place, [{ group: 'web', index: 0 }]);
  });

  test('every alloc lands in exactly one list', () => {
    const allocs = [web(0), web(1, { clientStatus: 'failed' }), web(2), web(5), alloc({ group: 'gone' }), web(3, { desiredStatus: 'stop' })];
    const r = run(job({ groups: [group({ count: 3, tasks: [task({ cpu: 999 })] })] }), 1, allocs);
    const seen = [...r.stop, ...r.inPlace, ...r.destructive, ...r.ignore].map((x) => x.allocId).sort();
    assert.deepEqual(seen, allocs.map((a) => a.id).sort());
  });
});
