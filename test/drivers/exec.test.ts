/**
 * exec beyond the contract, on this host's real namespaces and cgroups: OOM, limits,
 * pid_mode = "host", the chroot map override, bad config, and the fingerprint's reasons.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createExecDriver } from '../../src/drivers/exec/index.js';
import { fingerprintExec } from '../../src/drivers/exec/fingerprint.js';
import { decodeExecConfig } from '../../src/drivers/exec/config.js';
import { fstabText } from '../../src/drivers/exec/setup.js';
import { trackingDir } from '../../src/cgroups/index.js';
import type { Driver, TaskConfig } from '../../src/drivers/types.js';
import { isBivouacError } from '../../src/util/errors.js';
import { silentLogger } from '../../src/util/logger.js';
import { cleanupManager, hostHas, testManager } from '../cgroups/helpers.js';
import { assertRejectsCode, fileContains, makeTempDir, waitFor } from './contract.js';

const root = makeTempDir('exec');
const cgroups = testManager('exec');
const started: Array<[Driver, string]> = [];
after(async () => {
  for (const [d, id] of started) await d.destroyTask(id, true).catch(() => undefined);
  await cleanupManager(cgroups);
  rmSync(root, { recursive: true, force: true });
});

let seq = 0;
/** A task config in the runner's layout: <alloc>/alloc, <alloc>/<task>/{local,secrets,tmp}. */
function cfgFor(config: Record<string, unknown>, extra: Partial<TaskConfig> = {}): TaskConfig {
  const id = `t${++seq}`;
  const alloc = join(root, `alloc-${seq}`);
  const taskDir = join(alloc, id);
  const dirs = { allocDir: join(alloc, 'alloc'), taskDir, localDir: join(taskDir, 'local'), secretsDir: join(taskDir, 'secrets'), tmpDir: join(taskDir, 'tmp') };
  for (const d of [dirs.allocDir, dirs.localDir, dirs.secretsDir, dirs.tmpDir]) mkdirSync(d, { recursive: true });
  return {
    id,
    allocId: `alloc-${seq}`,
    jobId: 'job',
    groupName: 'g',
    taskName: id,
    driverConfig: config,
    env: {},
    user: '',
    resources: { cpu: 100, memoryMB: 64, memoryMaxMB: 0 },
    ports: [],
    dirs,
    stdoutPath: join(alloc, 'stdout'),
    stderrPath: join(alloc, 'stderr'),
    ...extra,
  };
}

const sh = (script: string, more: Record<string, unknown> = {}): Record<string, unknown> => ({ command: '/bin/sh', args: ['-c', script], ...more });

async function start(d: Driver, cfg: TaskConfig): Promise<string> {
  const h = await d.startTask(cfg);
  started.push([d, h.taskId]);
  return h.taskId;
}

