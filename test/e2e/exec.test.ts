/**
 * The exec driver end to end, as root, through the real agent: isolation (pid 1, read-only
 * /usr, nobody), a setsid grandchild gone after stop, update and restart, exit codes while
 * the agent is down, re-attach after a restart, and no mount left in the host's table.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { closeState, markDead, openState } from '../../src/state/index.js';
import { allocStatus, jobStatus, killTasks, sandbox, startAgent, taskPids, waitFor, type AllocJson, type Sandbox } from '../helpers/agent.js';

function execJob(id: string, script: string, opts: { type?: string; restart?: string; env?: string; memory?: number; killTimeout?: string } = {}): string {
  return `job "${id}" {
  type = "${opts.type ?? 'service'}"
  group "g" {
    ${opts.restart ?? 'restart {\n      attempts = 0\n      mode = "fail"\n    }'}
    task "t" {
      driver = "exec"
      kill_timeout = "${opts.killTimeout ?? '1s'}"
      config {
        command = "/bin/sh"
        args = ["-c", ${JSON.stringify(script)}]
      }
      env {
        ${opts.env ?? 'MARK = "one"'}
      }
      resources {
        cpu = 20
        memory = ${opts.memory ?? 32}
      }
    }
  }
}
`;
}

/** Lines of the host's mount table that name anything under `root`. */
export function mountsUnder(root: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(root));
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    // Gone between the listing and the read.
    return '';
  }
}

/** Live processes of `allocId` whose command line starts with `prefix` (the shim's holds the whole script). */
function procsWith(allocId: string, prefix: string): number[] {
  return taskPids(allocId).filter((p) => cmdline(p).startsWith(prefix));
}

function runningAlloc(sb: Sandbox, job: string): AllocJson | undefined {
  return jobStatus(sb, job)?.Allocations.find((a) => a.ClientStatus === 'running' && a.DesiredStatus === 'run');
}

function nsPid(pid: number): string[] {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('NSpid:')) ?? '';
  return line.split(/\s+/).slice(1).filter((s) => s !== '');
}

// The grandchild: its own session (setsid), out of the task's process group, with a
// command line unique to the test so the host can find it.
const GRANDCHILD = (tag: string): string => `setsid /bin/sh -c 'exec sleep 3${tag}' </dev/null >/dev/null 2>&1 &`;

