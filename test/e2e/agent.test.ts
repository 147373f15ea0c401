import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { openState, getHandle, markRunning } from '../../src/state/index.js';
import { join } from 'node:path';
import { allocStatus, cli, jobStatus, sandboxes, startAgent, statusJson, taskLeaderPids, waitFor, waitPassSince, type Sandbox } from '../helpers/agent.js';
import { shTask } from '../helpers/jobs.js';

/** A raw_exec job; `script` runs under /bin/sh -c. */
function shJob(id: string, script: string, opts: { type?: string; restart?: string; env?: string } = {}): string {
  return `job "${id}" {
  type = "${opts.type ?? 'service'}"
  group "g" {
    ${opts.restart ?? 'restart {\n      attempts = 2\n      interval = "10m"\n      delay = "100ms"\n      mode = "fail"\n    }'}
    ${shTask(script, `kill_timeout = "2s"
      env {
        ${opts.env ?? 'MARK = "one"'}
      }`)}
  }
}
`;
}

const sleeper = (id: string, env?: string): string => shJob(id, 'echo started; exec sleep 300', { env });

function runningAlloc(sb: Sandbox, job: string) {
  const s = jobStatus(sb, job);
  return s?.Allocations.find((a) => a.ClientStatus === 'running' && a.DesiredStatus === 'run');
}