describe('exec driver', () => {
  const driver = createExecDriver({ log: silentLogger, isRoot: () => true, pollIntervalMs: 50, cgroups });

  test('memory = 32 and 100 MB allocated: OOM killed', async () => {
    const cfg = cfgFor(sh('head -c 100m /dev/zero | tail'), { resources: { cpu: 100, memoryMB: 32, memoryMaxMB: 0 } });
    const id = await start(driver, cfg);
    const res = await driver.waitTask(id);
    assert.equal(res.oomKilled, true);
    assert.equal(res.signal, 9);
  });

  test('the cgroup gets the hard memory limit (memory_max when given) and CPU shares from MHz', async () => {
    const cfg = cfgFor(sh('echo ready; exec sleep 60'), { resources: { cpu: 250, memoryMB: 48, memoryMaxMB: 96 } });
    const h = await driver.startTask(cfg);
    started.push([driver, h.taskId]);
    const cg = h.state.cgroup as { dirs: Record<string, string> };
    const mem = cg.dirs.memory ? readFileSync(join(cg.dirs.memory, 'memory.limit_in_bytes'), 'utf8') : readFileSync(join(cg.dirs.unified, 'memory.max'), 'utf8');
    assert.equal(Number(mem), 96 * 1024 * 1024);
    if (hostHas('v1 cpu', cg.dirs.cpu !== undefined)) assert.equal(Number(readFileSync(join(cg.dirs.cpu ?? '', 'cpu.shares'), 'utf8')), 250);
    await waitFor(() => fileContains(cfg.stdoutPath, 'ready'), 'ready');
    const sample = driver.taskStats?.(h.taskId);
    assert.equal(sample?.source, 'cgroup');
    // The task's processes are charged to its cgroup (the sample lists them only where a controller is missing).
    assert.ok((sample?.memory?.usage ?? 0) > 0 && (sample?.pids === null || sample.pids >= 1), JSON.stringify(sample));
    await driver.stopTask(h.taskId, 1000, 'SIGINT');
  });

  test('pid_mode = "host": not pid 1, and a setsid grandchild still goes with the cgroup on stop', async () => {
    const cfg = cfgFor(sh("setsid /bin/sh -c 'exec sleep 301' </dev/null >/dev/null 2>&1 & echo \"pid=$$\"; echo ready; exec sleep 300", { pid_mode: 'host' }));
    const h = await driver.startTask(cfg);
    started.push([driver, h.taskId]);
    await waitFor(() => fileContains(cfg.stdoutPath, 'ready'), 'ready');
    const pid = Number(/pid=(\d+)/.exec(readFileSync(cfg.stdoutPath, 'utf8'))?.[1]);
    assert.ok(pid > 1, `pid ${pid}`);
    const cg = h.state.cgroup as Parameters<typeof trackingDir>[0];
    const procs = (): number[] => readFileSync(join(trackingDir(cg) ?? '', 'cgroup.procs'), 'utf8').split('\n').filter((l) => l !== '').map(Number);
    await waitFor(() => procs().some((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('sleep\u0000301')), 'the grandchild in the cgroup');
    const grandchild = procs().find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('sleep\u0000301')) ?? 0;
    await driver.stopTask(h.taskId, 500, 'SIGINT');
    await waitFor(() => !isAlive(grandchild), 'the grandchild gone');
  });

  test('a private IPC namespace by default, the host one with ipc_mode = "host"', async () => {
    const hostIpc = readlinkNs('self', 'ipc');
    for (const [mode, same] of [[undefined, false], ['host', true]] as const) {
      const cfg = cfgFor(sh('readlink /proc/self/ns/ipc', mode ? { ipc_mode: mode } : {}));
      const id = await start(driver, cfg);
      assert.equal((await driver.waitTask(id)).exitCode, 0);
      assert.equal(readFileSync(cfg.stdoutPath, 'utf8').trim() === hostIpc, same, `ipc_mode ${mode ?? 'default'}`);
    }
  });

  test('chroot_env overrides the map: only what it names is in the task root', async () => {
    const narrow = createExecDriver({
      log: silentLogger,
      isRoot: () => true,
      pollIntervalMs: 50,
      chrootEnv: { '/bin': '/bin', '/lib': '/lib', '/lib64': '/lib64', '/usr': '/usr' },
    });
    const cfg = cfgFor(sh('ls /; [ -e /etc/passwd ] && echo etc=yes || echo etc=no'));
    const id = await start(narrow, cfg);
    assert.equal((await narrow.waitTask(id)).exitCode, 0);
    const out = readFileSync(cfg.stdoutPath, 'utf8');
    assert.match(out, /^etc=no$/m);
    assert.doesNotMatch(out, /^sbin$/m);
  });

  test('a nobody task is bounded to Nomad\'s default capabilities (no CAP_SYS_ADMIN); root keeps the full set', async () => {
    const bnd = async (user: string): Promise<bigint> => {
      const cfg = cfgFor(sh('grep CapBnd /proc/self/status'), { user });
      const id = await start(driver, cfg);
      await driver.waitTask(id);
      return BigInt(`0x${/CapBnd:\s+([0-9a-f]+)/.exec(readFileSync(cfg.stdoutPath, 'utf8'))?.[1] ?? '0'}`);
    };
    const CAP_SYS_ADMIN = 21n;
    const nobody = await bnd('');
    assert.equal((nobody >> CAP_SYS_ADMIN) & 1n, 0n);
    assert.equal(nobody, 0xa80405fbn);
    assert.equal((await bnd('root') >> CAP_SYS_ADMIN) & 1n, 1n);
  });

  test('user = "root" runs as root; an unknown user is a start error that no restart fixes', async () => {
    const cfg = cfgFor(sh('id -u'), { user: 'root' });
    const id = await start(driver, cfg);
    await driver.waitTask(id);
    assert.equal(readFileSync(cfg.stdoutPath, 'utf8').trim(), '0');
    try {
      await driver.startTask(cfgFor(sh('true'), { user: 'no-such-user-bivouac' }));
      assert.fail('started');
    } catch (e) {
      assert.ok(isBivouacError(e) && e.code === 'DRIVER_START' && !e.recoverable, String(e));
    }
  });

  test('the setup uses the host tools whatever PATH the task sets, and the task gets its own PATH', async () => {
    const cfg = cfgFor(sh('echo "path=$PATH"; /bin/ls /dev | /usr/bin/tr "\\n" " "'), { env: { PATH: '/opt/task/bin' } });
    const id = await start(driver, cfg);
    assert.equal((await driver.waitTask(id)).exitCode, 0, readFileSync(cfg.stderrPath, 'utf8'));
    const out = readFileSync(cfg.stdoutPath, 'utf8');
    assert.match(out, /^path=\/opt\/task\/bin$/m);
    for (const n of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'fd', 'stdin', 'stdout', 'stderr', 'shm']) assert.match(out, new RegExp(`(^| )${n} `, 'm'));
  });

  test('a command missing from the chroot fails the task with the shell\'s 127', async () => {
    const cfg = cfgFor({ command: '/nonexistent/bin' });
    const id = await start(driver, cfg);
    assert.equal((await driver.waitTask(id)).exitCode, 127);
  });
});

