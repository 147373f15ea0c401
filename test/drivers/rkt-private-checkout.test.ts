/**
 * Issue 14: a checkout under a 0700 parent (root cloning into /root) must pass the rkt
 * contract too. The stand-in runs apps as host processes as nobody, so everything an app
 * reaches must live outside the checkout. Proven by running the compiled contract from a
 * copy of the build under a fresh 0700 directory.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

const home = mkdtempSync(join(tmpdir(), 'bivouac-private-home-'));
after(() => rmSync(home, { recursive: true, force: true }));

test('the rkt driver contract passes from a checkout under a 0700 directory', () => {
  chmodSync(home, 0o700);
  const checkout = join(home, 'bivouac');
  mkdirSync(checkout);
  cpSync(join(repoRoot, 'package.json'), join(checkout, 'package.json'));
  cpSync(join(repoRoot, 'dist'), join(checkout, 'dist'), { recursive: true });
  cpSync(join(repoRoot, 'test', 'fixtures'), join(checkout, 'test', 'fixtures'), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(checkout, 'node_modules'));
  assert.equal(statSync(home).mode & 0o777, 0o700);
  // Without the parent runner's context, so the child reports in plain TAP.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT'));
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', join(checkout, 'dist', 'test', 'drivers', 'rkt.contract.test.js')], { encoding: 'utf8', timeout: 300_000, env });
  assert.match(r.stdout, /^# fail 0$/m, r.stdout.split('\n').filter((l) => /not ok|error|!==/.test(l)).slice(0, 20).join('\n'));
  assert.equal(r.status, 0);
});
