import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../src/jobspec/types.js';
import { place, type PlaceInput } from '../../src/scheduler/place.js';
import type { PlaceResult } from '../../src/scheduler/types.js';
import { alloc, group, job, network, node, port, seededRand, task } from './builders.js';

function run(j: Job, over: Partial<Omit<PlaceInput, 'job'>> & { readonly count?: number; readonly seed?: number } = {}): PlaceResult {
  const { count = 1, seed = 1, ...rest } = over;
  const requests = Array.from({ length: count }, (_, index) => ({ group: j.groups[0].name, index }));
  return place(
    { job: j, node: node(), existing: [], hostPorts: new Set(), requests, stopping: new Set(), ...rest },
    { rand: seededRand(seed) },
  );
}

const staticJob = job({ groups: [group({ networks: [network([port('http', 8080)])] })] });
const dynamicJob = job({ groups: [group({ networks: [network([], [port('http', 0, 8080), port('admin')])] })] });

describe('static ports', () => {
  const collision = ['Resources exhausted on 1 nodes', 'Dimension "network: reserved port collision http=8080" exhausted on 1 nodes'];
  const cases: readonly {
    readonly name: string;
    readonly over: Partial<Omit<PlaceInput, 'job'>> & { readonly count?: number };
    readonly placed: number;
  }[] = [
    { name: 'free', over: {}, placed: 1 },
    { name: 'in use on the host', over: { hostPorts: new Set([8080]) }, placed: 0 },
    { name: 'claimed by a live alloc', over: { existing: [alloc({ jobId: 'other', ports: [{ label: 'web', value: 8080 }] })] }, placed: 0 },
    {
      name: 'claimed by a stopped alloc',
      over: { existing: [alloc({ jobId: 'other', desiredStatus: 'stop', ports: [{ label: 'web', value: 8080 }] })] },
      placed: 1,
    },
    {
      name: 'held on the host by the alloc this plan replaces',
      over: {
        existing: [alloc({ id: 'old', ports: [{ label: 'http', value: 8080 }] })],
        hostPorts: new Set([8080]),
        stopping: new Set(['old']),
      },
      placed: 1,
    },
    { name: 'two allocs of one group', over: { count: 2 }, placed: 1 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = run(staticJob, c.over);
      assert.equal(r.placements.length, c.placed);
      if (c.placed === 1) assert.deepEqual(r.placements[0].ports, [{ label: 'http', value: 8080, to: 8080, task: null }]);
      if (r.failures.length) {
        assert.deepEqual(r.failures[0].reasons, collision);
        assert.deepEqual(r.failures[0].dimensionExhausted, { 'network: reserved port collision http=8080': 1 });
      } else {
        assert.equal(c.placed, c.over.count ?? 1);
      }
    });
  }

  test('two tasks asking the same static port collide', () => {
    const j = job({
      groups: [
        group({
          tasks: [
            task({ name: 'a', resources: { cpu: 10, cores: 0, memoryMB: 10, memoryMaxMB: 0, diskMB: null, networks: [network([port('x', 9000)])] } }),
            task({ name: 'b', resources: { cpu: 10, cores: 0, memoryMB: 10, memoryMaxMB: 0, diskMB: null, networks: [network([port('y', 9000)])] } }),
          ],
        }),
      ],
    });
    assert.deepEqual(run(j).failures[0].dimensionExhausted, { 'network: reserved port collision y=9000': 1 });
  });
});

describe('dynamic ports', () => {
  test('picked in range, off host and claimed ports, `to` kept or defaulted', () => {
    const r = run(dynamicJob, { count: 50, existing: [alloc({ jobId: 'other', ports: [{ label: 'a', value: 20001 }] })], hostPorts: new Set([20002]) });
    assert.equal(r.placements.length, 50);
    const all = r.placements.flatMap((p) => p.ports.map((x) => x.value));
    assert.equal(new Set(all).size, 100, 'no port given twice');
    for (const v of all) assert.ok(v >= 20000 && v <= 32000 && v !== 20001 && v !== 20002);
    const [http, admin] = r.placements[0].ports;
    assert.equal(http.label, 'http');
    assert.equal(http.to, 8080);
    assert.equal(admin.to, admin.value);
  });

  test('the same rand gives the same ports; another rand others', () => {
    const a = run(dynamicJob, { count: 5, seed: 7 }).placements;
    const b = run(dynamicJob, { count: 5, seed: 7 }).placements;
    const c = run(dynamicJob, { count: 5, seed: 8 }).placements;
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test('a narrow range: the only free port is found', () => {
    const r = run(dynamicJob, { node: node({ portRange: { min: 30000, max: 30003 } }), hostPorts: new Set([30000, 30002]) });
    assert.deepEqual(r.placements[0].ports.map((p) => p.value).sort(), [30001, 30003]);
  });

  test('range exhausted', () => {
    const r = run(dynamicJob, { count: 3, node: node({ portRange: { min: 30000, max: 30003 } }) });
    assert.equal(r.placements.length, 2);
    assert.equal(r.failures[0].count, 1);
    assert.deepEqual(r.failures[0].reasons, ['Resources exhausted on 1 nodes', 'Dimension "network: dynamic port selection failed" exhausted on 1 nodes']);
  });

  test('task-level network ports name their task', () => {
    const j = job({ groups: [group({ tasks: [task({ name: 'api', resources: { cpu: 10, cores: 0, memoryMB: 10, memoryMaxMB: 0, diskMB: null, networks: [network([port('db', 5432)], [port('http')])] } })] })] });
    const ports = run(j).placements[0].ports;
    assert.deepEqual(ports[0], { label: 'db', value: 5432, to: 5432, task: 'api' });
    assert.equal(ports[1].task, 'api');
  });
});