describe('exec config and fingerprint', () => {
  test('config: command required, args strings, pid_mode/ipc_mode private or host, unknown keys refused', async () => {
    assert.deepEqual(decodeExecConfig({ command: '/bin/true' }), { command: '/bin/true', args: [], pidMode: 'private', ipcMode: 'private' });
    assert.deepEqual(decodeExecConfig({ command: 'x', args: ['a'], pid_mode: 'host', ipc_mode: '' }), { command: 'x', args: ['a'], pidMode: 'host', ipcMode: 'private' });
    for (const bad of [{}, { command: '' }, { command: 'x', args: [1] }, { command: 'x', pid_mode: 'container' }, { command: 'x', image: 'y' }, null, []]) {
      await assertRejectsCode(() => decodeExecConfig(bad), 'DRIVER_START');
    }
  });

  test('the root\'s mount table: binds (ro ones read-only), /proc, /dev; spaces and tabs escaped as fstab wants', () => {
    const text = fstabText('/data/alloc/a b/t/', [
      { mode: 'ro', src: '/usr', dst: '/usr' },
      { mode: 'rw', src: '/data/alloc/a b/alloc', dst: '/alloc' },
    ]);
    assert.equal(
      text,
      [
        '/usr /data/alloc/a\\040b/t/usr none bind,ro 0 0',
        '/data/alloc/a\\040b/alloc /data/alloc/a\\040b/t/alloc none bind 0 0',
        'proc /data/alloc/a\\040b/t/proc proc nosuid,nodev,noexec 0 0',
        'bivouac-dev /data/alloc/a\\040b/t/dev tmpfs nosuid,noexec,mode=0755,size=64k 0 0',
        '',
      ].join('\n'),
    );
  });

  test('a driver that cannot run exec refuses the start, saying why, and no restart helps', async () => {
    const notRoot = createExecDriver({ log: silentLogger, isRoot: () => false });
    assert.deepEqual(await notRoot.fingerprint(), { detected: false, healthy: false, message: 'Driver must run as root', attributes: {} });
    try {
      await notRoot.startTask(cfgFor(sh('true')));
      assert.fail('started');
    } catch (e) {
      assert.ok(isBivouacError(e) && e.code === 'DRIVER_START' && !e.recoverable && /Driver must run as root/.test(e.userMessage), String(e));
    }
  });

  test('fingerprint: driver.exec = 1 as root on Linux with cgroups; undetected otherwise, saying why', () => {
    const base = { platform: 'linux', isRoot: true, procRoot: '/proc', binDirs: ['/usr/bin', '/bin', '/usr/sbin', '/sbin'] };
    const ok = fingerprintExec(base).result;
    assert.deepEqual(ok, { detected: true, healthy: true, message: 'Healthy', attributes: { 'driver.exec': '1' } });
    assert.deepEqual(fingerprintExec({ ...base, isRoot: false }).result, { detected: false, healthy: false, message: 'Driver must run as root', attributes: {} });
    assert.equal(fingerprintExec({ ...base, platform: 'darwin' }).result.message, 'exec driver unsupported on client OS');
    const noProc = makeTempDir('exec-noproc');
    try {
      assert.equal(fingerprintExec({ ...base, procRoot: noProc }).result.message, 'Failed to discover cgroup mount point');
      assert.match(fingerprintExec({ ...base, binDirs: [noProc] }).result.message, /unshare, mount, chroot, setpriv/);
    } finally {
      rmSync(noProc, { recursive: true, force: true });
    }
  });
});

function isAlive(pid: number): boolean {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return st.slice(st.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    // No such process.
    return false;
  }
}

function readlinkNs(pid: string, ns: string): string {
  return readlinkSync(`/proc/${pid}/ns/${ns}`);
}
