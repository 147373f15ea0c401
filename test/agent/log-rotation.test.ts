/**
 * The agent's rotation loop over a real state file and real log files: it follows the live
 * file as rotations move it up an index, finishes a rotation a crash left half done, and
 * forgets allocations that stopped.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { JobCache } from '../../src/agent/job-cache.js';
import { LogRotationLoop } from '../../src/agent/log-rotation.js';
import { canonicalHash } from '../../src/jobspec/index.js';
import { allocDirPaths } from '../../src/runner/taskdir.js';
import { insertAlloc, openState, putJobVersion, setAllocClientStatus, tx } from '../../src/state/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { makeTempDir } from '../drivers/contract.js';
import { group, job, task } from '../scheduler/builders.js';

const tmp = makeTempDir('rotation-loop');
after(() => rmSync(tmp, { recursive: true, force: true }));
const MiB = 1024 * 1024;
const T0 = 1_700_000_000_000;

function setup(): { loop: LogRotationLoop; logsDir: string; stop: () => void; close: () => void } {
  const dataDir = join(tmp, randomUUID());
  mkdirSync(dataDir);
  const db = openState(join(dataDir, 'state.db'));
  const spec = job({ id: 'logs', name: 'logs', groups: [group({ name: 'g', tasks: [task({ name: 'web', logs: { maxFiles: 2, maxFileSizeMB: 1 } })] })] });
  const allocId = randomUUID();
  tx(db, () => {
    putJobVersion(db, spec, canonicalHash(spec), 'logs.nomad', T0);
    insertAlloc(db, { id: allocId, jobId: 'logs', jobVersion: 0, taskGroup: 'g', index: 0, name: 'logs.g[0]', resources: { cpu: 100, memoryMB: 300, diskMB: 300 }, ports: [], tasks: [{ name: 'web', driver: 'raw_exec' }] }, T0);
    setAllocClientStatus(db, allocId, 'running', 'Tasks are running', T0);
  });
  const logsDir = allocDirPaths(dataDir, allocId, ['web']).logsDir;
  mkdirSync(logsDir, { recursive: true });
  return {
    loop: new LogRotationLoop(db, new JobCache(db), dataDir, silentLogger),
    logsDir,
    stop: () => setAllocClientStatus(db, allocId, 'complete', 'All tasks have completed', T0 + 1),
    close: () => db.close(),
  };
}

/** Files of `dir` this process holds open. */
function heldIn(dir: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir + '/')) out.push(target.slice(dir.length + 1));
    } catch {
      // closed meanwhile (the readdir's own descriptor)
    }
  }
  return out.sort();
}

describe('LogRotationLoop', () => {
  test('rotates the live file each time it outgrows the limit, following it up the indices, and keeps max_files', () => {
    const { loop, logsDir, close } = setup();
    try {
      const file = (i: number): string => join(logsDir, `web.stdout.${i}`);
      writeFileSync(file(0), 'a'.repeat(1000));
      writeFileSync(join(logsDir, 'web.stderr.0'), '');
      loop.tick();
      assert.equal(existsSync(file(1)), false, 'within the limit: nothing moves');
      appendFileSync(file(0), 'b'.repeat(MiB));
      loop.tick();
      assert.equal(statSync(file(1)).size, 0, 'the live inode, truncated, is .1 now');
      assert.equal(statSync(file(0)).size, 1000 + MiB);
      // The task keeps writing to its inode, now named .1: the loop must look there, not at .0.
      appendFileSync(file(1), 'c'.repeat(MiB + 1));
      loop.tick();
      assert.equal(statSync(file(2)).size, 0);
      assert.equal(readFileSync(file(1), 'utf8'), 'c'.repeat(MiB + 1));
      assert.equal(existsSync(file(0)), false, 'max_files = 2 keeps .1 and .2');
      loop.tick();
      assert.equal(existsSync(file(3)), false, 'the new live file is small: no rotation');
    } finally {
      close();
    }
  });

  test('finishes a rotation a crash left half done, on its first look', () => {
    const { loop, logsDir, close } = setup();
    try {
      // Crashed after step 2 (the live inode linked as .1), before the copy was renamed over .0.
      writeFileSync(join(logsDir, 'web.stdout.0'), 'old');
      writeFileSync(join(logsDir, 'web.stdout.0.rotating'), 'old');
      linkSync(join(logsDir, 'web.stdout.0'), join(logsDir, 'web.stdout.1'));
      loop.tick();
      assert.equal(existsSync(join(logsDir, 'web.stdout.0.rotating')), false);
      assert.equal(readFileSync(join(logsDir, 'web.stdout.0'), 'utf8'), 'old');
      assert.notEqual(statSync(join(logsDir, 'web.stdout.0')).ino, statSync(join(logsDir, 'web.stdout.1')).ino);
    } finally {
      close();
    }
  });

  test('a stopped allocation is no longer looked at', () => {
    const { loop, logsDir, stop, close } = setup();
    try {
      writeFileSync(join(logsDir, 'web.stdout.0'), '');
      loop.tick();
      stop();
      appendFileSync(join(logsDir, 'web.stdout.0'), 'x'.repeat(MiB + 1));
      loop.tick();
      assert.equal(existsSync(join(logsDir, 'web.stdout.1')), false);
    } finally {
      close();
    }
  });

  test('holds each live file open for its size probe, follows it up the indices, and lets go when the allocation stops', () => {
    const { loop, logsDir, stop, close } = setup();
    try {
      writeFileSync(join(logsDir, 'web.stdout.0'), '');
      writeFileSync(join(logsDir, 'web.stderr.0'), '');
      loop.tick();
      assert.deepEqual(heldIn(logsDir), ['web.stderr.0', 'web.stdout.0']);
      appendFileSync(join(logsDir, 'web.stdout.0'), 'x'.repeat(MiB + 1));
      loop.tick();
      assert.equal(statSync(join(logsDir, 'web.stdout.1')).size, 0, 'rotated on the probe');
      assert.deepEqual(heldIn(logsDir), ['web.stderr.0', 'web.stdout.1']);
      stop();
      loop.tick();
      assert.deepEqual(heldIn(logsDir), []);
    } finally {
      loop.close();
      close();
    }
  });

  test('a new file under the live name (a task restarted after its files were removed) is found within 15 ticks', () => {
    const { loop, logsDir, close } = setup();
    try {
      const live = join(logsDir, 'web.stdout.0');
      writeFileSync(live, 'old');
      loop.tick();
      unlinkSync(live);
      writeFileSync(live, 'y'.repeat(MiB + 1));
      let ticks = 0;
      while (!existsSync(join(logsDir, 'web.stdout.1')) && ticks < 15) {
        loop.tick();
        ticks++;
      }
      assert.equal(statSync(join(logsDir, 'web.stdout.1')).size, 0, `rotated after ${ticks} ticks`);
      assert.equal(statSync(live).size, MiB + 1);
    } finally {
      loop.close();
      close();
    }
  });

  test("a FIFO in the live file's place neither blocks a tick nor is held open", () => {
    const { loop, logsDir, close } = setup();
    try {
      execFileSync('mkfifo', [join(logsDir, 'web.stdout.0')]);
      loop.tick();
      loop.tick();
      assert.deepEqual(heldIn(logsDir), []);
      assert.equal(existsSync(join(logsDir, 'web.stdout.1')), false);
    } finally {
      loop.close();
      close();
    }
  });
});
