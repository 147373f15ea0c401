/**
 * Security defaults: raw_exec off unless enabled; StrictModes for the jobs and data dirs
 * when root, with the documented override; the state DB and secrets/ private; status never
 * writes; a task runs as the job's `user`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { allocStatus, cli, jobStatus, sandboxes, startAgent, taskLeaderPids, taskPids, waitFor, type Sandbox } from '../helpers/agent.js';
import { passCount, passwdUid, procUid, spawnAgent } from './helpers.js';

function sleeper(id: string, user?: string): string {
  return `job "${id}" {
  group "g" {
    task "t" {
      driver = "raw_exec"
      ${user ? `user = "${user}"` : ''}
      config {
        command = "/bin/sh"
        args = ["-c", "id -u; exec sleep 600"]
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

const isRoot = process.getuid?.() === 0;

describe('security defaults', () => {
  const box = sandboxes('bivouac-sec-');

  test('raw_exec is off unless enabled: the node shows it unhealthy ("disabled") and a raw_exec job is not placed, naming the driver', async () => {
    const sb = box();
    const agent = spawnAgent(sb);
    try {
      sb.writeJob('r.nomad', sleeper('r'));
      const st = await waitFor('job recorded', () => jobStatus(sb, 'r'), 60_000);
      const node = JSON.parse(cli(['node', 'status', '--json', '--data-dir', sb.dataDir, '-self']).stdout || cli(['node', 'status', '--json', '--data-dir', sb.dataDir]).stdout) as unknown;
      const one = (Array.isArray(node) ? node[0] : node) as { Drivers: Record<string, { Detected: boolean; Healthy: boolean; HealthDescription: string }> };
      assert.equal(one.Drivers.raw_exec.Healthy, false);
      assert.equal(one.Drivers.raw_exec.HealthDescription, 'disabled');
      assert.equal(st.Allocations.length, 0);
      const failed = await waitFor('placement failure recorded', () => jobStatus(sb, 'r')?.PlacementFailures[0]);
      assert.match(JSON.stringify(failed), /raw_exec/, `the reason names the driver: ${JSON.stringify(failed)}`);
    } finally {
      await agent.stop();
    }
  });

  for (const [what, setup, word] of [
    ['a world-writable jobs dir', (sb: Sandbox) => chmodSync(sb.jobsDir, 0o777), /jobs dir .* writable by others \(mode 777\).*chmod go-w/],
    ['a group-writable data dir', (sb: Sandbox) => (mkdirSync(sb.dataDir, { mode: 0o700 }), chmodSync(sb.dataDir, 0o770)), /data dir .* writable by its group.*chmod go-w/],
    ['a jobs dir owned by another user', (sb: Sandbox) => chownSync(sb.jobsDir, 65534, 65534), /jobs dir .* owned by uid 65534.*chown root/],
  ] as const) {
    test(`as root, the agent refuses ${what} with a clear message; BIVOUAC_STRICT_PERMISSIONS=false overrides`, { skip: !isRoot && 'needs root' }, async () => {
      const sb = box();
      setup(sb);
      const refused = spawnAgent(sb);
      const code = await refused.exited;
      assert.notEqual(code, 0);
      assert.match(refused.output(), word);
      const allowed = spawnAgent(sb, [], { BIVOUAC_STRICT_PERMISSIONS: 'false' });
      try {
        await waitFor('agent started despite the mode', () => passCount(allowed) >= 1 || allowed.proc.exitCode !== null, 60_000);
        assert.equal(allowed.proc.exitCode, null, allowed.output());
      } finally {
        await allowed.stop();
      }
    });
  }

  test('the state DB is 0600 and a task secrets/ is 0700; status commands never write the DB nor create files beside it', async () => {
    const sb = box();
    const agent = startAgent(sb);
    let allocId = '';
    try {
      sb.writeJob('s.nomad', sleeper('s'));
      const a = await waitFor('running', () => jobStatus(sb, 's')?.Allocations.find((x) => x.ClientStatus === 'running'), 60_000);
      allocId = a.ID;
      assert.equal(statSync(join(sb.dataDir, 'state.db')).mode & 0o777, 0o600);
      assert.equal(statSync(join(sb.dataDir, 'alloc', a.ID, 't', 'secrets')).mode & 0o777, 0o700);
    } finally {
      await agent.stop();
    }
    const files = ['state.db', 'state.db-wal', 'state.db-shm'].map((f) => join(sb.dataDir, f));
    const content = (f: string): string => {
      try {
        const st = statSync(f);
        return `${st.size} ${st.mtimeMs} ${createHash('sha256').update(readFileSync(f)).digest('hex')}`;
      } catch {
        return 'absent';
      }
    };
    const runAll = (): void => {
      for (const args of [['status'], ['status', '--json'], ['status', 's'], ['status', '--json', 's'], ['alloc', 'status', allocId], ['alloc', 'status', '--json', allocId], ['node', 'status'], ['status', 'nope']]) {
        cli([...args, '--data-dir', sb.dataDir]);
      }
    };
    const before = files.map(content);
    runAll();
    const after = files.map(content);
    // The database and any committed WAL: not one byte, not one mtime.
    assert.equal(after[0], before[0], 'state.db changed');
    if (before[1] !== 'absent') assert.equal(after[1], before[1], 'state.db-wal changed');
    runAll();
    assert.equal(files.map(content)[0], before[0], 'state.db changed on a second round');
    // And nothing new in the data dir: a clean shutdown leaves no -wal/-shm, and status must not make them.
    assert.deepEqual(
      files.slice(1).filter((f, i) => before[i + 1] === 'absent' && after[i + 1] !== 'absent'),
      [],
      'status created WAL/shm files in the data dir',
    );
  });

  test('raw_exec runs the task as the job\'s user ("nobody")', { skip: !isRoot && 'needs root to switch user' }, async () => {
    const nobody = passwdUid('nobody');
    assert.notEqual(nobody, null, 'this host has a nobody user');
    const sb = box();
    const agent = startAgent(sb);
    try {
      sb.writeJob('u.nomad', sleeper('u', 'nobody'));
      const a = await waitFor('alloc placed', () => jobStatus(sb, 'u')?.Allocations[0], 60_000);
      const st = await waitFor('task running or failed', () => {
        const s = allocStatus(sb, a.ID);
        return s.ClientStatus === 'running' || s.ClientStatus === 'failed' ? s : null;
      }, 60_000);
      // Either outcome is judged by what ran: nothing of this task may run as root.
      const uids = taskPids(a.ID).map((pid) => [pid, procUid(pid)]);
      const leaders = taskLeaderPids(a.ID);
      assert.equal(st.ClientStatus, 'running', JSON.stringify(st.TaskStates.t.Events.map((e) => e.DisplayMessage)));
      assert.ok(leaders.length === 1);
      for (const [pid, uid] of uids) assert.equal(uid, nobody, `pid ${pid} runs as uid ${uid}`);
      const out = await waitFor('id -u printed', () => readFileSync(join(sb.dataDir, 'alloc', a.ID, 'alloc', 'logs', 't.stdout.0'), 'utf8').trim() || null);
      assert.equal(out, String(nobody));
    } finally {
      await agent.stop();
    }
  });
});
