import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, jobStatus, sandboxes, startAgent, statusJson, waitFor, type Sandbox } from '../helpers/agent.js';
import { shTask } from '../helpers/jobs.js';

function periodicJob(id: string, cron: string, script: string, extra = ''): string {
  return `job "${id}" {
  type = "batch"
  periodic {
    cron = "${cron}"
    ${extra}
  }
  group "g" {
    ${shTask(script)}
  }
}
`;
}

interface Children {
  Kind: string;
  NextPeriodicLaunch: number;
  Summary: { Pending: number; Running: number; Dead: number };
  Children: { ID: string; Status: string; SubmitTime: number }[];
}
const children = (sb: Sandbox, id: string): Children => (statusJson<{ Children: Children }>(sb, id)).Children;
const launchSecond = (childId: string): number => Number(/periodic-(\d+)$/.exec(childId)?.[1]);

describe('periodic jobs (raw_exec, real agent)', () => {
  const box = sandboxes('bivouac-periodic-');

  test('a 7-field spec (*/15 seconds) launches children named <parent>/periodic-<unix seconds> on its times; the parent never runs itself', async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      // A 15 s period, so that the generous bound on a launch's lateness below (10 s, for a
      // loaded machine) still tells a launch at its second from one a period later.
      sb.writeJob('tick.nomad', periodicJob('tick', '*/15 * * * * * *', 'echo tick'));
      const c = await waitFor('two children', () => {
        const x = children(sb, 'tick');
        return x.Children.length >= 2 ? x : null;
      }, 90_000);
      const secs = c.Children.map((x) => launchSecond(x.ID));
      for (const s of secs) assert.equal(s % 15, 0, `launch second ${s} is on the spec`);
      assert.equal(secs[1] - secs[0], 15);
      for (const x of c.Children) assert.match(x.ID, /^tick\/periodic-\d+$/);
      // Launched at its second, not a period later (10 s: generous for a loaded machine, under the 15 s period).
      for (const x of c.Children) {
        const late = x.SubmitTime / 1e6 - launchSecond(x.ID) * 1000;
        assert.ok(late < 10_000, `${x.ID} submitted ${Math.round(late)} ms after its second`);
      }
      assert.equal(jobStatus(sb, 'tick')?.Allocations.length, 0);
      await waitFor('a child completed', () => children(sb, 'tick').Summary.Dead >= 1, 30_000);
      const first = c.Children[0].ID;
      const st = jobStatus(sb, first);
      assert.equal(st?.Allocations[0]?.ClientStatus, 'complete');
      const text = cli(['status', '--data-dir', sb.dataDir, 'tick']).stdout;
      assert.match(text, /Periodic\s+= true/);
      assert.match(text, /Next Periodic Launch = \S+Z \(\d+s from now\)/);
      assert.match(text, /Children Job Summary\nPending\s+Running\s+Dead/);
      assert.match(text, /Previously Launched Jobs\nID\s+Status\ntick\/periodic-\d+/);
      const logs = join(sb.dataDir, 'alloc', st?.Allocations[0]?.ID ?? '', 'alloc', 'logs', 't.stdout.0');
      assert.equal(readFileSync(logs, 'utf8'), 'tick\n');
    } finally {
      await agent.stop();
    }
  });

  test('prohibit_overlap skips a launch while a child runs; job periodic force launches one now', async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      sb.writeJob('slow.nomad', periodicJob('slow', '* * * * * * *', 'sleep 4', 'prohibit_overlap = true'));
      await waitFor('a child running', () => children(sb, 'slow').Summary.Running >= 1, 30_000);
      await waitFor('it finished', () => children(sb, 'slow').Summary.Dead >= 1, 30_000);
      const c = children(sb, 'slow');
      // A 1-second spec with 4-second runs: never two at once, so launches are spaced by the run.
      const secs = c.Children.map((x) => launchSecond(x.ID)).sort((a, b) => a - b);
      for (let i = 1; i < secs.length; i++) assert.ok(secs[i] - secs[i - 1] >= 4, `launches ${secs.join(',')}`);
      assert.match(agent.output(), /skipping launch of periodic job because job prohibits overlap/);

      sb.writeJob('rare.nomad', periodicJob('rare', '0 0 1 1 * 2099', 'echo forced'));
      await waitFor('rare registered', () => jobStatus(sb, 'rare'));
      const r = cli(['job', 'periodic', 'force', '--data-dir', sb.dataDir, 'rare']);
      assert.equal(r.code, 0, r.stderr);
      const id = /Dispatched Job ID = (\S+)/.exec(r.stdout)?.[1] ?? '';
      assert.match(id, /^rare\/periodic-\d+$/);
      await waitFor('forced child complete', () => jobStatus(sb, id)?.Allocations[0]?.ClientStatus === 'complete', 30_000);
    } finally {
      await agent.stop();
    }
  });

  test('launches missed while the agent was down: exactly one catch-up launch at start', async () => {
    const sb = box();
    let agent = startAgent(sb);
    try {
      sb.writeJob('m.nomad', periodicJob('m', '* * * * * * *', 'echo m'));
      await waitFor('a first child', () => children(sb, 'm').Children.length >= 1, 30_000);
      await agent.stop();
      const before = children(sb, 'm').Children.length;
      const stoppedAt = Date.now();
      await waitFor('several launch times missed', () => Date.now() > stoppedAt + 3500, 10_000);
      agent = startAgent(sb);
      await waitFor('a catch-up child', () => children(sb, 'm').Children.length > before, 30_000);
      const after = children(sb, 'm').Children;
      // The one launched at start has a second after the agent came back, not one per missed second.
      const missed = after.filter((x) => launchSecond(x.ID) * 1000 > stoppedAt && launchSecond(x.ID) * 1000 < stoppedAt + 3000);
      assert.deepEqual(missed, []);
    } finally {
      await agent.stop();
    }
  });

  test('children history is bounded: older finished children lose their rows and alloc dirs', async () => {
    const sb = box();
    const config = join(sb.root, 'agent.hcl');
    writeFileSync(config, 'bivouac {\n  children_history = 2\n}\n');
    const agent = startAgent(sb, ['--config', config]);
    try {
      sb.writeJob('gc.nomad', periodicJob('gc', '* * * * * * *', 'echo gc'));
      const first = await waitFor('a first child complete', () => {
        const c = children(sb, 'gc').Children[0];
        const a = c ? jobStatus(sb, c.ID)?.Allocations[0] : undefined;
        return a?.ClientStatus === 'complete' ? { job: c.ID, alloc: a.ID } : null;
      }, 30_000);
      const dir = join(sb.dataDir, 'alloc', first.alloc);
      assert.ok(existsSync(dir));
      await waitFor('the first child collected', () => jobStatus(sb, first.job) === null && !existsSync(dir), 30_000);
      // The newest children stay.
      assert.ok(children(sb, 'gc').Children.length >= 2);
    } finally {
      await agent.stop();
    }
  });
});
