import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cliPath } from '../helpers/paths.js';
import { cli, jobStatus, sandboxes, startAgent, statusJson, waitFor } from '../helpers/agent.js';
import { PARAM_JOB } from '../helpers/jobs.js';


interface Children { Children: { ID: string; Status: string }[]; Summary: { Pending: number; Running: number; Dead: number } }

describe('parameterized jobs and dispatch (raw_exec, real agent)', () => {
  const box = sandboxes('bivouac-dispatch-');

  test('dispatch with payload and meta while the agent is down; the child runs when the agent starts; refusals name the rule', async () => {
    const sb = box();
    let agent = startAgent(sb);
    try {
      sb.writeJob('proc.nomad', PARAM_JOB);
      await waitFor('parent registered', () => jobStatus(sb, 'proc'));
      assert.equal(jobStatus(sb, 'proc')?.Allocations.length, 0);
      await agent.stop();

      const payload = join(sb.root, 'payload.txt');
      writeFileSync(payload, 'hello payload\n');
      const r = cli(['job', 'dispatch', '--data-dir', sb.dataDir, '-meta', 'input=x1', 'proc', payload]);
      assert.equal(r.code, 0, r.stderr);
      const id = /^Dispatched Job ID = (\S+)$/m.exec(r.stdout)?.[1] ?? '';
      assert.match(id, /^proc\/dispatch-\d+-[0-9a-f]{8}$/);

      // Refusals, with Nomad's words.
      const refuse = (args: string[], input?: string): string => {
        const x = spawnSync(process.execPath, [cliPath, 'job', 'dispatch', '--data-dir', sb.dataDir, ...args], { input: input ?? '', encoding: 'utf8' });
        assert.equal(x.status, 1, x.stdout);
        return x.stderr;
      };
      assert.match(refuse(['proc']), /Failed to dispatch job: Dispatch did not provide required meta keys: \[input\]/);
      assert.match(refuse(['-meta', 'input=1', '-meta', 'color=red', 'proc']), /Dispatch request included unpermitted metadata keys: \[color\]/);
      assert.match(refuse(['-meta', 'input=1', 'proc', '-'], 'x'.repeat(16 * 1024 + 1)), /Payload exceeds maximum size; 16385 > 16384/);
      sb.writeJob('svc.nomad', 'job "plain" {\n type = "batch"\n group "g" {\n task "t" {\n driver = "raw_exec"\n config {\n command = "/bin/true"\n }\n }\n }\n}\n');

      agent = startAgent(sb);
      const done = await waitFor('dispatched child complete', () => {
        const a = jobStatus(sb, id)?.Allocations[0];
        return a?.ClientStatus === 'complete' ? a : null;
      }, 30_000);
      const out = readFileSync(join(sb.dataDir, 'alloc', done.ID, 'alloc', 'logs', 't.stdout.0'), 'utf8');
      assert.equal(out, 'hello payload\ninput=x1 team=a\n');
      await waitFor('plain registered', () => jobStatus(sb, 'plain'));
      assert.match(refuse(['plain']), /Specified job "plain" is not a parameterized job/);

      // Dispatch through stdin while the agent runs: it notices the new row without a rescan.
      const s = spawnSync(process.execPath, [cliPath, 'job', 'dispatch', '--data-dir', sb.dataDir, '-meta=input=x2', '-meta', 'mode=fast', 'proc', '-'], { input: 'from stdin', encoding: 'utf8' });
      assert.equal(s.status, 0, s.stderr);
      const id2 = /Dispatched Job ID = (\S+)/.exec(s.stdout)?.[1] ?? '';
      const done2 = await waitFor('second child complete', () => {
        const a = jobStatus(sb, id2)?.Allocations[0];
        return a?.ClientStatus === 'complete' ? a : null;
      }, 30_000);
      assert.equal(readFileSync(join(sb.dataDir, 'alloc', done2.ID, 'alloc', 'logs', 't.stdout.0'), 'utf8'), 'from stdininput=x2 team=a\n');

      const parent = statusJson<{ Children: Children }>(sb, 'proc').Children;
      assert.deepEqual(parent.Children.map((c) => c.ID).sort(), [id, id2].sort());
      assert.equal(parent.Summary.Dead, 2);
      const text = cli(['status', '--data-dir', sb.dataDir, 'proc']).stdout;
      assert.match(text, /Parameterized Job\nPayload\s+= optional\nRequired Metadata = input\nOptional Metadata = mode/);
      assert.match(text, /Dispatched Jobs\nID\s+Status\nproc\/dispatch-/);
    } finally {
      await agent.stop();
    }
  });
});
