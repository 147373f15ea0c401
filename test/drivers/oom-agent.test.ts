/**
 * OOM kills as the user sees them, through the real agent, for the drivers beyond exec
 * (test/e2e/exec.test.ts has exec's): `Terminated` with `Exit Message: "OOM Killed"`, the
 * `oom_killed` detail, the restart policy applied to it, `alloc status` showing it.
 *
 * - rkt (stand-in, fly stage1): the pod's cgroup carries the task's `memory`.
 * - raw_exec is not limited (as in Nomad), so its OOM comes from a limit above it: here the
 *   agent's own cgroup directory capped, as an operator capping the agent's unit would. The
 *   kernel counts the kill in the victim's own cgroup, which is what the driver reads.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { decodeTaskCgroup } from '../../src/cgroups/index.js';
import { closeState, getHandle, openState } from '../../src/state/index.js';
import { allocStatus, cli, jobStatus, sandbox, startAgent, waitFor, type AllocJson, type Sandbox } from '../helpers/agent.js';
import { makeRktSandbox, type RktSandbox } from '../helpers/rkt.js';

const MiB = 1024 * 1024;
const sandboxes: Sandbox[] = [];
const rkts: RktSandbox[] = [];
after(() => {
  sandboxes.forEach((s) => s.cleanup());
  rkts.forEach((r) => r.cleanup());
});

function box(): Sandbox {
  const sb = sandbox('bivouac-oom-');
  sandboxes.push(sb);
  return sb;
}

// Two attempts (one restart), then the allocation fails: the policy applied to an OOM kill.
const RESTART = 'restart {\n      attempts = 1\n      interval = "10m"\n      delay = "100ms"\n      mode = "fail"\n    }';

function job(id: string, driver: string, config: string, memory: number): string {
  return `job "${id}" {
  type = "batch"
  group "g" {
    ${RESTART}
    task "t" {
      driver = "${driver}"
      kill_timeout = "1s"
      config {
${config}
      }
      resources {
        cpu    = 50
        memory = ${memory}
      }
    }
  }
}
`;
}

const failedAlloc = (sb: Sandbox, id: string): AllocJson | undefined => jobStatus(sb, id)?.Allocations.find((a) => a.ClientStatus === 'failed');

/** The allocation ended failed after two OOM kills, each reported as Nomad reports one. */
function assertOomTwice(sb: Sandbox, a: AllocJson): void {
  const t = allocStatus(sb, a.ID).TaskStates.t;
  const terms = t.Events.filter((e) => e.Type === 'Terminated');
  assert.equal(terms.length, 2, JSON.stringify(t.Events));
  for (const e of terms) {
    assert.equal(e.DisplayMessage, 'Exit Code: 137, Signal: 9, Exit Message: "OOM Killed"');
    assert.equal(e.Details.oom_killed, 'true');
  }
  assert.deepEqual(t.Events.map((e) => e.Type).filter((x) => x === 'Restarting' || x === 'Not Restarting'), ['Restarting', 'Not Restarting']);
  assert.equal(t.Restarts, 1);
  assert.equal(t.Failed, true);
  const text = cli(['alloc', 'status', '--data-dir', sb.dataDir, a.ID]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Terminated\s+Exit Code: 137, Signal: 9, Exit Message: "OOM Killed"/);
}

describe('OOM killed tasks through the agent', () => {
  test('rkt (fly stage1) with memory = 64 allocating 200 MB: OOM Killed, restarted once, then failed', async () => {
    const sb = box();
    const rkt = makeRktSandbox({ stage1: 'fly' });
    rkts.push(rkt);
    const config = join(sb.root, 'agent.hcl');
    writeFileSync(config, `bivouac {\n  rkt_dir = ${JSON.stringify(rkt.dataDir)}\n}\n`);
    const agent = startAgent(sb, ['--config', config, '--rkt-path', rkt.rktPath]);
    try {
      const app = `        image   = "example.com/sh:1.0"\n        command = "/bin/sh"\n        args    = ["-c", "head -c 200m /dev/zero | tail >/dev/null"]`;
      sb.writeJob('oom.nomad', job('oom', 'rkt', app, 64));
      const a = await waitFor('the allocation failed', () => failedAlloc(sb, 'oom'), 60_000, 200);
      assertOomTwice(sb, a);
    } finally {
      await agent.stop();
    }
  });

  test('raw_exec under a memory cap set above its cgroup: OOM Killed, restarted once, then failed', async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      const go = join(sb.root, 'go');
      const script = `while [ ! -e ${go} ]; do sleep 0.05; done; head -c 200m /dev/zero | tail >/dev/null`;
      sb.writeJob('oom.nomad', job('oom', 'raw_exec', `        command = "/bin/sh"\n        args    = ${JSON.stringify(['-c', script])}`, 32));
      const running = await waitFor('the task running', () => jobStatus(sb, 'oom')?.Allocations.find((a) => a.ClientStatus === 'running'), 30_000, 200);
      const db = openState(join(sb.dataDir, 'state.db'), { readonly: true });
      let cg;
      try {
        cg = decodeTaskCgroup((getHandle(db, running.ID, 't')?.handle as { state?: { cgroup?: unknown } } | undefined)?.state?.cgroup);
      } finally {
        closeState(db);
      }
      assert.ok(cg, 'the raw_exec task has a cgroup');
      // raw_exec sets no limit of its own, as in Nomad.
      const own = cg.dirs.memory !== undefined ? readFileSync(join(cg.dirs.memory, 'memory.limit_in_bytes'), 'utf8').trim() : readFileSync(join(cg.dirs.unified ?? '', 'memory.max'), 'utf8').trim();
      assert.ok(own === 'max' || Number(own) > 1024 * MiB, `raw_exec's own cgroup is unlimited (${own})`);
      // The agent's directory, capped: every attempt's cgroup is below it.
      const above = dirname(cg.dirs.memory ?? cg.dirs.unified ?? '');
      if (existsSync(join(above, 'memory.limit_in_bytes'))) {
        writeFileSync(join(above, 'memory.limit_in_bytes'), String(64 * MiB));
        if (existsSync(join(above, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(above, 'memory.memsw.limit_in_bytes'), String(64 * MiB));
      } else {
        writeFileSync(join(above, 'memory.max'), String(64 * MiB));
      }
      writeFileSync(go, '');
      const a = await waitFor('the allocation failed', () => failedAlloc(sb, 'oom'), 60_000, 200);
      assertOomTwice(sb, a);
    } finally {
      await agent.stop();
    }
  });
});
