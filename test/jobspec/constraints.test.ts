import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errorCodes, job, parse, wrap } from './helpers.js';

const table = [
  { body: 'attribute = "${attr.kernel.name}"\n value = "linux"', want: { attribute: '${attr.kernel.name}', operator: '=', value: 'linux' } },
  { body: 'attribute = "a"\n operator = "=="\n value = "1"', want: { attribute: 'a', operator: '=', value: '1' } },
  { body: 'attribute = "a"\n operator = "is"\n value = "1"', want: { attribute: 'a', operator: '=', value: '1' } },
  { body: 'attribute = "a"\n operator = "not"\n value = "1"', want: { attribute: 'a', operator: '!=', value: '1' } },
  { body: 'attribute = "a"\n operator = ">="\n value = "3"', want: { attribute: 'a', operator: '>=', value: '3' } },
  { body: 'attribute = "${attr.rkt.version}"\n version = ">= 1.2.0, < 2.0"', want: { attribute: '${attr.rkt.version}', operator: 'version', value: '>= 1.2.0, < 2.0' } },
  { body: 'attribute = "${attr.vault.version}"\n semver = ">= 0.6.1"', want: { attribute: '${attr.vault.version}', operator: 'semver', value: '>= 0.6.1' } },
  { body: 'attribute = "${node.class}"\n regexp = "^web-[0-9]+$"', want: { attribute: '${node.class}', operator: 'regexp', value: '^web-[0-9]+$' } },
  { body: 'attribute = "${meta.tags}"\n set_contains = "a,b"', want: { attribute: '${meta.tags}', operator: 'set_contains', value: 'a,b' } },
  { body: 'distinct_hosts = true', want: { attribute: '', operator: 'distinct_hosts', value: '' } },
  { body: 'distinct_property = "${meta.rack}"', want: { attribute: '${meta.rack}', operator: 'distinct_property', value: '' } },
  { body: 'distinct_property = "${meta.rack}"\n value = "2"', want: { attribute: '${meta.rack}', operator: 'distinct_property', value: '2' } },
  { body: 'attribute = "${meta.x}"\n operator = "is_set"', want: { attribute: '${meta.x}', operator: 'is_set', value: '' } },
];

describe('constraints', () => {
  for (const { body, want } of table) {
    test(`${body.replace(/\n/g, ';')} → ${want.operator}`, async () => {
      // Nomad's Task.Validate refuses distinct_hosts and distinct_property at task level.
      const levels = want.operator.startsWith('distinct_') ? (['job', 'group'] as const) : (['job', 'group', 'task'] as const);
      for (const level of levels) {
        const j = await job(wrap({ [level]: `constraint {\n ${body}\n }` }));
        const got = level === 'job' ? j.constraints : level === 'group' ? j.groups[0].constraints : j.groups[0].tasks[0].constraints;
        assert.deepEqual(got, [want], level);
      }
    });
  }

  test('distinct_hosts = false drops the constraint', async () => {
    const j = await job(wrap({ group: 'constraint {\n distinct_hosts = false\n }' }));
    assert.deepEqual(j.groups[0].constraints, []);
  });

  const bad = [
    { body: 'attribute = "a"\n operator = "~="\n value = "1"', why: 'unknown operator' },
    { body: 'attribute = "a"\n regexp = "("', why: 'regexp that does not compile' },
    { body: 'attribute = "a"\n operator = "<"', why: 'comparison without a value' },
    { body: 'distinct_property = "${meta.rack}"\n value = "0"', why: 'distinct_property count below 1' },
  ];
  for (const { body, why } of bad) {
    test(`rejects a ${why}`, async () => {
      assert.deepEqual(errorCodes(await parse(wrap({ job: `constraint {\n ${body}\n }` }))), ['INVALID_CONSTRAINT']);
    });
  }
});
