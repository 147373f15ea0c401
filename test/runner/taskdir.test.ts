import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { allocDirPaths, buildAllocDir } from '../../src/runner/taskdir.js';
import { isBivouacError } from '../../src/util/errors.js';
import { makeTempDir } from '../drivers/contract.js';

const tmp = makeTempDir('taskdir');
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const freshDataDir = (): string => join(tmp, `data${++n}`);
const mode = (p: string): number => statSync(p).mode & 0o7777;

function assertCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => isBivouacError(e) && e.code === code);
}

describe('buildAllocDir', () => {
  test("lays out Nomad's tree with the intended modes", () => {
    const data = freshDataDir();
    const p = buildAllocDir(data, 'a1', ['web', 'side car']);
    const root = join(data, 'alloc', 'a1');
    assert.equal(p.root, root);
    assert.equal(p.logsDir, join(root, 'alloc', 'logs'));
    for (const d of ['alloc/data', 'alloc/logs', 'alloc/tmp', 'web/local', 'web/secrets', 'web/tmp', 'side car/local']) {
      assert.ok(statSync(join(root, d)).isDirectory(), d);
    }
    assert.equal(mode(root), 0o711);
    assert.equal(mode(join(root, 'web', 'secrets')), 0o700);
    assert.equal(mode(join(root, 'alloc', 'tmp')), 0o1777);
    assert.equal(mode(join(root, 'alloc', 'data')), 0o1777, 'tasks of different users share data/');
    assert.equal(mode(join(root, 'web', 'tmp')), 0o1777);
    assert.deepEqual(p.tasks.get('web'), {
      dir: join(root, 'web'),
      local: join(root, 'web', 'local'),
      secrets: join(root, 'web', 'secrets'),
      tmp: join(root, 'web', 'tmp'),
    });
  });

  test('is idempotent and repairs modes, keeping content', () => {
    const data = freshDataDir();
    const p = buildAllocDir(data, 'a1', ['web']);
    const web = p.tasks.get('web');
    assert.ok(web);
    writeFileSync(join(web.local, 'keep'), 'x');
    chmodSync(web.secrets, 0o755);
    buildAllocDir(data, 'a1', ['web']);
    assert.equal(mode(web.secrets), 0o700);
    assert.ok(statSync(join(web.local, 'keep')).isFile());
  });

  const planted: ReadonlyArray<readonly [string, string]> = [
    ['task local/ dir', 'web/local'],
    ['task secrets/ dir', 'web/secrets'],
    ['task dir', 'web'],
    ['shared logs dir', 'alloc/logs'],
    ['alloc root', ''],
  ];
  for (const [what, rel] of planted) {
    test(`refuses a symlink planted as the ${what}`, () => {
      const data = freshDataDir();
      const outside = join(tmp, `outside${n}`);
      mkdirSync(outside, { mode: 0o755 });
      chmodSync(outside, 0o755);
      const target = join(data, 'alloc', 'a1', rel);
      mkdirSync(join(target, '..'), { recursive: true });
      symlinkSync(outside, target);
      assertCode(() => buildAllocDir(data, 'a1', ['web']), 'UNSAFE_PATH');
      assert.ok(lstatSync(target).isSymbolicLink());
      assert.equal(mode(outside), 0o755, 'the symlink target was not touched');
    });
  }

  test('refuses a file where a directory belongs', () => {
    const data = freshDataDir();
    mkdirSync(join(data, 'alloc', 'a1', 'alloc'), { recursive: true });
    writeFileSync(join(data, 'alloc', 'a1', 'alloc', 'logs'), '');
    assertCode(() => buildAllocDir(data, 'a1', []), 'UNSAFE_PATH');
  });
});

describe('allocDirPaths refuses names that would escape or collide', () => {
  const cases: ReadonlyArray<readonly [string, string, string[]]> = [
    ['dot-dot alloc id', '..', []],
    ['slash in alloc id', 'a/b', []],
    ['empty alloc id', '', []],
    ['dot-dot task', 'a1', ['..']],
    ['dot task', 'a1', ['.']],
    ['absolute task', 'a1', ['/etc']],
    ['nested task', 'a1', ['x/../../y']],
    ['NUL in task', 'a1', ['x\0y']],
    ['task named like the shared dir', 'a1', ['alloc']],
  ];
  for (const [name, allocId, tasks] of cases) {
    test(name, () => assertCode(() => allocDirPaths('/data', allocId, tasks), 'UNSAFE_PATH'));
  }
});
