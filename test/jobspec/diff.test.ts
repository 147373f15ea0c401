import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffJobs, type ObjectDiff } from '../../src/jobspec/index.js';
import { job, wrap } from './helpers.js';

const changed = (o: ObjectDiff): string[] => o.fields.filter((f) => f.type !== 'None').map((f) => `${f.type} ${f.name}: ${f.old} => ${f.new}`);

describe('diffJobs', () => {
  test('a new job is Added at every level', async () => {
    const d = diffJobs(null, await job(wrap({})));
    assert.equal(d.type, 'Added');
    assert.equal(d.id, 'j');
    assert.deepEqual(d.groups.map((g) => [g.name, g.type, g.tasks.map((t) => [t.name, t.type])]), [['g', 'Added', [['t', 'Added']]]]);
    assert.ok(d.fields.every((f) => f.type === 'Added' || f.new === ''));
  });

  test('the same job is None everywhere', async () => {
    const a = await job(wrap({}));
    const d = diffJobs(a, await job(wrap({})));
    assert.equal(d.type, 'None');
    assert.equal(d.groups[0].type, 'None');
    assert.equal(d.groups[0].tasks[0].type, 'None');
  });

  test('field edits are found at the job, group and task, and in task config', async () => {
    const a = await job(wrap({ job: 'priority = 50', group: 'count = 1', task: 'meta {\n a = "1"\n }' }));
    const b = await job(wrap({ job: 'priority = 60', group: 'count = 3', task: 'meta {\n a = "2"\n b = "x"\n }' }).replace('/bin/true', '/bin/false'));
    const d = diffJobs(a, b);
    assert.equal(d.type, 'Edited');
    assert.deepEqual(changed(d), ['Edited Priority: 50 => 60']);
    const g = d.groups[0];
    assert.deepEqual(changed(g), ['Edited Count: 1 => 3']);
    const t = g.tasks[0];
    assert.equal(t.type, 'Edited');
    assert.deepEqual(changed(t), ['Edited Meta[a]: 1 => 2', 'Added Meta[b]:  => x']);
    const config = t.objects.find((o) => o.name === 'Config');
    assert.ok(config);
    assert.deepEqual(changed(config), ['Edited command: /bin/true => /bin/false']);
  });

  test('added and removed groups and tasks, and constraint objects', async () => {
    const a = await job(wrap({ job: 'constraint {\n attribute = "a"\n value = "1"\n }' }));
    const b = await job(wrap({}).replace('group "g"', 'group "h"'));
    const d = diffJobs(a, b);
    assert.deepEqual(d.groups.map((g) => [g.name, g.type]), [['g', 'Deleted'], ['h', 'Added']]);
    assert.deepEqual(d.objects.filter((o) => o.name === 'Constraint').map((o) => o.type), ['Deleted']);
  });

  test('datacenter list changes are set-membership fields', async () => {
    const d = diffJobs(await job(wrap({ job: 'datacenters = ["a", "b"]' })), await job(wrap({ job: 'datacenters = ["b", "c"]' })));
    const dcs = d.objects.find((o) => o.name === 'Datacenters');
    assert.ok(dcs);
    assert.deepEqual(dcs.fields.map((f) => [f.type, f.old, f.new]), [['Deleted', 'a', ''], ['None', 'b', 'b'], ['Added', '', 'c']]);
  });
});
