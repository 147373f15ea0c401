/** raw_exec in cgroups: every process of the task is killed with it, signals reach the task, nothing is left. */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cgroupPids, decodeTaskCgroup, distinctDirs, type CgroupManager } from '../../src/cgroups/index.js';
import { readProcStat } from '../../src/drivers/proc.js';
import { createRawExecDriver } from '../../src/drivers/raw_exec/index.js';
import type { Driver, TaskConfig } from '../../src/drivers/types.js';
import { silentLogger } from '../../src/util/logger.js';
import { isBivouacError } from '../../src/util/errors.js';
import { cleanupManager, testManager } from '../cgroups/helpers.js';
import { reachableChildren } from '../helpers/paths.js';
import { fileContains, hostTaskConfig, makeTempDir, waitFor } from './contract.js';

const root = makeTempDir('raw-exec-cg');
// One test runs its task as nobody, who may not reach the checkout.
const children = reachableChildren(root);
const cgroups: CgroupManager = testManager('rawexec');
after(async () => {
  await cleanupManager(cgroups);
  rmSync(root, { recursive: true, force: true });
});

let seq = 0;
function newTask(script: string, args: string[], user = ''): TaskConfig {
  const id = `cg-${++seq}`;
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true, mode: 0o777 });
  return { ...hostTaskConfig({ command: join(children, script), args }, { root: dir, id }), allocId: `alloc${seq}`, user };
}
const driver = (): Driver => createRawExecDriver({ log: silentLogger, enabled: true, pollIntervalMs: 50, cgroups });

/**
 * Not a zombie and not reaped. destroyTask returns once the cgroup is empty and removed; a
 * killed process leaves the cgroup on its way out of the kernel, a moment before /proc shows
 * it a zombie, so the tests wait (bounded) for that rather than read it once.
 */
function alive(pid: number): boolean {
  const st = readProcStat('/proc', pid);
  return st !== null && st.state !== 'Z';
}
const pidIn = (path: string): number => Number(readFileSync(path, 'utf8').trim());

describe('raw_exec with cgroups', () => {
  test('the handle names the cgroup; stop takes a setsid grandchild; the cgroup is removed', async () => {
    const d = driver();
    const cfg = newTask('daemonise.sh', [join(root, 'd1.pid')]);
    const h = await d.startTask(cfg);
    const cg = decodeTaskCgroup(h.state.cgroup);
    assert.ok(cg, 'cgroup in the handle');
    assert.equal(cg.name, `${cfg.allocId}.${cfg.taskName}`);
    await waitFor(() => existsSync(join(root, 'd1.pid')) && fileContains(cfg.stdoutPath, 'ready'), 'daemon started');
    const daemon = pidIn(join(root, 'd1.pid'));
    assert.ok(cgroupPids(cg).includes(daemon), 'the daemon is in the task cgroup');
    assert.notEqual(readProcStat('/proc', daemon)?.pgrp, h.state.pgid, 'the daemon left the process group');
    await d.stopTask(h.taskId, 5_000, 'SIGTERM');
    await d.destroyTask(h.taskId, true);
    await waitFor(() => !alive(daemon), 'the daemon gone');
    for (const dir of distinctDirs(cg)) assert.ok(!existsSync(dir), `${dir} removed`);
  });

  test('a task that exits on its own has its leftover daemon killed when destroyed', async () => {
    const d = driver();
    const cfg = newTask('daemonise.sh', [join(root, 'd2.pid'), 'exit']);
    const h = await d.startTask(cfg);
    assert.equal((await d.waitTask(h.taskId)).exitCode, 0);
    await waitFor(() => existsSync(join(root, 'd2.pid')), 'daemon pid');
    const daemon = pidIn(join(root, 'd2.pid'));
    assert.ok(alive(daemon));
    await d.destroyTask(h.taskId, false);
    await waitFor(() => !alive(daemon), 'the daemon gone');
    assert.deepEqual(cgroups.list(), []);
  });

  test('after an agent restart, a fresh driver finds the task by its handle and kills its whole cgroup', async () => {
    const cfg = newTask('daemonise.sh', [join(root, 'd3.pid')]);
    const h = await driver().startTask(cfg);
    await waitFor(() => existsSync(join(root, 'd3.pid')) && fileContains(cfg.stdoutPath, 'ready'), 'daemon started');
    const daemon = pidIn(join(root, 'd3.pid'));
    const second = driver();
    await second.recoverTask(JSON.parse(JSON.stringify(h)));
    assert.equal(second.inspectTask(h.taskId).state, 'running');
    await second.stopTask(h.taskId, 5_000, 'SIGINT');
    await second.destroyTask(h.taskId, true);
    await waitFor(() => !alive(daemon), 'the daemon gone');
    assert.deepEqual(cgroups.list(), []);
  });

  test('not limited, as in Nomad: memory = 32 and 100 MB allocated runs to the end; its cgroup holds no limit', async () => {
    const d = driver();
    const id = `cg-${++seq}`;
    const dir = join(root, id);
    mkdirSync(dir, { recursive: true, mode: 0o777 });
    const cfg = { ...hostTaskConfig({ command: '/bin/sh', args: ['-c', 'head -c 100m /dev/zero | tail >/dev/null'] }, { root: dir, id }), allocId: `alloc${seq}`, resources: { cpu: 100, memoryMB: 32, memoryMaxMB: 0 } };
    const h = await d.startTask(cfg);
    const cg = decodeTaskCgroup(h.state.cgroup);
    assert.ok(cg);
    const limit = cg.dirs.memory !== undefined ? readFileSync(join(cg.dirs.memory, 'memory.limit_in_bytes'), 'utf8').trim() : 'max';
    assert.ok(limit === 'max' || Number(limit) > 1024 * 1024 * 1024, `no limit of its own (${limit})`);
    assert.deepEqual(await d.waitTask(h.taskId), { exitCode: 0, signal: 0, oomKilled: false, err: null });
    await d.destroyTask(h.taskId, false);
  });

  test('signalTask reaches the task itself through the exit-status shim', async () => {
    const d = driver();
    const out = join(root, 'usr1');
    const cfg = newTask('trap-usr1.sh', [out]);
    const h = await d.startTask(cfg);
    await waitFor(() => fileContains(cfg.stdoutPath, 'ready'), 'trap set');
    await d.signalTask?.(h.taskId, 'SIGUSR1');
    assert.deepEqual(await d.waitTask(h.taskId), { exitCode: 0, signal: 0, oomKilled: false, err: null });
    assert.equal(readFileSync(out, 'utf8'), 'got USR1\n');
    await d.destroyTask(h.taskId, false);
  });

  test('a task running as nobody is in its cgroup too (the agent joins it before it runs)', async () => {
    const d = driver();
    const cfg = newTask('daemonise.sh', [join(root, `cg-${seq + 1}`, 'd5.pid')], 'nobody');
    const pidFile = join(cfg.dirs.taskDir, 'd5.pid');
    const h = await d.startTask(cfg);
    await waitFor(() => existsSync(pidFile), 'daemon started');
    const daemon = pidIn(pidFile);
    assert.equal(readProcStat('/proc', daemon) !== null, true);
    const cg = decodeTaskCgroup(h.state.cgroup);
    assert.ok(cg && cgroupPids(cg).includes(daemon));
    await d.destroyTask(h.taskId, true);
    await waitFor(() => !alive(daemon), 'the daemon gone');
  });
});

