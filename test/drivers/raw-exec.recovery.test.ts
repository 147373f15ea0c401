/** raw_exec after an agent restart: re-attach, exits seen late, and the PID-reuse guard. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isLiveState, readBootId, readProcStat } from '../../src/drivers/proc.js';
import { createRawExecDriver } from '../../src/drivers/raw_exec/index.js';
import type { Driver, TaskConfig, TaskHandle } from '../../src/drivers/types.js';
import { silentLogger } from '../../src/util/logger.js';
import { fixturesDir } from '../helpers/paths.js';
import { assertRejectsCode, fileContains, hostTaskConfig, makeTempDir, waitFor } from './contract.js';

const children = join(fixturesDir, 'children');
const root = makeTempDir('raw-exec-recovery');
after(() => rmSync(root, { recursive: true, force: true }));

let seq = 0;
function newTask(script: string, args: string[]): TaskConfig {
  const dir = join(root, `t${++seq}`);
  mkdirSync(dir, { recursive: true });
  return hostTaskConfig({ command: join(children, script), args }, { root: dir, id: `rec-${seq}` });
}
const driver = (): Driver => createRawExecDriver({ log: silentLogger, enabled: true, pollIntervalMs: 50 });
const alive = (pid: number): boolean => {
  const s = readProcStat('/proc', pid);
  return s !== null && isLiveState(s.state);
};

async function startReady(d: Driver, cfg: TaskConfig): Promise<TaskHandle> {
  const h = await d.startTask(cfg);
  await waitFor(() => fileContains(cfg.stdoutPath, 'ready'), 'ready');
  return h;
}

describe('raw_exec process groups', () => {
  test('stop reaches grandchildren through the group', async () => {
    const d = driver();
    const cfg = newTask('grandchild.sh', []);
    const pidFile = join(cfg.dirs.taskDir, 'grandchild.pid');
    const h = await d.startTask({ ...cfg, driverConfig: { command: join(children, 'grandchild.sh'), args: [pidFile] } });
    await waitFor(() => existsSync(pidFile), 'grandchild pid file');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(alive(grandchild));
    await d.stopTask(h.taskId, 30_000, 'SIGTERM');
    assert.equal(alive(grandchild), false);
  });

  test('stop clears what a task left in its group after it exited', async () => {
    const d = driver();
    const cfg = newTask('orphan.sh', []);
    const pidFile = join(cfg.dirs.taskDir, 'orphan.pid');
    const h = await d.startTask({ ...cfg, driverConfig: { command: join(children, 'orphan.sh'), args: [pidFile] } });
    assert.equal((await d.waitTask(h.taskId)).exitCode, 0);
    const orphan = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(alive(orphan));
    await d.stopTask(h.taskId, 30_000, 'SIGTERM');
    assert.equal(alive(orphan), false);
  });
});

describe('raw_exec recovery', () => {
  test('a re-attached driver escalates to SIGKILL and reports it', async () => {
    const first = driver();
    const h = await startReady(first, newTask('ignore-signals.sh', []));
    const second = driver();
    await second.recoverTask(h);
    await second.stopTask(h.taskId, 200, 'SIGTERM');
    assert.deepEqual(await second.waitTask(h.taskId), { exitCode: 137, signal: 9, oomKilled: false, err: null });
  });

  test('SIGKILL while the agent was down leaves the exit unknown', async () => {
    const first = driver();
    const h = await startReady(first, newTask('sleep.sh', []));
    process.kill(-Number(h.state.pgid), 'SIGKILL');
    // Its parent (this process, the "old agent") saw the signal; a fresh agent cannot.
    assert.equal((await first.waitTask(h.taskId)).signal, 9);
    const second = driver();
    await second.recoverTask(h);
    const res = await second.waitTask(h.taskId);
    assert.equal(res.exitCode, null);
    assert.equal(res.err, 'exit code unknown: task exited while the agent was down');
  });

  test('a stale exit file from an earlier run is not read as the new run', async () => {
    const d = driver();
    const cfg = newTask('exit-code.sh', ['4']);
    await d.waitTask((await d.startTask(cfg)).taskId);
    const h = await startReady(d, { ...cfg, driverConfig: { command: join(children, 'sleep.sh'), args: [] } });
    process.kill(-Number(h.state.pgid), 'SIGKILL');
    await d.waitTask(h.taskId);
    const fresh = driver();
    await fresh.recoverTask(h);
    assert.equal((await fresh.waitTask(h.taskId)).exitCode, null);
  });

  test('malformed or foreign handles are TASK_NOT_FOUND', async () => {
    const d = driver();
    const base = { driver: 'raw_exec', taskId: 'x', version: 1 };
    await assertRejectsCode(d.recoverTask({ ...base, state: { pid: 'a' } }), 'TASK_NOT_FOUND');
    await assertRejectsCode(d.recoverTask({ ...base, state: { pid: 1, pgid: 1, startTime: 1, bootId: 'b', exitFile: '/x', startedAt: 0 } }), 'TASK_NOT_FOUND');
    await assertRejectsCode(d.recoverTask({ ...base, driver: 'rkt', state: {} }), 'TASK_NOT_FOUND');
  });
});

describe('raw_exec PID-reuse guard', () => {
  // A bystander in its own group stands in for an unrelated process that got the task's pid.
  const bystanderCases = [
    { name: 'another start time', startDelta: 1, bootId: (real: string) => real },
    { name: 'another boot', startDelta: 0, bootId: () => '00000000-0000-0000-0000-000000000000' },
  ];
  for (const c of bystanderCases) {
    test(`a live pid with ${c.name} is never signalled`, async () => {
      const bystander = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
      const pid = bystander.pid;
      assert.ok(pid);
      try {
        const stat = readProcStat('/proc', pid);
        assert.ok(stat);
        const handle: TaskHandle = {
          driver: 'raw_exec',
          taskId: `reuse-${pid}`,
          version: 1,
          state: {
            pid,
            pgid: pid,
            startTime: stat.startTime + c.startDelta,
            bootId: c.bootId(readBootId('/proc')),
            exitFile: join(root, `no-exit-${pid}`),
            startedAt: 0,
          },
        };
        const d = driver();
        await d.recoverTask(handle);
        const res = await d.waitTask(handle.taskId);
        assert.equal(res.exitCode, null);
        await d.signalTask?.(handle.taskId, 'SIGTERM');
        await d.stopTask(handle.taskId, 10, 'SIGTERM');
        await d.destroyTask(handle.taskId, true);
        assert.ok(alive(pid), 'the bystander survived');
      } finally {
        process.kill(-pid, 'SIGKILL');
      }
    });
  }
});
