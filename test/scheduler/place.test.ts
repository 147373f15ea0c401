import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../src/jobspec/types.js';
import type { NodeInfo } from '../../src/node/types.js';
import { place, type PlaceInput } from '../../src/scheduler/place.js';
import type { ExistingAlloc, PlaceResult } from '../../src/scheduler/types.js';
import { alloc, constraint, driverInfo, group, job, node, seededRand, task } from './builders.js';

function run(
  j: Job,
  over: Partial<Omit<PlaceInput, 'job'>> & { readonly count?: number; readonly seed?: number } = {},
): PlaceResult {
  const { count = 1, seed = 1, ...rest } = over;
  const requests = j.groups.flatMap((g) => Array.from({ length: count }, (_, index) => ({ group: g.name, index })));
  return place(
    { job: j, node: node(), existing: [], hostPorts: new Set(), requests, stopping: new Set(), ...rest },
    { rand: seededRand(seed) },
  );
}

const MB = 1024 * 1024;
function smallNode(over: Partial<NodeInfo> = {}): NodeInfo {
  const base = node();
  return node({
    attributes: { ...base.attributes, 'cpu.totalcompute': '1000', 'memory.totalbytes': String(1024 * MB), 'unique.storage.bytesfree': String(2048 * MB) },
    ...over,
  });
}

describe('place: feasibility failures in Nomad words', () => {
  const cases: readonly {
    readonly name: string;
    readonly job: Job;
    readonly node?: NodeInfo;
    readonly reasons: readonly string[];
    readonly filtered?: Record<string, number>;
  }[] = [
    {
      name: 'datacenter',
      job: job({ datacenters: ['dc2', 'east-*'] }),
      reasons: ['No nodes were eligible for evaluation', 'No nodes are available in datacenter "dc2"', 'No nodes are available in datacenter "east-*"'],
    },
    {
      name: 'job constraint',
      job: job({ constraints: [constraint('${attr.kernel.name}', '=', 'windows')] }),
      reasons: ['Constraint "${attr.kernel.name} = windows" filtered 1 nodes'],
      filtered: { '${attr.kernel.name} = windows': 1 },
    },
    {
      name: 'group constraint',
      job: job({ groups: [group({ constraints: [constraint('${attr.cpu.numcores}', '>=', '16')] })] }),
      reasons: ['Constraint "${attr.cpu.numcores} >= 16" filtered 1 nodes'],
      filtered: { '${attr.cpu.numcores} >= 16': 1 },
    },
    {
      name: 'task constraint',
      job: job({ groups: [group({ tasks: [task({ constraints: [constraint('${meta.rack}', 'is_set')] })] })] }),
      reasons: ['Constraint "${meta.rack} is_set " filtered 1 nodes'],
      filtered: { '${meta.rack} is_set ': 1 },
    },
    {
      name: 'driver not detected',
      job: job({ groups: [group({ tasks: [task({ driver: 'rkt' })] })] }),
      reasons: ['Driver "rkt" is not detected', 'Constraint "missing drivers" filtered 1 nodes'],
      filtered: { 'missing drivers': 1 },
    },
    {
      name: 'driver detected but unhealthy',
      job: job({ groups: [group({ tasks: [task({ driver: 'rkt' })] })] }),
      node: node({ drivers: { rkt: driverInfo('rkt', 'unhealthy', 'Driver must run as root') } }),
      reasons: ['Driver "rkt" is not healthy: Driver must run as root', 'Constraint "missing drivers" filtered 1 nodes'],
      filtered: { 'missing drivers': 1 },
    },
    {
      name: 'driver listed as undetected',
      job: job({ groups: [group({ tasks: [task({ driver: 'rkt' })] })] }),
      node: node({ drivers: { rkt: driverInfo('rkt', 'undetected') } }),
      reasons: ['Driver "rkt" is not detected', 'Constraint "missing drivers" filtered 1 nodes'],
      filtered: { 'missing drivers': 1 },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = run(c.job, { count: 2, ...(c.node ? { node: c.node } : {}) });
      assert.equal(r.placements.length, 0);
      assert.equal(r.failures.length, 1);
      assert.equal(r.failures[0].count, 2);
      assert.deepEqual(r.failures[0].reasons, c.reasons);
      assert.deepEqual(r.failures[0].constraintFiltered, c.filtered ?? {});
      assert.deepEqual(r.failures[0].dimensionExhausted, {});
    });
  }

  test('datacenter glob matches', () => {
    assert.equal(run(job({ datacenters: ['dc*'] })).placements.length, 1);
  });
});

