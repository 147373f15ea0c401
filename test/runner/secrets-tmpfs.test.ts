/**
 * secrets/ as a tmpfs on this host's real mount table (as root): mounted once per task,
 * named after it, and unmounted only when it is this agent's and the task's own.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { mountSecretsTmpfs, readMounts, secretsSource, unmountSecrets } from '../../src/runner/secrets-tmpfs.js';
import { makeTestDir } from '../helpers/paths.js';
import { unmountUnder } from '../helpers/agent.js';

const root = realpathSync(makeTestDir('bivouac-secrets-'));
after(() => {
  unmountUnder(root);
  rmSync(root, { recursive: true, force: true });
});

function secretsOf(dataDir: string, alloc: string, task: string): string {
  const p = join(dataDir, 'alloc', alloc, task, 'secrets');
  mkdirSync(p, { recursive: true, mode: 0o700 });
  return p;
}

const mountsAt = (p: string) => readMounts().filter((m) => m.mountPoint === p);

test('mounted as a 1 MiB noexec tmpfs named after the task, once however often asked', async () => {
  const dataDir = join(root, 'one');
  const s = secretsOf(dataDir, 'a1', 'web');
  writeFileSync(join(s, 'on-disk'), 'x');
  await mountSecretsTmpfs(s, 'a1', 'web');
  await mountSecretsTmpfs(s, 'a1', 'web');
  const m = mountsAt(s);
  assert.equal(m.length, 1);
  assert.equal(m[0].fsType, 'tmpfs');
  assert.equal(m[0].source, secretsSource('a1', 'web'));
  const line = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === s) ?? '';
  assert.match(line, /noexec/);
  assert.match(line, /size=1024k/);
  assert.equal(statSync(s).mode & 0o777, 0o700);
  // What was on disk is not what the task sees.
  assert.throws(() => statSync(join(s, 'on-disk')));
  assert.deepEqual(await unmountSecrets(dataDir, () => false), [s]);
  assert.equal(mountsAt(s).length, 0);
});

test('unmounts only its own: kept tasks, other names at a task path, and other data dirs stay', async () => {
  const dataDir = join(root, 'two');
  const mine = secretsOf(dataDir, 'a1', 'web');
  const kept = secretsOf(dataDir, 'a2', 'db');
  const foreign = secretsOf(dataDir, 'a3', 'x');
  const otherAgent = secretsOf(join(root, 'other'), 'a1', 'web');
  await mountSecretsTmpfs(mine, 'a1', 'web');
  await mountSecretsTmpfs(kept, 'a2', 'db');
  await mountSecretsTmpfs(otherAgent, 'a1', 'web');
  // Someone else's tmpfs where a task's secrets would be, under another name: not ours.
  assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'someone-else', foreign]).status, 0);
  const done = await unmountSecrets(dataDir, (alloc, task) => alloc === 'a2' && task === 'db');
  assert.deepEqual(done, [mine]);
  assert.equal(mountsAt(mine).length, 0);
  assert.equal(mountsAt(kept).length, 1);
  assert.equal(mountsAt(foreign).length, 1);
  assert.equal(mountsAt(otherAgent).length, 1);
});

test('a data dir that does not exist has nothing to unmount', async () => {
  assert.deepEqual(await unmountSecrets(join(root, 'nope'), () => false), []);
});
