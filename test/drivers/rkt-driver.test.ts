/** The rkt driver with the stand-in: real pods, real processes, recovery from handles. */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createRktDriver } from '../../src/drivers/rkt/index.js';
import type { Driver, TaskConfig } from '../../src/drivers/types.js';
import { isBivouacError } from '../../src/util/errors.js';
import { silentLogger } from '../../src/util/logger.js';
import { makeRktSandbox, runStandin, type RktSandbox, type StandinOptions } from '../helpers/rkt.js';
import { assertRejectsCode, fileContains, waitFor } from './contract.js';

const boxes: RktSandbox[] = [];
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups) await c().catch(() => undefined);
  boxes.forEach((b) => b.cleanup());
});

function setup(o: StandinOptions = {}): { sb: RktSandbox; make: () => Driver } {
  const sb = makeRktSandbox(o);
  boxes.push(sb);
  const make = (): Driver => createRktDriver({ log: silentLogger, rktPath: sb.rktPath, rktDir: sb.dataDir, isRoot: () => true, execTimeoutMs: 20_000, pollIntervalMs: 50 });
  return { sb, make };
}

let seq = 0;
function taskConfig(sb: RktSandbox, driverConfig: unknown): TaskConfig {
  const id = `t${++seq}`;
  const root = join(sb.root, id);
  const d = { allocDir: join(root, 'alloc'), taskDir: join(root, 'task'), localDir: join(root, 'task', 'local'), secretsDir: join(root, 'task', 'secrets'), tmpDir: join(root, 'task', 'tmp') };
  Object.values(d).forEach((p) => mkdirSync(p, { recursive: true }));
  // As the runner lays it out: tasks (nobody, in a pod) share files through alloc/data.
  mkdirSync(join(d.allocDir, 'data'));
  chmodSync(join(d.allocDir, 'data'), 0o1777);
  return {
    id: `alloc-${id}/web`, allocId: `a${id}`, jobId: 'job', groupName: 'g', taskName: 'web', driverConfig,
    env: { GREETING: 'hello', NOMAD_TASK_DIR: d.localDir }, user: '', resources: { cpu: 250, memoryMB: 64, memoryMaxMB: 0 }, ports: [],
    dirs: d, stdoutPath: join(root, 'stdout.0'), stderrPath: join(root, 'stderr.0'),
  };
}

const sh = (script: string): Record<string, unknown> => ({ image: 'example.com/sh:1.0', command: '/bin/sh', args: ['-c', script] });
const read = (p: string): string => readFileSync(p, 'utf8');