describe('exec driver end to end', () => {
  const boxes: Sandbox[] = [];
  const box = (): Sandbox => {
    const b = sandbox('bivouac-exec-e2e-');
    boxes.push(b);
    return b;
  };
  after(() => {
    for (const b of boxes) {
      b.cleanup();
      assert.deepEqual(mountsUnder(b.root), [], `mounts left under ${b.root}`);
    }
  });

  test('the task is pid 1 of its own namespace, the shim stays outside, /usr is read-only, it runs as nobody', async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      const script = [
        'echo "pid=$$"',
        'echo "uid=$(id -u)"',
        'if touch /usr/bivouac-probe 2>/dev/null; then echo usr=writable; else echo usr=readonly; fi',
        'echo "dir=$NOMAD_TASK_DIR alloc=$NOMAD_ALLOC_DIR"',
        'ls / | tr "\\n" " "; echo',
        'echo "procs=$(ls /proc | grep -c "^[0-9]")"',
        'if echo s > /secrets/s && [ "$(stat -c %u /secrets)" = 65534 ]; then echo secrets=ok; fi',
        'echo ready; exec sleep 300',
      ].join('; ');
      sb.writeJob('iso.nomad', execJob('iso', script));
      const a = await waitFor('iso running', () => runningAlloc(sb, 'iso'));
      const logs = join(sb.dataDir, 'alloc', a.ID, 'alloc', 'logs', 't.stdout.0');
      const out = await waitFor('task output', () => {
        const t = readFileSync(logs, 'utf8');
        return t.includes('ready') ? t : null;
      });
      assert.match(out, /^pid=1$/m);
      assert.match(out, /^uid=65534$/m);
      assert.match(out, /^usr=readonly$/m);
      assert.match(out, /^secrets=ok$/m);
      assert.match(out, /^dir=\/local alloc=\/alloc$/m);
      // A fresh /proc of its own namespace: only the task (and the ls/grep of that line).
      const procs = Number(/^procs=(\d+)$/m.exec(out)?.[1]);
      assert.ok(procs >= 1 && procs <= 4, `processes seen in the task's /proc: ${procs}`);
      for (const d of ['alloc', 'bin', 'dev', 'etc', 'local', 'proc', 'secrets', 'tmp', 'usr']) assert.match(out, new RegExp(`(^| )${d}( |$)`, 'm'));

      // From the host: the task (sleep, after exec) is pid 1 in its namespace; the shim and
      // unshare, which carry the same marker, are in the host's PID namespace.
      const sleeper = await waitFor('the task process', () => procsWith(a.ID, 'sleep 300')[0]);
      assert.equal(nsPid(sleeper).at(-1), '1');
      assert.equal(nsPid(sleeper).length, 2);
      const outside = taskPids(a.ID).filter((p) => p !== sleeper);
      assert.ok(outside.length >= 1, 'the shim is a process of its own');
      for (const p of outside) {
        assert.equal(nsPid(p).length, 1, `pid ${p} (${cmdline(p)}) is outside the task's PID namespace`);
        assert.notEqual(readlinkSync(`/proc/${p}/ns/pid`), readlinkSync(`/proc/${sleeper}/ns/pid`));
      }
      // Nothing of the chroot is in the host's mount table (the binds live in the task's
      // namespace); only secrets/ is, as a 1 MiB tmpfs named after the task.
      const allocMounts = mountsUnder(join(sb.dataDir, 'alloc', a.ID));
      assert.equal(allocMounts.length, 1, allocMounts.join('\n'));
      assert.match(allocMounts[0], new RegExp(`/t/secrets .* - tmpfs bivouac-secrets-${a.ID}\\.t .*size=1024k`));

      sb.removeJob('iso.nomad');
      await waitFor('iso stopped', () => jobStatus(sb, 'iso')?.Job.Status === 'dead');
      assert.deepEqual(taskPids(a.ID), []);
      await waitFor('secrets unmounted', () => mountsUnder(sb.root).length === 0);
    } finally {
      await agent.stop();
    }
  });

  test('a setsid grandchild is gone after stop, update and restart', async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      // Update: a destructive change replaces the allocation; the old one's grandchild goes.
      sb.writeJob('gc.nomad', execJob('gc', `${GRANDCHILD('101')} echo ready; exec sleep 300`));
      const first = await waitFor('gc running', () => runningAlloc(sb, 'gc'));
      await waitFor('first grandchild', () => procsWith(first.ID, 'sleep 3101').length === 1);
      sb.writeJob('gc.nomad', execJob('gc', `${GRANDCHILD('102')} echo ready; exec sleep 300`, { env: 'MARK = "two"' }));
      const second = await waitFor('replacement running', () => {
        const a = runningAlloc(sb, 'gc');
        return a && a.ID !== first.ID ? a : null;
      });
      await waitFor('old grandchild gone after update', () => taskPids(first.ID).length === 0);
      await waitFor('second grandchild', () => procsWith(second.ID, 'sleep 3102').length === 1);

      // Stop: the job file deleted.
      sb.removeJob('gc.nomad');
      await waitFor('gc stopped', () => jobStatus(sb, 'gc')?.Job.Status === 'dead');
      await waitFor('grandchild gone after stop', () => taskPids(second.ID).length === 0);

      // Restart: the task exits by itself and the policy restarts it; the grandchild of the
      // first attempt does not outlive its attempt.
      const restart = 'restart {\n      attempts = 3\n      interval = "10m"\n      delay = "200ms"\n      mode = "fail"\n    }';
      sb.writeJob('rs.nomad', execJob('rs', `${GRANDCHILD('103')} sleep 0.5; exit 1`, { restart }));
      const rs = await waitFor('rs allocated', () => jobStatus(sb, 'rs')?.Allocations[0]);
      await waitFor('a restart', () => allocStatus(sb, rs.ID).TaskStates.t.Restarts >= 1);
      const attempt0 = `BIVOUAC_TASK_ID=${rs.ID}.0.t`;
      await waitFor('attempt 0 leaves nothing', () => !taskPids(rs.ID).some((p) => readFileSync(`/proc/${p}/environ`).includes(attempt0)));
      await waitFor('rs failed', () => jobStatus(sb, 'rs')?.Allocations[0].ClientStatus === 'failed', 30_000);
      await waitFor('nothing of rs left', () => taskPids(rs.ID).length === 0);
    } finally {
      await agent.stop();
    }
  });

  test('exit code while the agent is down, and re-attach after a restart', async () => {
    const sb = box();
    let agent = startAgent(sb);
    try {
      sb.writeJob('b.nomad', execJob('b', 'echo ready; until [ -e /alloc/data/go ]; do sleep 0.05; done; exit 0', { type: 'batch' }));
      sb.writeJob('s.nomad', execJob('s', "trap 'exit 0' TERM INT; echo ready; sleep 300 & wait"));
      const b = await waitFor('batch running', () => runningAlloc(sb, 'b'));
      const s = await waitFor('service running', () => runningAlloc(sb, 's'));
      await waitFor('batch ready', () => readFileSync(join(sb.dataDir, 'alloc', b.ID, 'alloc', 'logs', 't.stdout.0'), 'utf8').includes('ready'));
      await agent.kill9();

      writeFileSync(join(sb.dataDir, 'alloc', b.ID, 'alloc', 'data', 'go'), '');
      await waitFor('batch exited while the agent is down', () => taskPids(b.ID).length === 0);
      const servicePids = taskPids(s.ID);
      assert.equal(servicePids.length, 4, 'shim, unshare, the task and its sleep');

      agent = startAgent(sb);
      await waitFor('batch complete', () => jobStatus(sb, 'b')?.Allocations[0].ClientStatus === 'complete');
      const bt = allocStatus(sb, b.ID).TaskStates.t;
      assert.equal(bt.Events.filter((e) => e.Type === 'Started').length, 1);
      assert.equal(bt.Events.find((e) => e.Type === 'Terminated')?.DisplayMessage, 'Exit Code: 0');
      assert.equal(bt.Events.find((e) => e.Type === 'Terminated')?.Details.oom_killed, 'false');

      // The service was re-attached, not restarted: same processes, still running.
      await waitFor('agent up', () => agent.output().includes('task re-attached'));
      assert.equal(runningAlloc(sb, 's')?.ID, s.ID);
      assert.deepEqual(taskPids(s.ID), servicePids);
      sb.removeJob('s.nomad');
      await waitFor('service stopped', () => jobStatus(sb, 's')?.Job.Status === 'dead');
      const st = allocStatus(sb, s.ID).TaskStates.t;
      assert.equal(st.Events.filter((e) => e.Type === 'Started').length, 1);
      assert.equal(st.Events.find((e) => e.Type === 'Terminated')?.DisplayMessage, 'Exit Code: 0');
      assert.deepEqual(taskPids(s.ID), []);
    } finally {
      await agent.stop();
    }
  });

  test("a crash between the task's death and the unmount: the next agent finishes the teardown", async () => {
    const sb = box();
    let agent = startAgent(sb);
    try {
      sb.writeJob('m.nomad', execJob('m', 'echo ready; exec sleep 300'));
      const a = await waitFor('m running', () => runningAlloc(sb, 'm'));
      await waitFor('secrets mounted', () => mountsUnder(join(sb.dataDir, 'alloc', a.ID)).length === 1);
      await agent.kill9();
      // What a crash after the stop was recorded but before the unmount leaves behind.
      killTasks(sb.dataDir);
      await waitFor('task gone', () => taskPids(a.ID).length === 0);
      const db = openState(join(sb.dataDir, 'state.db'));
      try {
        markDead(db, a.ID, 't', false, Date.now());
      } finally {
        closeState(db);
      }
      sb.removeJob('m.nomad');
      assert.equal(mountsUnder(sb.root).length, 1);
      agent = startAgent(sb);
      await waitFor('secrets unmounted by the next agent', () => mountsUnder(sb.root).length === 0);
    } finally {
      await agent.stop();
    }
  });

  test('memory = 32 and 100 MB allocated: Terminated with "OOM Killed" and oom_killed', async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      sb.writeJob('oom.nomad', execJob('oom', 'head -c 100m /dev/zero | tail', { type: 'batch', memory: 32 }));
      const a = await waitFor('oom failed', () => jobStatus(sb, 'oom')?.Allocations.find((x) => x.ClientStatus === 'failed'), 30_000);
      const term = allocStatus(sb, a.ID).TaskStates.t.Events.find((e) => e.Type === 'Terminated');
      assert.equal(term?.DisplayMessage, 'Exit Code: 137, Signal: 9, Exit Message: "OOM Killed"');
      assert.equal(term?.Details.oom_killed, 'true');
    } finally {
      await agent.stop();
    }
  });

  test('the node reports driver.exec', async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      await waitFor('agent up', () => agent.output().includes('agent started'));
      const db = join(sb.dataDir, 'state.db');
      assert.ok(readdirSync(sb.dataDir).includes('state.db'), db);
      const { cli } = await import('../helpers/agent.js');
      const r = cli(['node', 'status', '-self', '-verbose', '--data-dir', sb.dataDir]);
      assert.match(r.stdout, /driver\.exec\s*=\s*1/);
    } finally {
      await agent.stop();
    }
  });
});