describe('raw_exec: the spawner makes the task cgroup', () => {
  test('a cgroup that cannot be made fails the start with a clear error; nothing ran and no cgroup is left in any hierarchy', async () => {
    const m = testManager('rawexec-mk');
    try {
      // The agent's own directory in the memory hierarchy (else the only one) vanished: that mkdir fails, the other's works.
      const h = m.layout.hierarchies.find((x) => x.kind === 'memory') ?? m.layout.hierarchies[0];
      const base = m.bases.find((b) => b.startsWith(`${h.own}/`));
      assert.ok(base);
      rmdirSync(base);
      const d = createRawExecDriver({ log: silentLogger, enabled: true, pollIntervalMs: 50, cgroups: m });
      const cfg = newTask('exit-code.sh', ['0']);
      const ran = join(cfg.dirs.taskDir, '.bivouac-exit');
      await assert.rejects(d.startTask(cfg), (e: unknown) => isBivouacError(e) && e.code === 'DRIVER_START' && e.message.includes(`cannot create the task's cgroup ${join(base, m.nameOf(cfg.allocId, cfg.taskName))}`));
      assert.deepEqual(m.list(), [], 'the cgroup made in the other hierarchy was removed');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(existsSync(ran), false, 'the task never ran (its shim records every run)');
    } finally {
      await cleanupManager(m);
    }
  });
});

describe('raw_exec task user and a private data dir', () => {
  test('a task dir nobody cannot reach is a clear start error naming the directory and the fix', async () => {
    const priv = join(root, 'private-home');
    mkdirSync(priv, { mode: 0o700 });
    chmodSync(priv, 0o700);
    const dir = join(priv, 'data', 'task');
    mkdirSync(dir, { recursive: true });
    const cfg = { ...hostTaskConfig({ command: join(children, 'exit-code.sh'), args: ['0'] }, { root: dir, id: 'private' }), user: 'nobody' };
    await assert.rejects(driver().startTask(cfg), (e: unknown) => isBivouacError(e) && e.code === 'DRIVER_START' && e.userMessage.includes(`${priv} is mode 700`) && !e.recoverable);
    assert.deepEqual(cgroups.list(), []);
  });
});
