import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopDelay } from '../../src/agent/loop-delay.js';

const turn = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('LoopDelay: windows of the event-loop delay, one per reader', () => {
  test('a stretch that holds the loop shows in the next window of every reader', async () => {
    const d = new LoopDelay();
    try {
      assert.deepEqual(d.take('a'), { p50Ms: 0, p99Ms: 0, maxMs: 0 }, 'no samples yet');
      d.take('b');
      await turn(50);
      // Hold the loop for 200 ms: the histogram's 10 ms timer fires at least ~190 ms late.
      const end = performance.now() + 200;
      while (performance.now() < end) {
        // busy on purpose
      }
      await turn(50);
      const a = d.take('a');
      assert.ok(a.maxMs >= 150, `window a saw the stall: ${JSON.stringify(a)}`);
      assert.ok(a.p50Ms <= a.p99Ms && a.p99Ms <= a.maxMs);
      // b's window is its own: taking a did not reset it.
      assert.ok(d.take('b').maxMs >= 150);
    } finally {
      d.stop();
    }
  });

  test('sampling stops once the loop is quiet and a busy() starts it again: a stall after it is seen', async () => {
    const d = new LoopDelay({ checkMs: 50 });
    try {
      d.take('a');
      assert.equal(d.active, true, 'sampling from the start');
      const deadline = Date.now() + 30_000;
      while (d.active && Date.now() < deadline) await turn(20);
      assert.equal(d.active, false, 'a quiet loop stops sampling (no 10 ms timer while idle)');
      d.take('a');
      d.busy();
      assert.equal(d.active, true);
      const end = performance.now() + 200;
      while (performance.now() < end) {
        // busy on purpose
      }
      await turn(20);
      const a = d.take('a');
      assert.ok(a.maxMs >= 150, `the stall after busy() is in the window: ${JSON.stringify(a)}`);
    } finally {
      d.stop();
    }
  });
});
