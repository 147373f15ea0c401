import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createSpareAllocDirs, SPARES_DIR, type SpareAllocDirs } from '../../src/runner/spare-dirs.js';
import { buildAllocDir, type AllocDirPaths } from '../../src/runner/taskdir.js';
import { silentLogger } from '../../src/util/logger.js';
import { createSpawner } from '../../src/drivers/spawner/client.js';
import { isBivouacError } from '../../src/util/errors.js';
import { makeTempDir } from '../drivers/contract.js';

const tmp = makeTempDir('spare-dirs');
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const freshDataDir = (): string => join(tmp, `data${++n}`);
const mode = (p: string): number => statSync(p).mode & 0o7777;
const inode = (p: string): number => statSync(p).ino;

/** The runner's way: take a spare for the allocation (null when its tree exists), then build with it. */
async function build(data: string, id: string, tasks: string[], spares: SpareAllocDirs, task: string): Promise<AllocDirPaths> {
  const path = await spares.take(join(data, 'alloc', id));
  return buildAllocDir(data, id, tasks, path !== null ? { dirs: spares, path, task } : undefined);
}

/** Every path under `dir` (relative) with its mode and whether it is a directory. */
function tree(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    out.push(`${r} ${e.isDirectory() ? 'd' : 'f'}${mode(join(dir, r)).toString(8)}`);
    if (e.isDirectory()) out.push(...tree(dir, r));
  }
  return out.sort();
}

describe('spare allocation directories', () => {
  test('a claimed spare is the very tree buildAllocDir makes: same names, same modes, the live log files there', async () => {
    const data = freshDataDir();
    const spares = createSpareAllocDirs({ dataDir: data, size: 2, log: silentLogger });
    try {
      await spares.filled();
      const inodes = readdirSync(join(data, SPARES_DIR)).map((x) => inode(join(data, SPARES_DIR, x)));
      assert.equal(inodes.length, 2);
      const p = await build(data, 'a1', ['web', 'side'], spares, 'web');
      assert.ok(inodes.includes(inode(p.root)), 'a spare was renamed into place, not rebuilt');
      const plain = freshDataDir();
      buildAllocDir(plain, 'a1', ['web', 'side']);
      for (const s of ['stdout', 'stderr']) writeFileSync(join(plain, 'alloc', 'a1', 'alloc', 'logs', `web.${s}.0`), '');
      assert.deepEqual(tree(p.root), tree(join(plain, 'alloc', 'a1')));
      assert.equal(mode(join(data, SPARES_DIR)), 0o700, 'no task can reach a spare');
    } finally {
      await spares.close();
    }
  });

  test("made by the spawner helper (off the agent's thread), a spare is the same tree", async () => {
    const data = freshDataDir();
    const sp = createSpawner(silentLogger);
    const spares = createSpareAllocDirs({ dataDir: data, size: 1, log: silentLogger, makeTree: (e, to) => sp.makeTree(e, to) });
    try {
      await spares.filled();
      const p = await build(data, 'a1', ['web'], spares, 'web');
      const plain = freshDataDir();
      buildAllocDir(plain, 'a1', ['web']);
      for (const s of ['stdout', 'stderr']) writeFileSync(join(plain, 'alloc', 'a1', 'alloc', 'logs', `web.${s}.0`), '');
      assert.deepEqual(tree(p.root), tree(join(plain, 'alloc', 'a1')));
      // A tree the helper cannot make (its target taken) is an error, named as a setup failure.
      mkdirSync(join(data, 'taken', 'x'), { recursive: true });
      await assert.rejects(sp.makeTree([{ path: join(data, 'new'), mode: 0o700, file: false }], join(data, 'taken')), (e: unknown) => isBivouacError(e) && e.code === 'TASK_SETUP');
    } finally {
      await spares.close();
      sp.close();
    }
  });

  test('an allocation whose tree exists (a restart, a second task) is not given a spare', async () => {
    const data = freshDataDir();
    const spares = createSpareAllocDirs({ dataDir: data, size: 1, log: silentLogger });
    try {
      buildAllocDir(data, 'a1', ['web']);
      writeFileSync(join(data, 'alloc', 'a1', 'web', 'local', 'keep'), 'x');
      await spares.filled();
      assert.equal(await spares.take(join(data, 'alloc', 'a1')), null);
      const p = await build(data, 'a1', ['web'], spares, 'web');
      assert.deepEqual(readdirSync(p.tasks.get('web')?.local ?? ''), ['keep']);
      assert.equal(readdirSync(join(data, SPARES_DIR)).length, 1, 'the spare is still there for the next allocation');
    } finally {
      await spares.close();
    }
  });

  test('the pool refills after a take, and a start that finds it empty waits for the next spare rather than building', async () => {
    const data = freshDataDir();
    const spares = createSpareAllocDirs({ dataDir: data, size: 1, log: silentLogger });
    try {
      await spares.filled();
      const first = await spares.take(join(data, 'alloc', 'a1'));
      const second = await spares.take(join(data, 'alloc', 'a2'));
      assert.ok(first !== null && second !== null && first !== second, 'a second spare was made for the second start');
      mkdirSync(join(data, 'alloc'));
      assert.ok(spares.publish(second, join(data, 'alloc', 'a2'), 't'));
      assert.ok(statSync(join(data, 'alloc', 'a2', 'alloc', 'logs', 't.stdout.0')).isFile());
      assert.ok(statSync(join(data, 'alloc', 'a2', 't', 'secrets')).isDirectory());
      await spares.filled();
      assert.equal(readdirSync(join(data, SPARES_DIR)).length, 2, 'the one taken but not used, and the refill');
    } finally {
      await spares.close();
    }
  });

  test('a start whose data dir refuses it (a link planted at alloc/) gives its spare back unused', async () => {
    const data = freshDataDir();
    const spares = createSpareAllocDirs({ dataDir: data, size: 1, log: silentLogger });
    try {
      await spares.filled();
      const [only] = readdirSync(join(data, SPARES_DIR)).map((x) => inode(join(data, SPARES_DIR, x)));
      const outside = join(tmp, `outside${n}`);
      mkdirSync(outside);
      symlinkSync(outside, join(data, 'alloc'));
      await assert.rejects(build(data, 'a1', ['web'], spares, 'web'), (e: unknown) => isBivouacError(e) && e.code === 'UNSAFE_PATH');
      assert.deepEqual(readdirSync(outside), [], 'nothing went through the link');
      rmSync(join(data, 'alloc'));
      const p = await build(data, 'a2', ['web'], spares, 'web');
      assert.equal(inode(p.root), only, 'the one spare was given back and then used');
      assert.ok(statSync(p.tasks.get('web')?.local ?? '').isDirectory());
    } finally {
      await spares.close();
    }
  });

  test('what an earlier agent left in the pool (a half-built spare, one being named) is removed, never handed out', async () => {
    const data = freshDataDir();
    mkdirSync(join(data, SPARES_DIR, '.building-1', 'alloc'), { recursive: true });
    mkdirSync(join(data, SPARES_DIR, '7', 'web'), { recursive: true });
    writeFileSync(join(data, SPARES_DIR, '7', 'web', 'stale'), 'x');
    const spares = createSpareAllocDirs({ dataDir: data, size: 1, log: silentLogger });
    try {
      await spares.filled();
      assert.deepEqual(readdirSync(join(data, SPARES_DIR)), ['1']);
      const p = await build(data, 'a1', ['web'], spares, 'web');
      assert.deepEqual(readdirSync(p.tasks.get('web')?.dir ?? ''), ['local', 'secrets', 'tmp']);
    } finally {
      await spares.close();
    }
  });
});
