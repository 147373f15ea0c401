import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { jobStatus, sandboxes, startAgent, taskLeaderPids, waitFor, type AllocJson, type Sandbox } from '../helpers/agent.js';
import { shTask } from '../helpers/jobs.js';

/** A raw_exec service that sleeps; `mark` goes into its env, so a new mark is a destructive change. */
function sleeper(id: string, mark: string, script = 'exec sleep 300'): string {
  return `job "${id}" {
  group "g" {
    restart {
      attempts = 0
      mode     = "fail"
    }
    ${shTask(script, `kill_timeout = "2s"
      env {
        MARK = "${mark}"
      }`)}
  }
}
`;
}

function running(sb: Sandbox, job: string): { ID: string; JobVersion: number } | undefined {
  return jobStatus(sb, job)?.Allocations.find((a) => a.ClientStatus === 'running' && a.DesiredStatus === 'run');
}

async function runningOther(sb: Sandbox, job: string, notId: string): Promise<{ ID: string; JobVersion: number }> {
  return waitFor(`${job} replaced`, () => {
    const a = running(sb, job);
    return a && a.ID !== notId ? a : null;
  }, 60_000);
}

/** What an untouched job must keep: its allocations (IDs, statuses, indexes) and its task's process. */
function fingerprint(sb: Sandbox, job: string): string {
  const s = jobStatus(sb, job);
  // ModifyIndex moves with any write to the allocation's row, its task states or events.
  const allocs = (s?.Allocations ?? []) as (AllocJson & { ModifyIndex?: number })[];
  assert.ok(allocs.every((a) => typeof a.ModifyIndex === 'number'));
  return JSON.stringify(allocs.map((a) => [a.ID, a.ClientStatus, a.DesiredStatus, a.ModifyIndex]));
}

describe('targeted passes (raw_exec, real agent)', () => {
  const box = sandboxes('bivouac-targeted-');

  test('a changed file replaces its job beside running jobs, which are not disturbed; after kill -9 a change made while down is reconciled', async () => {
    const sb = box();
    let agent = startAgent(sb);
    try {
      for (const id of ['a', 'b', 'c']) sb.writeJob(`${id}.nomad`, sleeper(id, 'one'));
      const first = await waitFor('all three running', () => {
        const r = ['a', 'b', 'c'].map((id) => running(sb, id));
        return r.every((x) => x !== undefined) ? r : null;
      }, 60_000);
      const [a0, b0, c0] = first.map((x) => x?.ID ?? '');
      const pids = { a: taskLeaderPids(a0), c: taskLeaderPids(c0) };
      const untouched = { a: fingerprint(sb, 'a'), c: fingerprint(sb, 'c') };

      sb.writeJob('b.nomad', sleeper('b', 'two'));
      const b1 = await runningOther(sb, 'b', b0);
      assert.equal(b1.JobVersion, 1);
      assert.equal(fingerprint(sb, 'a'), untouched.a);
      assert.equal(fingerprint(sb, 'c'), untouched.c);
      assert.deepEqual(taskLeaderPids(a0), pids.a);
      assert.deepEqual(taskLeaderPids(c0), pids.c);

      // The crash: the agent dies between passes, a file changes while it is down.
      await agent.kill9();
      sb.writeJob('a.nomad', sleeper('a', 'two'));
      agent = startAgent(sb);
      const a1 = await runningOther(sb, 'a', a0);
      assert.equal(a1.JobVersion, 1);
      // Nothing started twice: one live allocation each, b's replacement and c kept.
      for (const id of ['a', 'b', 'c']) {
        const live = jobStatus(sb, id)?.Allocations.filter((x) => x.DesiredStatus === 'run' && (x.ClientStatus === 'running' || x.ClientStatus === 'pending')) ?? [];
        assert.equal(live.length, 1, `${id}: ${JSON.stringify(live)}`);
      }
      assert.equal(running(sb, 'b')?.ID, b1.ID);
      assert.equal(running(sb, 'c')?.ID, c0);
      assert.deepEqual(taskLeaderPids(c0), pids.c);
    } finally {
      await agent.stop();
    }
  });
});
