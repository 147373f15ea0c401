import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../src/jobspec/types.js';
import { place } from '../../src/scheduler/place.js';
import type { ExistingAlloc, PlaceResult } from '../../src/scheduler/types.js';
import { alloc, constraint, group, job, node, seededRand } from './builders.js';

function run(j: Job, count: number, existing: readonly ExistingAlloc[] = []): PlaceResult {
  const requests = j.groups.flatMap((g) => Array.from({ length: count }, (_, index) => ({ group: g.name, index })));
  return place(
    { job: j, node: node({ meta: { rack: 'r1' } }), existing, hostPorts: new Set(), requests, stopping: new Set() },
    { rand: seededRand() },
  );
}

describe('distinct_hosts', () => {
  const cases: readonly {
    readonly name: string;
    readonly job: Job;
    readonly count: number;
    readonly existing?: readonly ExistingAlloc[];
    readonly placed: number;
  }[] = [
    { name: 'job level: one alloc of the job', job: job({ constraints: [constraint('', 'distinct_hosts')] }), count: 2, placed: 1 },
    {
      name: 'job level across groups',
      job: job({ constraints: [constraint('', 'distinct_hosts', 'true')], groups: [group({ name: 'a' }), group({ name: 'b' })] }),
      count: 1,
      placed: 1,
    },
    {
      name: 'group level: other groups do not count',
      job: job({ groups: [group({ name: 'a', constraints: [constraint('', 'distinct_hosts')] }), group({ name: 'b' })] }),
      count: 1,
      placed: 2,
    },
    { name: 'explicit false is off', job: job({ constraints: [constraint('', 'distinct_hosts', 'false')] }), count: 2, placed: 2 },
    {
      name: 'an existing live alloc of the job counts',
      job: job({ constraints: [constraint('', 'distinct_hosts')] }),
      count: 1,
      existing: [alloc({ group: 'web', index: 5 })],
      placed: 0,
    },
    {
      name: 'another job does not count',
      job: job({ constraints: [constraint('', 'distinct_hosts')] }),
      count: 1,
      existing: [alloc({ jobId: 'other' })],
      placed: 1,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = run(c.job, c.count, c.existing);
      assert.equal(r.placements.length, c.placed);
      for (const f of r.failures) {
        assert.deepEqual(f.reasons, ['Constraint "distinct_hosts" filtered 1 nodes']);
        assert.deepEqual(f.constraintFiltered, { distinct_hosts: 1 });
      }
    });
  }
});

describe('distinct_property', () => {
  test('value N allows N allocs per property value', () => {
    const r = run(job({ constraints: [constraint('${meta.rack}', 'distinct_property', '2')] }), 3);
    assert.equal(r.placements.length, 2);
    assert.deepEqual(r.failures[0].reasons, ['Constraint "distinct_property: ${meta.rack}=r1 used by 2 allocs" filtered 1 nodes']);
  });
  test('no value means 1; group level', () => {
    const r = run(job({ groups: [group({ constraints: [constraint('${meta.rack}', 'distinct_property')] })] }), 2);
    assert.equal(r.placements.length, 1);
  });
  test('a node without the property is filtered', () => {
    const r = run(job({ constraints: [constraint('${meta.zone}', 'distinct_property')] }), 1);
    assert.deepEqual(r.failures[0].constraintFiltered, { 'missing property "${meta.zone}"': 1 });
  });
});
