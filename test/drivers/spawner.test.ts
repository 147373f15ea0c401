import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSpawner, type SpawnedProcess, type SpawnOptions } from '../../src/drivers/spawner/client.js';
import { decodeMessage, decodeRequest, lineSplitter } from '../../src/drivers/spawner/protocol.js';
import { ownProcsFile } from '../../src/drivers/spawner/spawner-warm.js';
import { shimArgs } from '../../src/drivers/exit-shim.js';
import { BivouacError } from '../../src/util/errors.js';
import { silentLogger } from '../../src/util/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'bivouac-spawner-'));
chmodSync(dir, 0o755);
after(() => rmSync(dir, { recursive: true, force: true }));

function opts(name: string, script: string, extra: Partial<SpawnOptions> = {}): SpawnOptions {
  return { file: '/bin/sh', args: ['-c', script], cwd: dir, env: { PATH: '/usr/bin:/bin' }, stdoutPath: join(dir, `${name}.out`), stderrPath: join(dir, `${name}.err`), gated: false, ...extra };
}

type End = { kind: 'exited'; code: number | null; signal: string | null } | { kind: 'lost' };
/** How the process ended, as its watcher hears it; ref'd meanwhile, as a driver awaiting it is. */
function ended(p: SpawnedProcess): Promise<End> {
  p.ref();
  return new Promise((resolve) => {
    p.once('exit', (code, signal) => resolve({ kind: 'exited', code, signal }));
    p.onLost(() => resolve({ kind: 'lost' }));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** /proc/<pid>/stat field 6, the session id. */
function sessionOf(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[3]);
}

describe('spawner protocol', () => {
  test('requests and messages round-trip, and anything else is refused', () => {
    const req = { kind: 'spawn', id: 1, file: '/bin/true', args: ['a'], cwd: '/', env: { A: 'b' }, stdoutPath: '/o', stderrPath: '/e', gated: false };
    assert.deepEqual(decodeRequest(JSON.stringify(req)), req);
    assert.deepEqual(decodeRequest(JSON.stringify({ ...req, uid: 1, gid: 2 })), { ...req, uid: 1, gid: 2 });
    assert.equal(decodeRequest(JSON.stringify({ ...req, uid: 1 })), null, 'uid without gid');
    assert.equal(decodeRequest(JSON.stringify({ ...req, args: [1] })), null);
    assert.equal(decodeRequest(JSON.stringify({ ...req, env: { A: 1 } })), null);
    assert.equal(decodeRequest('not json'), null);
    assert.equal(decodeRequest(JSON.stringify({ ...req, kind: undefined })), null);
    assert.deepEqual(decodeRequest('{"kind":"release","id":4,"go":true}'), { kind: 'release', id: 4, go: true });
    assert.equal(decodeRequest('{"kind":"release","id":4}'), null);
    const warm = { kind: 'warm', mount: '/sys/fs/cgroup/unified', controller: '', forMs: 150 };
    assert.deepEqual(decodeRequest(JSON.stringify(warm)), warm);
    assert.equal(decodeRequest(JSON.stringify({ ...warm, forMs: '150' })), null);
    assert.deepEqual(decodeRequest(JSON.stringify({ ...req, gated: true, join: ['/c'] })), { ...req, gated: true, join: ['/c'] });
    assert.equal(decodeRequest(JSON.stringify({ ...req, join: ['/c'] })), null, 'join without a gate');
    const made = { ...req, gated: true, join: ['/c/cgroup.procs'], mkdirs: ['/c'], writes: [{ file: '/c/memory.max', value: '1' }] };
    assert.deepEqual(decodeRequest(JSON.stringify(made)), made);
    assert.equal(decodeRequest(JSON.stringify({ ...req, gated: true, mkdirs: ['/c'] })), null, 'mkdirs without a join');
    assert.equal(decodeRequest(JSON.stringify({ ...made, writes: [{ file: '/c/x' }] })), null, 'a write without a value');
    const tree = { kind: 'mktree', id: 5, entries: [{ path: '/d/.b', mode: 0o711, file: false }, { path: '/d/.b/f', mode: 0o644, file: true }], renameTo: '/d/1' };
    assert.deepEqual(decodeRequest(JSON.stringify(tree)), tree);
    assert.equal(decodeRequest(JSON.stringify({ ...tree, entries: [] })), null, 'a tree without a root');
    assert.equal(decodeRequest(JSON.stringify({ ...tree, entries: [{ path: '/x', mode: '0711', file: false }] })), null);
    assert.deepEqual(decodeMessage('{"kind":"made","id":5}'), { kind: 'made', id: 5 });
    assert.deepEqual(decodeMessage('{"kind":"started","id":1,"pid":2,"startTime":3}'), { kind: 'started', id: 1, pid: 2, startTime: 3 });
    assert.deepEqual(decodeMessage('{"kind":"exited","pid":3,"code":null,"signal":"SIGKILL"}'), { kind: 'exited', pid: 3, code: null, signal: 'SIGKILL' });
    assert.equal(decodeMessage('{"kind":"started","id":1}'), null);
    const lines: string[] = [];
    const feed = lineSplitter((l) => lines.push(l));
    feed('a\nb');
    feed('c\n\nd\n');
    assert.deepEqual(lines, ['a', 'bc', 'd']);
  });
});

describe('spawner', () => {
  test('starts a detached process with its env, cwd and log files, and reports its exit', async () => {
    const sp = createSpawner(silentLogger);
    try {
      const p = await sp.spawn(opts('a', 'echo "out $FOO $(pwd)"; echo err >&2; exit 3', { env: { FOO: 'bar', PATH: '/usr/bin:/bin' } }));
      assert.ok(p.pid > 1);
      assert.deepEqual(await ended(p), { kind: 'exited', code: 3, signal: null });
      assert.equal(readFileSync(join(dir, 'a.out'), 'utf8'), `out bar ${dir}\n`);
      assert.equal(readFileSync(join(dir, 'a.err'), 'utf8'), 'err\n');
      const q = await sp.spawn(opts('b', 'exec sleep 30'));
      assert.equal(sessionOf(q.pid), q.pid, 'a session of its own');
      process.kill(q.pid, 'SIGTERM');
      assert.deepEqual(await ended(q), { kind: 'exited', code: null, signal: 'SIGTERM' });
    } finally {
      sp.close();
    }
  });

  test('a gated start runs nothing until released; released without go, it exits unrun', async () => {
    const sp = createSpawner(silentLogger);
    try {
      const gate = 'IFS= read -r go || exit 125; [ "$go" = go ] || exit 125; echo ran';
      const p = await sp.spawn(opts('g1', gate, { gated: true }));
      assert.ok(alive(p.pid));
      assert.equal(readFileSync(join(dir, 'g1.out'), 'utf8'), '', 'nothing ran before the release');
      const end = ended(p);
      p.release(true);
      assert.deepEqual(await end, { kind: 'exited', code: 0, signal: null });
      assert.equal(readFileSync(join(dir, 'g1.out'), 'utf8'), 'ran\n');
      const q = await sp.spawn(opts('g2', gate, { gated: true }));
      const qEnd = ended(q);
      q.release(false);
      assert.deepEqual(await qEnd, { kind: 'exited', code: 125, signal: null });
      assert.equal(readFileSync(join(dir, 'g2.out'), 'utf8'), '');
    } finally {
      sp.close();
    }
  });

  test('runs as the given uid and gid', async () => {
    const sp = createSpawner(silentLogger);
    try {
      const p = await sp.spawn(opts('u', 'id -u; id -g', { uid: 65534, gid: 65534 }));
      assert.deepEqual(await ended(p), { kind: 'exited', code: 0, signal: null });
      assert.equal(readFileSync(join(dir, 'u.out'), 'utf8'), '65534\n65534\n');
    } finally {
      sp.close();
    }
  });

  test('a program that cannot start, or a log path that is a symlink, fails the start', async () => {
    const sp = createSpawner(silentLogger);
    try {
      await assert.rejects(sp.spawn({ ...opts('x', ''), file: join(dir, 'no-such-program') }), (e: unknown) => e instanceof BivouacError && e.code === 'DRIVER_START' && /ENOENT/.test(e.message));
      writeFileSync(join(dir, 'target'), '');
      symlinkSync(join(dir, 'target'), join(dir, 'link.out'));
      await assert.rejects(sp.spawn(opts('link', 'echo no')), (e: unknown) => e instanceof BivouacError && e.code === 'DRIVER_START' && /symbolic link/.test(e.message));
      assert.equal(readFileSync(join(dir, 'target'), 'utf8'), '');
      // The helper is still serving after those failures.
      const p = await sp.spawn(opts('ok', 'exit 0'));
      assert.deepEqual(await ended(p), { kind: 'exited', code: 0, signal: null });
    } finally {
      sp.close();
    }
  });

  test('a helper killed under a running child loses nothing: the child runs on, its exit is reported lost, and the next start gets a new helper', async () => {
    const sp = createSpawner(silentLogger);
    let orphan = 0;
    try {
      const first = await sp.spawn(opts('k', 'echo $PPID; exec sleep 30'));
      orphan = first.pid;
      await until(() => readFileSync(join(dir, 'k.out'), 'utf8').trim() !== '', 'the child to print its parent');
      const helperPid = Number(readFileSync(join(dir, 'k.out'), 'utf8').trim());
      process.kill(helperPid, 'SIGKILL');
      assert.deepEqual(await ended(first), { kind: 'lost' });
      assert.ok(alive(orphan), 'the task outlives its spawner');
      const next = await sp.spawn(opts('n', 'echo $PPID'));
      assert.deepEqual(await ended(next), { kind: 'exited', code: 0, signal: null });
      assert.notEqual(Number(readFileSync(join(dir, 'n.out'), 'utf8').trim()), helperPid);
    } finally {
      sp.close();
      if (orphan) process.kill(orphan, 'SIGKILL');
    }
  });

  test('close ends the helper and leaves its children running', async () => {
    const sp = createSpawner(silentLogger);
    const p = await sp.spawn(opts('c', 'echo $PPID; exec sleep 30'));
    await until(() => readFileSync(join(dir, 'c.out'), 'utf8').trim() !== '', 'the child to print its parent');
    const helperPid = Number(readFileSync(join(dir, 'c.out'), 'utf8').trim());
    sp.close();
    assert.deepEqual(await ended(p), { kind: 'lost' });
    await until(() => !alive(helperPid) || readFileSync(`/proc/${helperPid}/stat`, 'utf8').includes(') Z'), 'the helper to exit');
    assert.ok(alive(p.pid));
    process.kill(p.pid, 'SIGKILL');
  });

  test('a gated start with `join`: the helper writes the pid there, reads its start time, and lets it run; a join that fails runs nothing', async () => {
    const sp = createSpawner(silentLogger);
    try {
      const procs = join(dir, 'j.procs');
      writeFileSync(procs, '');
      const p = await sp.spawn(opts('j', 'echo ran', { gated: true, join: [procs] }));
      assert.equal(readFileSync(procs, 'utf8'), String(p.pid));
      assert.equal(typeof p.startTime, 'number');
      assert.deepEqual(await ended(p), { kind: 'exited', code: 0, signal: null });
      assert.equal(readFileSync(join(dir, 'j.out'), 'utf8'), 'ran\n');
      const marker = join(dir, 'j2.ran');
      await assert.rejects(
        sp.spawn(opts('j2', `touch ${marker}`, { gated: true, join: [join(dir, 'no-such-dir', 'cgroup.procs')] })),
        (e: unknown) => e instanceof BivouacError && e.code === 'DRIVER_START' && /cannot put the task in its cgroup/.test(e.message),
      );
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(existsSync(marker), false, 'the task did not run');
    } finally {
      sp.close();
    }
  });

  test('a start that makes its cgroup: the dirs made, the files there written, those absent skipped, then the join; a dir that cannot be made runs nothing and names it', async () => {
    const sp = createSpawner(silentLogger);
    try {
      const cg = join(dir, 'mk-cg');
      const limit = join(cg, 'limit');
      const p = await sp.spawn(
        opts('mk', 'echo ran', { gated: true, mkdirs: [cg, join(dir, 'mk-cg2')], writes: [{ file: join(cg, 'absent'), value: 'x' }], join: [join(cg, 'procs')] }),
      );
      assert.equal(readFileSync(join(cg, 'procs'), 'utf8'), String(p.pid), 'joined after the dirs were made');
      assert.ok(existsSync(join(dir, 'mk-cg2')));
      assert.equal(existsSync(join(cg, 'absent')), false, 'a control file the hierarchy lacks is not created');
      assert.deepEqual(await ended(p), { kind: 'exited', code: 0, signal: null });
      writeFileSync(limit, '');
      const w = await sp.spawn(opts('mkw', 'true', { gated: true, mkdirs: [join(dir, 'mk-cg3')], writes: [{ file: limit, value: '64' }], join: [join(dir, 'mk-cg3', 'procs')] }));
      await ended(w);
      assert.equal(readFileSync(limit, 'utf8'), '64');
      const marker = join(dir, 'mk-bad.ran');
      await assert.rejects(
        sp.spawn({ ...opts('mk-bad', ''), args: shimArgs(join(dir, 'mk-bad.exit'), '/bin/touch', [marker]), gated: true, mkdirs: [join(dir, 'mk-cg4'), cg], join: [join(cg, 'procs')] }),
        (e: unknown) => e instanceof BivouacError && e.code === 'DRIVER_START' && e.message.includes(`cannot create the task's cgroup ${cg}`) && /EEXIST/.test(e.message),
      );
      // Answered only once every mkdir had settled: the one that worked is there for the caller to remove.
      assert.ok(existsSync(join(dir, 'mk-cg4')));
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(existsSync(marker), false, 'the task did not run');
    } finally {
      sp.close();
    }
  });

  test('a helper killed in the middle of a request loses nothing and runs nothing: the start fails, the gated task exits unrun, the next start gets a new helper', async () => {
    const sp = createSpawner(silentLogger);
    try {
      const first = await sp.spawn(opts('mid0', 'echo $PPID'));
      await ended(first);
      const helperPid = Number(readFileSync(join(dir, 'mid0.out'), 'utf8').trim());
      // A FIFO as the cgroup.procs to join: the helper's write blocks there until it is killed.
      const fifo = join(dir, 'mid.fifo');
      spawnSync('mkfifo', [fifo]);
      const marker = join(dir, 'mid.ran');
      const pending = sp.spawn({ ...opts('mid', ''), args: shimArgs(join(dir, 'mid.exit'), '/bin/touch', [marker]), gated: true, join: [fifo] });
      const childrenOf = (pid: number): number[] => {
        try {
          return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter((x) => x !== '').map(Number);
        } catch {
          return [];
        }
      };
      await until(() => childrenOf(helperPid).length > 0, 'the helper to fork the task');
      const task = childrenOf(helperPid)[0];
      process.kill(helperPid, 'SIGKILL');
      await assert.rejects(pending, (e: unknown) => e instanceof BivouacError && e.code === 'DRIVER_START' && /spawner ended/.test(e.message));
      await until(() => !alive(task) || readFileSync(`/proc/${task}/stat`, 'utf8').includes(') Z'), 'the unreleased task to exit');
      assert.equal(existsSync(marker), false, 'the task never ran');
      const next = await sp.spawn(opts('mid2', 'echo $PPID'));
      assert.deepEqual(await ended(next), { kind: 'exited', code: 0, signal: null });
      assert.notEqual(Number(readFileSync(join(dir, 'mid2.out'), 'utf8').trim()), helperPid);
    } finally {
      sp.close();
    }
  });

  test('a warm-up moves nothing: the helper stays in its cgroup, and starts go on', async () => {
    const sp = createSpawner(silentLogger);
    try {
      const first = await sp.spawn(opts('w1', 'echo $PPID'));
      await ended(first);
      const helperPid = Number(readFileSync(join(dir, 'w1.out'), 'utf8').trim());
      const before = readFileSync(`/proc/${helperPid}/cgroup`, 'utf8');
      const unified = before.split('\n').find((l) => l.startsWith('0::'));
      // The unified hierarchy where it is mounted; a host without one warms a v1 controller's.
      const mount = unified !== undefined ? (existsSync('/sys/fs/cgroup/unified/cgroup.procs') ? '/sys/fs/cgroup/unified' : '/sys/fs/cgroup') : '/sys/fs/cgroup/memory';
      sp.warm({ mount, controller: unified !== undefined ? '' : 'memory' }, 100);
      const second = await sp.spawn(opts('w2', 'echo $PPID'));
      assert.deepEqual(await ended(second), { kind: 'exited', code: 0, signal: null });
      assert.equal(Number(readFileSync(join(dir, 'w2.out'), 'utf8').trim()), helperPid, 'the same helper');
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(readFileSync(`/proc/${helperPid}/cgroup`, 'utf8'), before);
    } finally {
      sp.close();
    }
  });
});

describe('ownProcsFile', () => {
  test("finds this process's cgroup.procs in the unified hierarchy or a v1 controller's", () => {
    const f = join(dir, 'self-cgroup');
    writeFileSync(f, '12:pids:/a\n4:cpu,cpuacct:/b/c\n1:name=systemd:/d\n0::/e/f\n');
    assert.equal(ownProcsFile('/sys/fs/cgroup/unified', '', f), '/sys/fs/cgroup/unified/e/f/cgroup.procs');
    assert.equal(ownProcsFile('/sys/fs/cgroup/cpuacct', 'cpuacct', f), '/sys/fs/cgroup/cpuacct/b/c/cgroup.procs');
    assert.equal(ownProcsFile('/sys/fs/cgroup/memory', 'memory', f), null);
  });
});
