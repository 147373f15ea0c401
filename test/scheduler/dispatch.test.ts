import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatchProblems } from '../../src/scheduler/dispatch.js';
import { childJob, dispatchChildId, periodicChildId } from '../../src/scheduler/children.js';
import { job } from './builders.js';

const parent = job({ id: 'p', type: 'batch', meta: { team: 'a' }, parameterized: { payload: 'optional', metaRequired: ['input'], metaOptional: ['mode'] } });

test('dispatch rules in Nomad words', () => {
  assert.deepEqual(dispatchProblems(parent, { input: '1' }, null), []);
  assert.deepEqual(dispatchProblems(parent, { input: '1', mode: 'x' }, Buffer.from('x')), []);
  assert.deepEqual(dispatchProblems(parent, {}, null), ['Dispatch did not provide required meta keys: [input]']);
  assert.deepEqual(dispatchProblems(parent, { input: '1', z: '1', b: '2' }, null), ['Dispatch request included unpermitted metadata keys: [b z]']);
  assert.deepEqual(dispatchProblems(parent, { input: '1' }, Buffer.alloc(16 * 1024 + 1)), ['Payload exceeds maximum size; 16385 > 16384']);
  assert.deepEqual(dispatchProblems(parent, { input: '1' }, Buffer.alloc(16 * 1024)), []);
  const forbidden = job({ ...parent, parameterized: { payload: 'forbidden', metaRequired: [], metaOptional: [] } });
  assert.deepEqual(dispatchProblems(forbidden, {}, Buffer.from('x')), ['Payload is not allowed']);
  const required = job({ ...parent, parameterized: { payload: 'required', metaRequired: [], metaOptional: [] } });
  assert.deepEqual(dispatchProblems(required, {}, null), ['Payload is not provided']);
  assert.deepEqual(dispatchProblems(job({ id: 'plain' }), {}, null), ['Specified job "plain" is not a parameterized job']);
});

test('child IDs and specs as Nomad derives them', () => {
  assert.equal(periodicChildId('cron', 1_700_000_000_999), 'cron/periodic-1700000000');
  assert.equal(dispatchChildId('p', 1_485_411_581_000, '0b6d9d27'), 'p/dispatch-1485411581-0b6d9d27');
  const c = childJob(parent, 'p/dispatch-1-abcdef01', { input: 'x', team: 'b' });
  assert.equal(c.id, 'p/dispatch-1-abcdef01');
  assert.equal(c.name, c.id);
  assert.equal(c.parameterized, null);
  assert.equal(c.periodic, null);
  assert.deepEqual(c.meta, { team: 'b', input: 'x' });
  assert.deepEqual(c.groups, parent.groups);
});