describe('place: resources', () => {
  const cases: readonly {
    readonly name: string;
    readonly job: Job;
    readonly node?: NodeInfo;
    readonly existing?: readonly ExistingAlloc[];
    readonly stopping?: readonly string[];
    readonly count: number;
    readonly placed: number;
    readonly dimension?: string;
  }[] = [
    { name: 'fits', job: job(), node: smallNode(), count: 1, placed: 1 },
    { name: 'memory exhausted', job: job({ groups: [group({ tasks: [task({ memoryMB: 2048 })] })] }), node: smallNode(), count: 1, placed: 0, dimension: 'memory' },
    { name: 'cpu by count', job: job({ groups: [group({ tasks: [task({ cpu: 400 })] })] }), node: smallNode(), count: 3, placed: 2, dimension: 'cpu' },
    { name: 'disk', job: job({ groups: [group({ ephemeralDisk: { sizeMB: 3000, sticky: false, migrate: false } })] }), node: smallNode(), count: 1, placed: 0, dimension: 'disk' },
    { name: 'reserved cpu', job: job(), node: smallNode({ reserved: { cpu: 950, memoryMB: 0 } }), count: 1, placed: 0, dimension: 'cpu' },
    { name: 'reserved memory', job: job(), node: smallNode({ reserved: { cpu: 0, memoryMB: 800 } }), count: 1, placed: 0, dimension: 'memory' },
    { name: 'exactly full fits', job: job({ groups: [group({ tasks: [task({ cpu: 500 })] })] }), node: smallNode(), count: 2, placed: 2 },
    {
      name: 'another job holds cpu',
      job: job(),
      node: smallNode(),
      existing: [alloc({ jobId: 'other', resources: { cpu: 950, memoryMB: 10, diskMB: 0 } })],
      count: 1,
      placed: 0,
      dimension: 'cpu',
    },
    {
      name: 'stopped, terminal and stopping allocs hold nothing',
      job: job(),
      node: smallNode(),
      existing: [
        alloc({ id: 'a', jobId: 'other', desiredStatus: 'stop', resources: { cpu: 1000, memoryMB: 1024, diskMB: 0 } }),
        alloc({ id: 'b', jobId: 'other', clientStatus: 'complete', resources: { cpu: 1000, memoryMB: 1024, diskMB: 0 } }),
        alloc({ id: 'c', jobId: 'other', clientStatus: 'failed', resources: { cpu: 1000, memoryMB: 1024, diskMB: 0 } }),
        alloc({ id: 'd', jobId: 'other', resources: { cpu: 1000, memoryMB: 1024, diskMB: 0 } }),
      ],
      stopping: ['d'],
      count: 1,
      placed: 1,
    },
    { name: 'no cpu attribute means no room', job: job(), node: node({ attributes: {} }), count: 1, placed: 0, dimension: 'cpu' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = run(c.job, {
        count: c.count,
        node: c.node ?? node(),
        existing: c.existing ?? [],
        stopping: new Set(c.stopping ?? []),
      });
      assert.equal(r.placements.length, c.placed);
      if (c.dimension) {
        assert.equal(r.failures.length, 1);
        assert.equal(r.failures[0].count, c.count - c.placed);
        assert.deepEqual(r.failures[0].dimensionExhausted, { [c.dimension]: 1 });
        assert.deepEqual(r.failures[0].reasons, ['Resources exhausted on 1 nodes', `Dimension "${c.dimension}" exhausted on 1 nodes`]);
      } else {
        assert.deepEqual(r.failures, []);
      }
    });
  }

  test('placement reports the group ask', () => {
    const j = job({ groups: [group({ tasks: [task({ name: 'a', cpu: 250, memoryMB: 128 }), task({ name: 'b', cpu: 50, memoryMB: 64 })] })] });
    assert.deepEqual(run(j).placements[0], { group: 'web', index: 0, resources: { cpu: 300, memoryMB: 192, diskMB: 300 }, ports: [] });
  });
});
