/** raw_exec beyond the shared contract: the shim's exit codes, env, cwd, output files, lookup. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { findProcessesByEnv, readProcStat } from '../../src/drivers/proc.js';
import { TASK_ID_ENV, createRawExecDriver } from '../../src/drivers/raw_exec/index.js';
import type { Driver, TaskConfig } from '../../src/drivers/types.js';
import { silentLogger } from '../../src/util/logger.js';
import { fixturesDir } from '../helpers/paths.js';
import { assertRejectsCode, fileContains, hostTaskConfig, makeTempDir, waitFor } from './contract.js';

const children = join(fixturesDir, 'children');
const root = makeTempDir('raw-exec');
after(() => rmSync(root, { recursive: true, force: true }));

let seq = 0;
function newTask(command: string, args: string[], env: Record<string, string> = {}): TaskConfig {
  const dir = join(root, `t${++seq}`);
  mkdirSync(dir, { recursive: true });
  return hostTaskConfig({ command, args }, { root: dir, id: `raw-${seq}` }, env);
}

const driver = (): Driver => createRawExecDriver({ log: silentLogger, enabled: true, pollIntervalMs: 50 });

describe('raw_exec exit results through the shim', () => {
  const cases: ReadonlyArray<{ name: string; script: string; args: string[]; exitCode: number; signal: number }> = [
    { name: 'exit 0', script: 'exit-code.sh', args: ['0'], exitCode: 0, signal: 0 },
    { name: 'exit 3', script: 'exit-code.sh', args: ['3'], exitCode: 3, signal: 0 },
    { name: 'killed by SIGTERM', script: 'kill-self.sh', args: ['TERM'], exitCode: 143, signal: 15 },
    { name: 'killed by SIGKILL', script: 'kill-self.sh', args: ['KILL'], exitCode: 137, signal: 9 },
    { name: 'exit 200 is a plain code', script: 'exit-code.sh', args: ['200'], exitCode: 200, signal: 0 },
    // The documented ambiguity: a shell reports "killed by SIGINT" as 130 too.
    { name: 'exit 130 reads as SIGINT', script: 'exit-code.sh', args: ['130'], exitCode: 130, signal: 2 },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const d = driver();
      const h = await d.startTask(newTask(join(children, c.script), c.args));
      const res = await d.waitTask(h.taskId);
      assert.deepEqual(res, { exitCode: c.exitCode, signal: c.signal, oomKilled: false, err: null });
    });
  }
});

describe('raw_exec task process', () => {
  test('runs in the task dir with the given env plus the task-id marker', async () => {
    const d = driver();
    const cfg = newTask(join(children, 'print-env.sh'), ['GREETING'], { GREETING: 'hello there' });
    const h = await d.startTask(cfg);
    await d.waitTask(h.taskId);
    assert.equal(readFileSync(cfg.stdoutPath, 'utf8'), `hello there\n${cfg.dirs.taskDir}\n`);

    const cfg2 = newTask(join(children, 'print-env.sh'), [TASK_ID_ENV]);
    await d.waitTask((await d.startTask(cfg2)).taskId);
    assert.equal(readFileSync(cfg2.stdoutPath, 'utf8').split('\n')[0], cfg2.id);
  });

  test('the marker finds the task processes by scanning /proc', async () => {
    const d = driver();
    const cfg = newTask(join(children, 'sleep.sh'), []);
    const h = await d.startTask(cfg);
    await waitFor(() => fileContains(cfg.stdoutPath, 'ready'), 'ready');
    const pids = findProcessesByEnv('/proc', TASK_ID_ENV, cfg.id);
    const shimPid = Number(h.state.pid);
    assert.ok(pids.includes(shimPid), `shim ${shimPid} in ${pids.join(',')}`);
    // The shim and the task (sleep.sh, which execs sleep): all in the task's group.
    assert.ok(pids.length >= 2, `found ${pids.join(',')}`);
    for (const pid of pids) assert.equal(readProcStat('/proc', pid)?.pgrp, shimPid);
    assert.deepEqual(findProcessesByEnv('/proc', TASK_ID_ENV, `${cfg.id}-other`), []);
    await d.destroyTask(h.taskId, true);
  });

  test('the task starts with no ignored signals (the shim traps, it does not ignore)', async () => {
    const d = driver();
    const cfg = newTask(join(children, 'show-signals.sh'), []);
    await d.waitTask((await d.startTask(cfg)).taskId);
    const ign = /SigIgn:\s*([0-9a-f]+)/.exec(readFileSync(cfg.stdoutPath, 'utf8'));
    assert.ok(ign, 'SigIgn line printed');
    assert.equal(BigInt(`0x${ign[1]}`), 0n);
  });

  test('stdout and stderr go to their files, appended across starts', async () => {
    const d = driver();
    const cfg = newTask(join(children, 'print-lines.sh'), ['2']);
    await d.waitTask((await d.startTask(cfg)).taskId);
    await d.waitTask((await d.startTask(cfg)).taskId);
    assert.equal(readFileSync(cfg.stdoutPath, 'utf8'), 'line 1\nline 2\n'.repeat(2));
    assert.equal(readFileSync(cfg.stderrPath, 'utf8'), 'err 2\n'.repeat(2));
  });

  test('signalTask reaches the task, not the shim', async () => {
    const d = driver();
    const cfg = newTask(join(children, 'sleep.sh'), []);
    const h = await d.startTask(cfg);
    await waitFor(() => fileContains(cfg.stdoutPath, 'ready'), 'ready');
    await d.signalTask?.(h.taskId, 'SIGUSR1');
    const res = await d.waitTask(h.taskId);
    assert.equal(res.signal, 10);
    await d.destroyTask(h.taskId, true);
  });

  test('a relative command is found in the task local/ dir, then the task dir', async () => {
    const d = driver();
    const cfg = newTask('run.sh', ['5']);
    mkdirSync(join(cfg.dirs.taskDir, 'local'));
    copyFileSync(join(children, 'exit-code.sh'), join(cfg.dirs.taskDir, 'local', 'run.sh'));
    const res = await d.waitTask((await d.startTask(cfg)).taskId);
    assert.equal(res.exitCode, 5);
  });

  test('a missing binary is an unrecoverable DRIVER_START', async () => {
    const d = driver();
    const err = await d.startTask(newTask('no-such-binary-here', [])).catch((e: unknown) => e);
    await assertRejectsCode(Promise.reject(err), 'DRIVER_START');
    assert.equal((err as { recoverable: boolean }).recoverable, false);
  });

  test('a bad config block is an unrecoverable DRIVER_START', async () => {
    const d = driver();
    const cfg = { ...newTask('x', []), driverConfig: { args: ['no command'] } };
    await assertRejectsCode(d.startTask(cfg), 'DRIVER_START');
  });

  test('an unopenable log file is a DRIVER_START', async () => {
    const d = driver();
    const cfg = newTask(join(children, 'exit-code.sh'), []);
    await assertRejectsCode(d.startTask({ ...cfg, stdoutPath: join(cfg.dirs.taskDir, 'missing', 'out') }), 'DRIVER_START');
  });

  test('starting a task that is still running is refused', async () => {
    const d = driver();
    const cfg = newTask(join(children, 'sleep.sh'), []);
    const h = await d.startTask(cfg);
    await assertRejectsCode(d.startTask(cfg), 'DRIVER_START');
    await d.destroyTask(h.taskId, true);
  });
});

describe('raw_exec fingerprint', () => {
  test('enabled: healthy with the driver attribute', async () => {
    const fp = await driver().fingerprint();
    assert.deepEqual(fp, { detected: true, healthy: true, message: 'Healthy', attributes: { 'driver.raw_exec': '1' } });
  });

  test('disabled: "disabled", and it refuses to start tasks', async () => {
    const d = createRawExecDriver({ log: silentLogger, enabled: false });
    const fp = await d.fingerprint();
    assert.equal(fp.healthy, false);
    assert.equal(fp.message, 'disabled');
    assert.deepEqual(d.capabilities, { sendSignals: true, exec: false, fsIsolation: 'none' });
    await assertRejectsCode(d.startTask(newTask(join(children, 'exit-code.sh'), [])), 'DRIVER_START');
  });
});
