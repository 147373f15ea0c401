import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReschedulePolicy } from '../../src/jobspec/types.js';
import { attemptsInInterval, decideReschedule, nextDelay, type RescheduleEvent } from '../../src/scheduler/reschedule.js';

const S = 1000;
const service: ReschedulePolicy = { attempts: 0, intervalMs: 0, delayMs: 30 * S, delayFunction: 'exponential', maxDelayMs: 3600 * S, unlimited: true };
const batch: ReschedulePolicy = { attempts: 1, intervalMs: 86_400 * S, delayMs: 5 * S, delayFunction: 'constant', maxDelayMs: 0, unlimited: false };
const ev = (t: number, delayMs: number): RescheduleEvent => ({ rescheduleTime: t, prevAllocId: 'a', prevNodeId: 'n', delayMs });

describe('decideReschedule (Nomad RescheduleEligible + NextRescheduleTime)', () => {
  const rows: readonly (readonly [string, ReschedulePolicy | null, readonly RescheduleEvent[], number, number | null])[] = [
    ['no policy (system job)', null, [], 1000, null],
    ['disabled: attempts 0, not unlimited', { ...batch, attempts: 0 }, [], 1000, null],
    ['first failure: the delay', service, [], 1000, 1000 + 30 * S],
    ['batch: first failure after 5s', batch, [], 1000, 1000 + 5 * S],
    ['batch: one attempt used within 24h', batch, [ev(1000, 5 * S)], 60 * S, null],
    ['batch: the attempt fell out of the interval', batch, [ev(0, 5 * S)], 86_401 * S, 86_401 * S + 5 * S],
    ['unlimited keeps going', service, [ev(0, 30 * S), ev(40 * S, 60 * S), ev(110 * S, 120 * S)], 200 * S, 200 * S + 240 * S],
  ];
  for (const [name, policy, events, failedAt, due] of rows) {
    test(name, () => {
      const d = decideReschedule({ policy, events, failedAt });
      assert.equal(d.reschedule ? d.dueAt : null, due);
    });
  }

  test('reasons', () => {
    assert.deepEqual(decideReschedule({ policy: null, events: [], failedAt: 0 }), { reschedule: false, reason: 'disabled' });
    assert.deepEqual(decideReschedule({ policy: batch, events: [ev(0, 5 * S)], failedAt: 10 * S }), { reschedule: false, reason: 'attempts exhausted' });
  });
});

describe('nextDelay (Nomad NextDelay)', () => {
  test('exponential doubles and caps at max_delay', () => {
    const p: ReschedulePolicy = { ...service, delayMs: 5 * S, maxDelayMs: 20 * S };
    assert.equal(nextDelay(p, [], 0), 5 * S);
    assert.equal(nextDelay(p, [ev(0, 5 * S)], 6 * S), 10 * S);
    assert.equal(nextDelay(p, [ev(0, 5 * S), ev(6 * S, 10 * S)], 17 * S), 20 * S);
    assert.equal(nextDelay(p, [ev(0, 5 * S), ev(6 * S, 10 * S), ev(17 * S, 20 * S)], 30 * S), 20 * S);
  });

  test('at the cap, a failure long after the last reschedule starts over', () => {
    const p: ReschedulePolicy = { ...service, delayMs: 5 * S, maxDelayMs: 20 * S };
    assert.equal(nextDelay(p, [ev(0, 20 * S)], 100 * S), 5 * S);
  });

  test('fibonacci', () => {
    const p: ReschedulePolicy = { ...service, delayFunction: 'fibonacci', delayMs: 5 * S, maxDelayMs: 50 * S };
    assert.equal(nextDelay(p, [ev(0, 5 * S)], 1), 5 * S);
    assert.equal(nextDelay(p, [ev(0, 5 * S), ev(1, 5 * S)], 2), 10 * S);
    assert.equal(nextDelay(p, [ev(0, 5 * S), ev(1, 10 * S)], 2), 15 * S);
    // A series reset at the ceiling (max then delay) starts again from the delay.
    assert.equal(nextDelay(p, [ev(0, 50 * S), ev(1, 5 * S)], 2), 5 * S);
  });

  test('constant', () => {
    assert.equal(nextDelay(batch, [ev(0, 5 * S), ev(10, 5 * S)], 20), 5 * S);
  });
});

test('attemptsInInterval counts reschedules inside the interval only', () => {
  const p: ReschedulePolicy = { ...batch, attempts: 3, intervalMs: 60 * S };
  assert.equal(attemptsInInterval(p, [ev(0, 1), ev(30 * S, 1), ev(50 * S, 1)], 70 * S), 2);
  assert.equal(attemptsInInterval(service, [ev(0, 1)], 1), 0);
});