describe('agent end to end (raw_exec)', () => {
  const box = sandboxes();

  test('drop → running; identical rewrite → untouched; change → replaced; malformed edit → old keeps running; delete → stopped', async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      sb.writeJob('web.nomad', sleeper('web'));
      const first = await waitFor('web running', () => runningAlloc(sb, 'web'));
      const [pid] = await waitFor('one task process', () => (taskLeaderPids(first.ID).length === 1 ? taskLeaderPids(first.ID) : null));
      const logs = join(sb.dataDir, 'alloc', first.ID, 'alloc', 'logs', 't.stdout.0');
      await waitFor('stdout captured', () => readFileSync(logs, 'utf8').includes('started'));

      // Identical content, even reformatted: no new version, same process.
      sb.writeJob('web.nomad', sleeper('web').replace(/\n/g, '\n\n'));
      await waitPassSince(agent);
      const same = jobStatus(sb, 'web');
      assert.equal(same?.Job.Version, 0);
      assert.equal(same?.Allocations.length, 1);
      assert.deepEqual(taskLeaderPids(first.ID), [pid]);

      // A real change to env is destructive: a new allocation replaces the old one.
      sb.writeJob('web.nomad', sleeper('web', 'MARK = "two"'));
      const second = await waitFor('replacement running', () => {
        const a = runningAlloc(sb, 'web');
        return a && a.ID !== first.ID ? a : null;
      });
      assert.equal(second.JobVersion, 1);
      const old = allocStatus(sb, first.ID);
      assert.equal(old.DesiredStatus, 'stop');
      assert.equal(old.ClientStatus, 'complete');
      assert.deepEqual(taskLeaderPids(first.ID), []);
      assert.ok(old.TaskStates.t.Events.some((e) => e.Type === 'Killing'));

      // A malformed edit: the error shows with its position, the running version is untouched.
      sb.writeJob('web.nomad', 'job "web" {\n  group "g" {\n    count = \n}\n');
      const err = await waitFor('file error recorded', () => jobStatus(sb, 'web')?.FileErrors[0]);
      assert.match(err.Error, /web\.nomad:\d+:\d+/);
      assert.equal(runningAlloc(sb, 'web')?.ID, second.ID);
      const list = cli(['status', '--data-dir', sb.dataDir]);
      assert.match(list.stdout, /Job File Errors/);
      assert.match(list.stdout, /web\.nomad/);

      // Delete: the job stops, its process goes.
      sb.removeJob('web.nomad');
      await waitFor('job stopped', () => {
        const s = jobStatus(sb, 'web');
        return s && s.Job.Stop && s.Job.Status === 'dead' ? s : null;
      });
      assert.deepEqual(taskLeaderPids(second.ID), []);
      assert.match(cli(['status', '--data-dir', sb.dataDir]).stdout, /web\s+service\s+50\s+dead \(stopped\)/);
    } finally {
      await agent.stop();
    }
  });

  test('restart policy: attempts then Not Restarting, alloc failed', async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      sb.writeJob('crash.nomad', shJob('crash', 'echo boom >&2; exit 3'));
      const failed = await waitFor('alloc failed', () => jobStatus(sb, 'crash')?.Allocations.find((a) => a.ClientStatus === 'failed'));
      const t = allocStatus(sb, failed.ID).TaskStates.t;
      const types = t.Events.map((e) => e.Type);
      assert.deepEqual(types, ['Received', 'Task Setup', 'Started', 'Terminated', 'Restarting', 'Started', 'Terminated', 'Restarting', 'Started', 'Terminated', 'Not Restarting']);
      assert.equal(t.Restarts, 2);
      assert.equal(t.Failed, true);
      assert.equal(t.Events.find((e) => e.Type === 'Terminated')?.DisplayMessage, 'Exit Code: 3');
      assert.equal(t.Events.at(-1)?.DisplayMessage, 'Exceeded allowed attempts 2 in interval 10m0s and mode is "fail"');
      const stderr = readFileSync(join(sb.dataDir, 'alloc', failed.ID, 'alloc', 'logs', 't.stderr.0'), 'utf8');
      assert.equal(stderr, 'boom\nboom\nboom\n');
    } finally {
      await agent.stop();
    }
  });

  test('batch completion → dead, and it never runs again', async () => {
    const sb = box();
    let agent = startAgent(sb);
    try {
      sb.writeJob('once.nomad', shJob('once', 'echo done', { type: 'batch' }));
      await waitFor('batch dead', () => jobStatus(sb, 'once')?.Job.Status === 'dead');
      const s = jobStatus(sb, 'once');
      assert.equal(s?.Allocations.length, 1);
      assert.equal(s?.Allocations[0].ClientStatus, 'complete');
      await agent.stop();
      agent = startAgent(sb);
      await waitFor('agent up again', () => agent.output().includes('agent started'));
      const again = jobStatus(sb, 'once');
      assert.equal(again?.Allocations.length, 1);
      assert.equal(allocStatus(sb, again!.Allocations[0].ID).TaskStates.t.Events.filter((e) => e.Type === 'Started').length, 1);
    } finally {
      await agent.stop();
    }
  });

  test('kill -9 of the agent: the same allocation keeps its one process, re-attached without a new start', async () => {
    const sb = box();
    let agent = startAgent(sb);
    try {
      sb.writeJob('keep.nomad', sleeper('keep'));
      const a = await waitFor('running', () => runningAlloc(sb, 'keep'));
      const pids = await waitFor('process', () => (taskLeaderPids(a.ID).length === 1 ? taskLeaderPids(a.ID) : null));
      await agent.kill9();
      agent = startAgent(sb);
      await waitFor('re-attached', () => agent.output().includes('task re-attached'));
      assert.deepEqual(taskLeaderPids(a.ID), pids);
      const st = allocStatus(sb, a.ID);
      assert.equal(st.ClientStatus, 'running');
      assert.equal(st.TaskStates.t.Events.filter((e) => e.Type === 'Started').length, 1);
      assert.equal(jobStatus(sb, 'keep')?.Allocations.length, 1);
    } finally {
      await agent.stop();
    }
  });

  test('a task that exits while the agent is down has its exit code recorded', async () => {
    const sb = box();
    let agent = startAgent(sb);
    try {
      sb.writeJob('quit.nomad', shJob('quit', 'while [ ! -f "$NOMAD_TASK_DIR/stop" ]; do sleep 0.05; done; exit 7', { restart: 'restart {\n attempts = 0\n mode = "fail"\n }' }));
      const a = await waitFor('running', () => runningAlloc(sb, 'quit'));
      await waitFor('process', () => taskLeaderPids(a.ID).length === 1);
      await agent.kill9();
      const local = join(sb.dataDir, 'alloc', a.ID, 't', 'local', 'stop');
      writeFileSync(local, '');
      await waitFor('task gone', () => taskLeaderPids(a.ID).length === 0);
      agent = startAgent(sb);
      const st = await waitFor('recorded', () => {
        const s = allocStatus(sb, a.ID);
        return s.ClientStatus === 'failed' ? s : null;
      });
      const term = st.TaskStates.t.Events.find((e) => e.Type === 'Terminated');
      assert.equal(term?.DisplayMessage, 'Exit Code: 7');
      assert.equal(st.TaskStates.t.Events.at(-1)?.Type, 'Not Restarting');
    } finally {
      await agent.stop();
    }
  });

  test('status works with the agent down and exits 1 for unknown names', async () => {
    const sb = box();
    const agent = startAgent(sb);
    sb.writeJob('s.nomad', sleeper('s'));
    await waitFor('running', () => runningAlloc(sb, 's'));
    await agent.stop();
    const list = statusJson<{ ID: string; Status: string }[]>(sb);
    assert.deepEqual(list.map((j) => [j.ID, j.Status]), [['s', 'running']]);
    assert.equal(cli(['status', '--data-dir', sb.dataDir, 'nope']).code, 1);
    const r = cli(['alloc', 'status', '--data-dir', sb.dataDir, '00000000']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No allocation/);
  });

  test('alloc logs prints the task output; -stderr, -tail and -n select it', async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      sb.writeJob('talk.nomad', shJob('talk', 'for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2; exec sleep 300'));
      const a = await waitFor('running', () => runningAlloc(sb, 'talk'));
      await waitFor('output written', () => cli(['alloc', 'logs', '--data-dir', sb.dataDir, '-stderr', a.ID]).stdout === 'oops\n');
      assert.equal(cli(['alloc', 'logs', '--data-dir', sb.dataDir, a.ID]).stdout, 'line1\nline2\nline3\nline4\nline5\n');
      assert.equal(cli(['alloc', 'logs', '--data-dir', sb.dataDir, '-n', '2', a.ID.slice(0, 8), 't']).stdout, 'line4\nline5\n');
      assert.equal(cli(['alloc', 'logs', '--data-dir', sb.dataDir, '-tail', a.ID]).stdout.split('\n').length, 6);
      const bad = cli(['alloc', 'logs', '--data-dir', sb.dataDir, a.ID, 'nope']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /no task "nope"/);
    } finally {
      await agent.stop();
    }
  });

  test('PID reuse: a stored pid now held by another process is never signalled', async () => {
    const sb = box();
    let agent = startAgent(sb);
    const stranger = spawn('/bin/sleep', ['300'], { stdio: 'ignore', detached: true });
    try {
      sb.writeJob('reuse.nomad', shJob('reuse', 'exec sleep 300', { restart: 'restart {\n attempts = 0\n mode = "fail"\n }' }));
      const a = await waitFor('running', () => runningAlloc(sb, 'reuse'));
      const [leader] = await waitFor('process', () => (taskLeaderPids(a.ID).length === 1 ? taskLeaderPids(a.ID) : null));
      await agent.kill9();
      process.kill(-leader, 'SIGKILL');
      await waitFor('task gone', () => taskLeaderPids(a.ID).length === 0);
      // Point the stored handle at the stranger, as if the kernel had handed it the task's pid.
      const db = openState(join(sb.dataDir, 'state.db'));
      const h = getHandle(db, a.ID, 't');
      assert.ok(h);
      const state = { ...(h.handle as { state: Record<string, unknown> }).state, pid: stranger.pid, pgid: stranger.pid };
      markRunning(db, a.ID, 't', h.attempt, h.driver, { ...(h.handle as object), state }, Date.now());
      db.close();
      agent = startAgent(sb);
      const st = await waitFor('task settled', () => {
        const s = allocStatus(sb, a.ID);
        return s.ClientStatus === 'failed' ? s : null;
      });
      assert.equal(readFileSync(`/proc/${stranger.pid}/stat`, 'utf8').split(') ')[1][0] !== 'Z', true);
      assert.ok(st.TaskStates.t.Events.some((e) => e.Type === 'Failed Restoring Task' || e.Type === 'Terminated'));
    } finally {
      stranger.kill('SIGKILL');
      await agent.stop();
    }
  });
});
