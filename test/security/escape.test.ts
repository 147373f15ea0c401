/**
 * Names and paths that would escape the data dir: rejected at parse, or refused at task
 * setup; never followed. Each test plants a target outside the data dir and checks it was
 * never written, and that the data dir holds nothing but its own tree.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { allocStatus, jobStatus, sandboxes, startAgent, waitFor } from '../helpers/agent.js';
import { fileErrorFiles } from '../fuzz/agent-fuzz.js';
import { treeState } from './helpers.js';

function job(id: string, group: string, task: string, script = 'exec sleep 600', restart = ''): string {
  return `job ${JSON.stringify(id)} {
  group ${JSON.stringify(group)} {
    ${restart}
    task ${JSON.stringify(task)} {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args = ["-c", ${JSON.stringify(script)}]
      }
      resources {
        cpu = 20
        memory = 16
      }
    }
  }
}
`;
}

const ONCE = 'restart {\n      attempts = 1\n      interval = "10m"\n      delay = "100ms"\n      mode = "fail"\n    }';

describe('escapes', () => {
  const box = sandboxes('bivouac-esc-');

  test('job, group and task names with ../, /, absolute paths, NUL and the reserved alloc are file errors; nothing is created', async () => {
    const sb = box();
    const outside = join(sb.root, 'outside');
    mkdirSync(outside);
    const agent = startAgent(sb);
    try {
      const cases: [string, string, string][] = [
        ['a', 'g', '../../../outside/t1'],
        ['b', '../../outside/g2', 't'],
        ['c', 'g', '/etc/cron.d/t3'],
        ['../outside/j4', 'g', 't'],
        ['e', 'g', 'x/y'],
        ['f', 'g', '..'],
        ['h', 'g', 'a\u0000b'],
        // The shared alloc/ dir's own name: a task so named would share its directory.
        ['i', 'g', 'alloc'],
      ];
      cases.forEach(([j, g, t], i) => sb.writeJob(`esc${i}.nomad`, job(j, g, t)));
      const errs = await waitFor('a file error for each', () => {
        const e = fileErrorFiles(sb.dataDir);
        return cases.every((_, i) => e.has(`esc${i}.nomad`)) ? e : null;
      }, 60_000);
      assert.equal(errs.size >= cases.length, true);
      assert.deepEqual(readdirSync(outside), []);
      const allocs = existsSync(join(sb.dataDir, 'alloc')) ? readdirSync(join(sb.dataDir, 'alloc')) : [];
      assert.deepEqual(allocs, [], 'no allocation was made for any of them');
    } finally {
      await agent.stop();
    }
  });

  test('a symlink planted at <data>/alloc is refused at task setup, never followed', async () => {
    const sb = box();
    const outside = join(sb.root, 'outside');
    mkdirSync(outside);
    mkdirSync(sb.dataDir, { mode: 0o700 });
    symlinkSync(outside, join(sb.dataDir, 'alloc'));
    const before = treeState(outside);
    const agent = startAgent(sb);
    try {
      sb.writeJob('p.nomad', job('p', 'g', 't', 'exec sleep 600', ONCE));
      const a = await waitFor('alloc failed', () => jobStatus(sb, 'p')?.Allocations.find((x) => x.ClientStatus === 'failed'), 60_000);
      const ev = allocStatus(sb, a.ID).TaskStates.t.Events.find((e) => e.Type === 'Setup Failure');
      assert.match(ev?.DisplayMessage ?? '', /not a plain directory/);
      assert.deepEqual(treeState(outside), before, 'nothing was written through the link');
    } finally {
      await agent.stop();
    }
  });

  test('a task that swaps its local/ for a symlink fails its next setup; the target is untouched', async () => {
    const sb = box();
    const outside = join(sb.root, 'outside');
    mkdirSync(outside);
    const agent = startAgent(sb);
    try {
      const script = `rm -rf "$NOMAD_TASK_DIR" && ln -s ${outside} "$NOMAD_TASK_DIR"; exit 1`;
      sb.writeJob('l.nomad', job('l', 'g', 't', script, ONCE));
      const a = await waitFor('alloc failed', () => jobStatus(sb, 'l')?.Allocations.find((x) => x.ClientStatus === 'failed'), 60_000);
      const evs = allocStatus(sb, a.ID).TaskStates.t.Events;
      assert.match(evs.find((e) => e.Type === 'Setup Failure')?.DisplayMessage ?? '', /local is not a plain directory/);
      assert.deepEqual(readdirSync(outside), []);
    } finally {
      await agent.stop();
    }
  });

  test('a task that swaps its log file for a symlink does not get the agent to write through it', async () => {
    const sb = box();
    const outside = join(sb.root, 'outside');
    mkdirSync(outside);
    const agent = startAgent(sb);
    try {
      const log = '$NOMAD_ALLOC_DIR/logs/t.stdout.0';
      const script = `echo attempt; if [ -L "${log}" ]; then exit 1; fi; rm -f "${log}"; ln -s ${outside}/stolen "${log}"; exit 1`;
      sb.writeJob('g.nomad', job('lg', 'g', 't', script, ONCE));
      await waitFor('alloc failed', () => jobStatus(sb, 'lg')?.Allocations.find((x) => x.ClientStatus === 'failed'), 60_000);
      assert.deepEqual(readdirSync(outside), [], 'the second attempt\'s output went through the planted link');
    } finally {
      await agent.stop();
      rmSync(join(sb.root, 'outside'), { recursive: true, force: true });
    }
  });
});
