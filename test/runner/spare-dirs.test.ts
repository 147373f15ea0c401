import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createSpareAllocDirs, SPARES_DIR } from '../../src/runner/spare-dirs.js';
import { buildAllocDir } from '../../src/runner/taskdir.js';
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
      const spare = join(data, SPARES_DIR, readdirSync(join(data, SPARES_DIR)).filter((x) => !x.startsWith('.'))[0]);
      const ino = inode(spare);
      const p = buildAllocDir(data, 'a1', ['web', 'side'], { dirs: spares, task: 'web' });
      assert.equal(inode(p.root), ino, 'the spare was renamed into place, not rebuilt');
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
      const p = buildAllocDir(data, 'a1', ['web'], { dirs: spares, task: 'web' });
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
      assert.equal(spares.claim(join(data, 'alloc', 'a1'), 'web'), false);
      const p = buildAllocDir(data, 'a1', ['web'], { dirs: spares, task: 'web' });
      assert.deepEqual(readdirSync(p.tasks.get('web')?.local ?? ''), ['keep']);
      assert.equal(readdirSync(join(data, SPARES_DIR)).length, 1, 'the spare is still there for the next allocation');
    } finally {
      await spares.close();
    }
  });

  test('the pool refills after claims, and an empty pool means the start builds its own tree', async () => {
    const data = freshDataDir();
    const spares = createSpareAllocDirs({ dataDir: data, size: 1, log: silentLogger });
    try {
      await spares.filled();
      buildAllocDir(data, 'a1', ['t'], { dirs: spares, task: 't' });
      // Claimed at once, before the refill could finish: built the ordinary way.
      const p2 = buildAllocDir(data, 'a2', ['t'], { dirs: spares, task: 't' });
      assert.ok(statSync(p2.tasks.get('t')?.secrets ?? '').isDirectory());
      await spares.filled();
      const ready = readdirSync(join(data, SPARES_DIR));
      assert.equal(ready.length, 1);
      assert.ok(spares.claim(join(data, 'alloc', 'a3'), 't'));
      assert.ok(statSync(join(data, 'alloc', 'a3', 'alloc', 'logs', 't.stdout.0')).isFile());
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
      const p = buildAllocDir(data, 'a1', ['web'], { dirs: spares, task: 'web' });
      assert.deepEqual(readdirSync(p.tasks.get('web')?.dir ?? ''), ['local', 'secrets', 'tmp']);
    } finally {
      await spares.close();
    }
  });
});