describe('rkt driver', () => {
  test('image, command and args: output lands in the stdout file, exit code recorded, rm after exit', async () => {
    const { sb, make } = setup();
    const d = make();
    const cfg = taskConfig(sb, sh('echo "$GREETING from $NOMAD_TASK_DIR"; echo oops >&2; echo x > $NOMAD_ALLOC_DIR/data/shared; exit 3'));
    const h = await d.startTask(cfg);
    const uuid = String(h.state.uuid);
    assert.equal(h.driver, 'rkt');
    const res = await d.waitTask(h.taskId);
    assert.deepEqual(res, { exitCode: 3, signal: 0, oomKilled: false, err: null });
    // The pod sees NOMAD_TASK_DIR=/local; the stand-in maps the mount target to its host source.
    assert.equal(read(cfg.stdoutPath), `hello from ${cfg.dirs.localDir}\n`);
    assert.match(read(cfg.stderrPath), /^oops$/m);
    assert.equal(read(join(cfg.dirs.allocDir, 'data', 'shared')), 'x\n');
    assert.equal(d.inspectTask(h.taskId).state, 'exited');
    assert.match(runStandin(sb, ['status', uuid]).stdout, /app-sh=3/);
    await d.destroyTask(h.taskId, false);
    assert.equal(runStandin(sb, ['status', uuid]).code, 254);
    await assertRejectsCode(() => d.inspectTask(h.taskId), 'TASK_NOT_FOUND');
  });

  test('stop sends the kill signal, then SIGKILL after the timeout', async () => {
    const { sb, make } = setup();
    const d = make();
    const polite = taskConfig(sb, sh('echo ready; exec sleep 30'));
    const h1 = await d.startTask(polite);
    cleanups.push(() => d.destroyTask(h1.taskId, true));
    await waitFor(() => fileContains(polite.stdoutPath, 'ready'), 'ready');
    await d.stopTask(h1.taskId, 20_000, 'SIGTERM');
    assert.deepEqual(await d.waitTask(h1.taskId), { exitCode: 143, signal: 15, oomKilled: false, err: null });
    const stubborn = taskConfig(sb, sh('trap "" INT TERM; echo ready; while :; do sleep 1; done'));
    const h2 = await d.startTask(stubborn);
    cleanups.push(() => d.destroyTask(h2.taskId, true));
    await waitFor(() => fileContains(stubborn.stdoutPath, 'ready'), 'ready');
    await d.stopTask(h2.taskId, 300, 'SIGINT');
    assert.equal((await d.waitTask(h2.taskId)).signal, 9);
  });

  test('agent restart: a fresh driver re-attaches by UUID (one pod), then stops it', async () => {
    const { sb, make } = setup();
    const cfg = taskConfig(sb, sh('echo ready; exec sleep 30'));
    const first = make();
    const h = await first.startTask(cfg);
    cleanups.push(() => first.destroyTask(h.taskId, true));
    await waitFor(() => fileContains(cfg.stdoutPath, 'ready'), 'ready');
    const second = make();
    cleanups.push(() => second.destroyTask(h.taskId, true));
    await second.recoverTask(h);
    await second.recoverTask(h);
    assert.equal(second.inspectTask(h.taskId).state, 'running');
    const list = runStandin(sb, ['list', '--no-legend']).stdout.trim().split('\n');
    assert.equal(list.length, 1);
    assert.match(list[0], /\trunning\t/);
    await second.stopTask(h.taskId, 20_000, 'SIGINT');
    assert.deepEqual(await second.waitTask(h.taskId), { exitCode: 130, signal: 2, oomKilled: false, err: null });
  });

  test('a pod that exits while no agent runs: exit code from rkt status (coreos)', async () => {
    const { sb, make } = setup();
    const cfg = taskConfig(sb, sh('exit 7'));
    const first = make();
    const h = await first.startTask(cfg);
    await first.waitTask(h.taskId); // only to know it is over before the "new agent" looks
    const second = make();
    await second.recoverTask(h);
    assert.deepEqual(await second.waitTask(h.taskId), { exitCode: 7, signal: 0, oomKilled: false, err: null });
    await second.destroyTask(h.taskId, false);
  });

  test('re-attached pod exits later: code read back from rkt status', async () => {
    const { sb, make } = setup();
    const flag = join(sb.root, 'go');
    const cfg = taskConfig(sb, sh(`echo ready; while [ ! -e ${flag} ]; do sleep 0.05; done; exit 5`));
    const h = await make().startTask(cfg);
    await waitFor(() => fileContains(cfg.stdoutPath, 'ready'), 'ready');
    const second = make();
    await second.recoverTask(h);
    mkdirSync(flag);
    assert.equal((await second.waitTask(h.taskId)).exitCode, 5);
  });

  test('fly stage1: the code of a pod that ended unattended comes from the host-side shim', async () => {
    const { sb, make } = setup({ stage1: 'fly' });
    const first = make();
    const cfg = taskConfig(sb, sh('exit 7'));
    const h = await first.startTask(cfg);
    assert.equal((await first.waitTask(h.taskId)).exitCode, 7); // the process we started tells
    assert.doesNotMatch(runStandin(sb, ['status', String(h.state.uuid)]).stdout, /app-sh=/, 'fly records no code');
    const second = make();
    await second.recoverTask(h);
    assert.deepEqual(await second.waitTask(h.taskId), { exitCode: 7, signal: 0, oomKilled: false, err: null });
    // A handle from before the shim (no exit file) has only rkt to ask, and fly does not know.
    const third = make();
    const old = { ...h, state: { uuid: h.state.uuid, pid: h.state.pid, startTime: h.state.startTime, bootId: h.state.bootId } };
    await third.recoverTask(old);
    assert.deepEqual(await third.waitTask(h.taskId), { exitCode: null, signal: 0, oomKilled: false, err: 'exit code unknown' });
    await second.destroyTask(h.taskId, false);
  });

  test('stand-in as rkt: a pod stays running while a background child of its app lives, and rm refuses it; uncontained, the destroy fails and retries', async () => {
    const { sb, make } = setup({ stage1: 'fly' });
    const d = make();
    const cfg = taskConfig(sb, sh('sleep 300 & echo $! > "$NOMAD_ALLOC_DIR/data/bg.pid"; exit 0'));
    const h = await d.startTask(cfg);
    const uuid = String(h.state.uuid);
    assert.equal((await d.waitTask(h.taskId)).exitCode, 0);
    const bg = Number(read(join(cfg.dirs.allocDir, 'data', 'bg.pid')));
    assert.match(runStandin(sb, ['status', uuid]).stdout, /^state=running$/m, 'the child holds the pod lock');
    assert.match(runStandin(sb, ['rm', uuid]).stderr, /is currently running/);
    await assert.rejects(d.destroyTask(h.taskId, false), (e: unknown) => isBivouacError(e) && /rkt rm .* failed, will retry/.test(e.userMessage));
    process.kill(bg, 'SIGKILL');
    await waitFor(() => runStandin(sb, ['status', uuid]).code === 254, 'pod removed by the retry', 30_000);
  });

  test('signalTask reaches the app through the exit-status shim and rkt, not the shim alone', async () => {
    const { sb, make } = setup();
    const d = make();
    const cfg = taskConfig(sb, sh('trap \'echo got > "$NOMAD_ALLOC_DIR/data/sig"; exit 0\' HUP; echo ready; while :; do sleep 0.1; done'));
    const h = await d.startTask(cfg);
    cleanups.push(() => d.destroyTask(h.taskId, true));
    await waitFor(() => fileContains(cfg.stdoutPath, 'ready'), 'ready');
    await d.signalTask?.(h.taskId, 'SIGHUP');
    assert.deepEqual(await d.waitTask(h.taskId), { exitCode: 0, signal: 0, oomKilled: false, err: null });
    assert.equal(read(join(cfg.dirs.allocDir, 'data', 'sig')), 'got\n');
  });

  test('an unknown pod is TASK_NOT_FOUND', async () => {
    const { make } = setup();
    const handle = { driver: 'rkt', taskId: 'x', version: 1, state: { uuid: '00000000-0000-4000-8000-000000000000', pid: 1, startTime: 1, bootId: 'b' } };
    await assertRejectsCode(make().recoverTask(handle), 'TASK_NOT_FOUND');
  });

  const failures = [
    { name: 'trust failure', config: { image: 'example.com/sh:1.0', trust_prefix: 'example.com/invalid' }, msg: 'Error running rkt trust: trust: error determining key location: discovery failed' },
    { name: 'unknown image', config: { image: 'nosuch.example/app:1' }, msg: 'Error preparing rkt pod: prepare: error finding images: discovery failed' },
    { name: 'docker image with insecure_options none', config: { image: 'docker://redis:7', insecure_options: ['none'], port_map: {} }, msg: 'Error preparing rkt pod: prepare: error finding images: signature verification for docker images is not supported (try --insecure-options=image)' },
  ];
  for (const f of failures) {
    test(`${f.name}: DRIVER_START with rkt's message`, async () => {
      const { sb, make } = setup();
      await assert.rejects(make().startTask(taskConfig(sb, f.config)), (e: unknown) => isBivouacError(e) && e.code === 'DRIVER_START' && e.userMessage === f.msg);
    });
  }

  test('trust prefix, then a signed image by name runs', async () => {
    const { sb, make } = setup();
    const d = make();
    const h = await d.startTask(taskConfig(sb, { image: 'coreos.com/etcd:v2.0.4', trust_prefix: 'coreos.com/etcd', command: '/bin/echo', args: ['etcd version 2.0.4'] }));
    assert.equal((await d.waitTask(h.taskId)).exitCode, 0);
  });
});
