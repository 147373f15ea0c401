import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { allocStatus, cli, jobStatus, sandboxes, startAgent, waitFor, type AllocJson, type Sandbox } from '../helpers/agent.js';
import { shTask } from '../helpers/jobs.js';

const NS = 1e6;

function failingJob(id: string, script: string, reschedule: string): string {
  return `job "${id}" {
  group "g" {
    restart {
      attempts = 0
      mode = "fail"
    }
    reschedule {
      ${reschedule}
    }
    ${shTask(script)}
  }
}
`;
}

interface Resched {
  PreviousAllocation: string;
  NextAllocation: string;
  RescheduleTracker: { Events: { RescheduleTime: number; PrevAllocID: string; Delay: number }[] } | null;
  RescheduleInfo: { Attempts: number; Total: number; EligibleAt: number };
  CreateTime: number;
  ModifyTime: number;
}
type Full = AllocJson & Resched;
const full = (sb: Sandbox, id: string): Full => allocStatus(sb, id) as Full;
const allocs = (sb: Sandbox, job: string): Full[] => (jobStatus(sb, job)?.Allocations ?? []).map((a) => full(sb, a.ID));

describe('rescheduling (raw_exec, real agent)', () => {
  const box = sandboxes('bivouac-resched-');

  test('a failing service is replaced after its delay, growing exponentially; the chain is linked both ways', async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      sb.writeJob('crash.nomad', failingJob('crash', 'exit 1', 'delay = "5s"\n      delay_function = "exponential"\n      max_delay = "1m"\n      unlimited = true'));
      // The original (no predecessor) failed with a reschedule due, or already replaced: each
      // poll spawns CLI processes, so on a loaded machine the 5 s while it is due can pass
      // unobserved. That the replacement came, after the delay, is asserted below.
      const first = await waitFor('first alloc failed with a reschedule due or done', () => {
        const a = allocs(sb, 'crash').find((x) => x.PreviousAllocation === '');
        return a && a.ClientStatus === 'failed' && (a.RescheduleInfo.EligibleAt > 0 || a.NextAllocation !== '') ? a : null;
      }, 30_000);

      const third = await waitFor('third alloc', () => {
        const list = allocs(sb, 'crash');
        return list.length >= 3 ? list : null;
      }, 60_000);
      const [a3, a2, a1] = [...third].sort((x, y) => y.CreateTime - x.CreateTime);
      assert.equal(a1.ID, first.ID);
      assert.equal(a1.NextAllocation, a2.ID);
      assert.equal(a2.PreviousAllocation, a1.ID);
      assert.equal(a2.NextAllocation, a3.ID);
      assert.equal(a3.PreviousAllocation, a2.ID);
      assert.deepEqual(a2.RescheduleTracker?.Events.map((e) => [e.PrevAllocID, e.Delay / NS]), [[a1.ID, 5000]]);
      assert.deepEqual(a3.RescheduleTracker?.Events.map((e) => [e.PrevAllocID, e.Delay / NS]), [[a1.ID, 5000], [a2.ID, 10000]]);
      // The delay is honoured: each replacement is made no sooner than its predecessor failed plus the delay.
      assert.ok(a2.CreateTime - a1.ModifyTime >= 5000 * NS);
      assert.ok(a3.CreateTime - a2.ModifyTime >= 10000 * NS);
      const text2 = cli(['alloc', 'status', '--data-dir', sb.dataDir, a1.ID]).stdout;
      assert.match(text2, new RegExp(`Replacement Alloc ID\\s+= ${a2.ID.slice(0, 8)}`));
    } finally {
      await agent.stop();
    }
  });

  test('kill -9 while a reschedule is due: exactly one replacement after the restart', async () => {
    const sb = box();
    let agent = startAgent(sb);
    try {
      const marker = join(sb.root, 'failed-once');
      // Fails the first time only, so the replacement stays up and the count is exact.
      const script = `if [ -f ${marker} ]; then exec sleep 300; else touch ${marker}; exit 1; fi`;
      // A 15 s delay: the agent must be killed while the reschedule is due, so the polls below
      // (each spawns CLI processes) must see that state on a loaded machine too.
      sb.writeJob('once.nomad', failingJob('once', script, 'delay = "15s"\n      delay_function = "constant"\n      attempts = 3\n      interval = "1h"\n      unlimited = false'));
      const first = await waitFor('failed with a reschedule due', () => {
        const [a] = allocs(sb, 'once');
        return a && a.ClientStatus === 'failed' && a.RescheduleInfo.EligibleAt > 0 ? a : null;
      }, 30_000);
      await agent.kill9();
      const due = first.RescheduleInfo.EligibleAt / NS;
      await waitFor('the due time passed while the agent was down', () => Date.now() > due + 500, 60_000);
      agent = startAgent(sb);
      const replaced = await waitFor('replacement running', () => {
        const list = allocs(sb, 'once');
        const r = list.find((a) => a.PreviousAllocation === first.ID);
        return r && r.ClientStatus === 'running' ? list : null;
      }, 30_000);
      await agent.stop();
      agent = startAgent(sb);
      await waitFor('agent re-attached', () => agent.output().includes('task re-attached'), 30_000);
      const after = allocs(sb, 'once');
      assert.equal(after.length, 2, JSON.stringify(after.map((a) => [a.ID, a.ClientStatus])));
      assert.equal(replaced.filter((a) => a.PreviousAllocation === first.ID).length, 1);
      const r = after.find((a) => a.PreviousAllocation === first.ID) as Full;
      assert.deepEqual(r.RescheduleInfo, { Attempts: 1, Total: 3, EligibleAt: 0 });
      assert.match(cli(['alloc', 'status', '--data-dir', sb.dataDir, r.ID]).stdout, /Reschedule Attempts\s+= 1\/3/);
    } finally {
      await agent.stop();
    }
  });

  test('while a reschedule is due the job is pending; a job update cancels it', async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      sb.writeJob('upd.nomad', failingJob('upd', 'exit 1', 'delay = "1h"\n      delay_function = "constant"\n      unlimited = true'));
      const first = await waitFor('failed with a reschedule due', () => {
        const [a] = allocs(sb, 'upd');
        return a && a.ClientStatus === 'failed' && a.RescheduleInfo.EligibleAt > 0 ? a : null;
      }, 30_000);
      // While the reschedule is due (an hour away) the job reads pending, not dead, and alloc status says when
      // (`1h` when the status runs within half a second of the failure: the time is rounded to seconds).
      assert.equal(jobStatus(sb, 'upd')?.Job.Status, 'pending');
      assert.match(cli(['alloc', 'status', '--data-dir', sb.dataDir, first.ID]).stdout, /Reschedule Eligibility\s+= (59m\d+s|1h) from now/);
      sb.writeJob('upd.nomad', failingJob('upd', 'exec sleep 300', 'delay = "1h"\n      delay_function = "constant"\n      unlimited = true'));
      await waitFor('new version running', () => allocs(sb, 'upd').find((a) => a.JobVersion === 1 && a.ClientStatus === 'running'), 30_000);
      const old = full(sb, first.ID);
      assert.equal(old.RescheduleInfo.EligibleAt, 0);
      assert.equal(old.NextAllocation, '');
    } finally {
      await agent.stop();
    }
  });
});
