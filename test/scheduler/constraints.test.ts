import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConstraintOperator } from '../../src/jobspec/types.js';
import { checkOrder, constraintString, datacenterMatches, meetsConstraint, resolveTarget } from '../../src/scheduler/constraints.js';
import { constraint, node } from './builders.js';

const n = node({
  nodeClass: 'gpu',
  meta: { rack: 'r1', tags: 'ssd, fast,ipv6', zero: '' },
  attributes: {
    'kernel.name': 'linux',
    'kernel.version': '5.15.0-91-generic',
    'cpu.numcores': '8',
    'cpu.frequency': '2000.5',
    'driver.rkt.version': '1.30.0',
    'driver.docker.version': '24.0.7-rc.1',
    'os.version': '22.04',
    'unique.hostname': 'node1',
  },
});

// [attribute, operator, value, expected]
const cases: readonly (readonly [string, ConstraintOperator, string, boolean])[] = [
  ['${attr.kernel.name}', '=', 'linux', true],
  ['${attr.kernel.name}', '=', 'windows', false],
  ['${attr.missing}', '=', '', false],
  ['${attr.kernel.name}', '!=', 'windows', true],
  ['${attr.kernel.name}', '!=', 'linux', false],
  ['${attr.missing}', '!=', 'linux', true],
  // ordering: integers, then floats, then bytes
  ['${attr.cpu.numcores}', '>', '4', true],
  ['${attr.cpu.numcores}', '<', '10', true],
  ['${attr.cpu.numcores}', '>=', '8', true],
  ['${attr.cpu.numcores}', '<=', '7', false],
  ['${attr.cpu.frequency}', '>', '2000', true],
  ['${attr.cpu.frequency}', '<', '1e4', true],
  ['${attr.os.version}', '>=', '20.04', true],
  ['${attr.kernel.name}', '<', 'windows', true],
  ['${attr.kernel.name}', '>', 'Linux', true],
  ['${attr.missing}', '<', 'z', false],
  // regexp
  ['${attr.kernel.version}', 'regexp', '^5\\.15', true],
  ['${attr.kernel.version}', 'regexp', 'generic$', true],
  ['${attr.kernel.version}', 'regexp', '^6', false],
  ['${attr.kernel.name}', 'regexp', '(?i)LINUX', true],
  ['${attr.kernel.name}', 'regexp', '([', false],
  ['${attr.kernel.version}', 'regexp', '^5\\.15\\.0\\-91', true],
  // version and semver
  ['${attr.driver.rkt.version}', 'version', '>= 1.2, < 2.0', true],
  ['${attr.driver.rkt.version}', 'version', '~> 1.2', true],
  ['${attr.driver.rkt.version}', 'version', '~> 1.2.3', false],
  ['${attr.driver.docker.version}', 'version', '>= 20.0', false],
  ['${attr.driver.docker.version}', 'semver', '>= 20.0', true],
  ['${attr.missing}', 'version', '>= 0.1', false],
  // sets
  ['${meta.tags}', 'set_contains', 'ssd,ipv6', true],
  ['${meta.tags}', 'set_contains', 'ssd,hdd', false],
  ['${meta.tags}', 'set_contains_all', 'fast', true],
  ['${meta.tags}', 'set_contains_any', 'hdd, fast', true],
  ['${meta.tags}', 'set_contains_any', 'hdd,nvme', false],
  // is_set / is_not_set
  ['${meta.rack}', 'is_set', '', true],
  ['${meta.zero}', 'is_set', '', true],
  ['${meta.nope}', 'is_set', '', false],
  ['${meta.nope}', 'is_not_set', '', true],
  ['${meta.rack}', 'is_not_set', '', false],
  // node targets, literals on the left, targets on the right
  ['${node.class}', '=', 'gpu', true],
  ['${node.datacenter}', '=', 'dc1', true],
  ['${node.region}', '=', 'global', true],
  ['${node.unique.name}', '=', 'node1', true],
  ['${node.unique.id}', 'regexp', '^c754da1f-', true],
  ['${node.unique.name}', '=', '${attr.unique.hostname}', true],
  ['${node.bogus}', 'is_set', '', false],
  ['linux', '=', '${attr.kernel.name}', true],
  // distinct_* are not node properties
  ['', 'distinct_hosts', '', true],
  ['${meta.rack}', 'distinct_property', '1', true],
];

describe('meetsConstraint', () => {
  for (const [attribute, op, value, want] of cases) {
    test(`${attribute} ${op} ${value} → ${want}`, () => assert.equal(meetsConstraint(constraint(attribute, op, value), n), want));
  }
});

describe('resolveTarget', () => {
  test('literal, found, missing', () => {
    assert.deepEqual(resolveTarget('x', n), { value: 'x', found: true });
    assert.deepEqual(resolveTarget('${meta.rack}', n), { value: 'r1', found: true });
    assert.deepEqual(resolveTarget('${attr.nope}', n), { value: '', found: false });
  });
});

describe('checkOrder', () => {
  test('integers compare as numbers, not text', () => {
    assert.equal(checkOrder('<', '9', '10'), true);
    assert.equal(checkOrder('<', '9', '10a'), false);
    assert.equal(checkOrder('<', '-5', '3'), true);
    assert.equal(checkOrder('<', '1.5', '10'), true);
  });
});

describe('constraintString', () => {
  test("Nomad's String(): spaces kept", () => {
    assert.equal(constraintString(constraint('${attr.kernel.name}', '=', 'windows')), '${attr.kernel.name} = windows');
    assert.equal(constraintString(constraint('${meta.x}', 'is_set')), '${meta.x} is_set ');
  });
});

describe('datacenterMatches', () => {
  const cases: readonly (readonly [readonly string[], string, boolean])[] = [
    [['dc1'], 'dc1', true],
    [['dc2'], 'dc1', false],
    [['*'], 'anything', true],
    [['dc*'], 'dc1', true],
    [['dc*'], 'east-1', false],
    [['*-1'], 'east-1', true],
    [['e*t*1'], 'east-1', true],
    [['e*t*1'], 'et1', true],
    [['e*x*1'], 'east-1', false],
    [['us-*', 'dc1'], 'dc1', true],
    [[], 'dc1', false],
  ];
  for (const [patterns, dc, want] of cases) {
    test(`${JSON.stringify(patterns)} ${dc}`, () => assert.equal(datacenterMatches(patterns, dc), want));
  }
});
