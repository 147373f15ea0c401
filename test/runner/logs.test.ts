import assert from 'node:assert/strict';
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { followLogs, lastLines, readLogs } from '../../src/runner/logs-read.js';
import { liveLogPath, logIndices, rotateIfNeeded, rotationConfig } from '../../src/runner/logs.js';
import { makeTempDir, waitFor } from '../drivers/contract.js';

const tmp = makeTempDir('logs');
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => {
  const d = join(tmp, `logs${++n}`);
  mkdirSync(d);
  return d;
};
const cfg = { maxFiles: 3, maxFileSizeBytes: 100 };
const line = (i: number): string => `line ${String(i).padStart(4, '0')} ${'x'.repeat(20)}\n`; // 31 bytes

/** Stands in for the task: an O_APPEND fd on the live file, kept across rotations. */
function openTask(dir: string): { write: (s: string) => void; close: () => void } {
  const fd = openSync(liveLogPath(dir, 'web', 'stdout'), 'a');
  return { write: (s) => void writeSync(fd, s), close: () => closeSync(fd) };
}

describe('log files', () => {
  test('liveLogPath: .0 for a first start, else the highest index; copies and other tasks ignored', () => {
    const dir = freshDir();
    assert.equal(liveLogPath(dir, 'web', 'stdout'), join(dir, 'web.stdout.0'));
    for (const f of ['web.stdout.0', 'web.stdout.2', 'web.stdout.7.rotating', 'web.stderr.9', 'web2.stdout.8', 'web.stdout.x']) writeFileSync(join(dir, f), '');
    assert.equal(liveLogPath(dir, 'web', 'stdout'), join(dir, 'web.stdout.2'));
    assert.deepEqual(logIndices(dir, 'web', 'stdout'), [0, 2]);
    assert.equal(liveLogPath(join(dir, 'missing'), 'web', 'stdout'), join(dir, 'missing', 'web.stdout.0'));
  });

  test('rotation copies, truncates the live inode and moves it up one index', () => {
    const dir = freshDir();
    const task = openTask(dir);
    for (let i = 0; i < 3; i++) task.write(line(i));
    assert.equal(rotateIfNeeded(dir, 'web', 'stdout', cfg), false, '93 bytes is within 100');
    task.write(line(3));
    const liveIno = statSync(join(dir, 'web.stdout.0')).ino;
    assert.equal(rotateIfNeeded(dir, 'web', 'stdout', cfg), true);
    assert.equal(readFileSync(join(dir, 'web.stdout.0'), 'utf8'), line(0) + line(1) + line(2) + line(3));
    assert.equal(statSync(join(dir, 'web.stdout.1')).ino, liveIno);
    assert.equal(statSync(join(dir, 'web.stdout.1')).size, 0);
    task.write(line(4));
    assert.equal(readFileSync(join(dir, 'web.stdout.1'), 'utf8'), line(4));
    assert.equal(liveLogPath(dir, 'web', 'stdout'), join(dir, 'web.stdout.1'));
    task.close();
  });

  test('keeps at most maxFiles, dropping the oldest; readers see the rest in order', () => {
    const dir = freshDir();
    const task = openTask(dir);
    let written = '';
    for (let i = 0; i < 40; i++) {
      task.write(line(i));
      written += line(i);
      rotateIfNeeded(dir, 'web', 'stdout', cfg);
    }
    task.close();
    const idx = logIndices(dir, 'web', 'stdout');
    assert.equal(idx.length, 3);
    assert.deepEqual(idx, [idx[0], idx[0] + 1, idx[0] + 2]);
    const all = readLogs(dir, 'web', 'stdout').toString();
    assert.ok(written.endsWith(all), 'what is kept is the newest part of what was written');
    assert.ok(all.length > 2 * cfg.maxFileSizeBytes);
  });

  test('finishes a rotation interrupted after the link, drops one interrupted before it', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'web.stdout.0'), 'abcdef');
    writeFileSync(join(dir, 'web.stdout.0.rotating'), 'abc');
    linkSync(join(dir, 'web.stdout.0'), join(dir, 'web.stdout.1'));
    rotateIfNeeded(dir, 'web', 'stdout', cfg);
    assert.equal(readFileSync(join(dir, 'web.stdout.0'), 'utf8'), 'abcdef');
    assert.equal(readFileSync(join(dir, 'web.stdout.1'), 'utf8'), '');
    assert.notEqual(statSync(join(dir, 'web.stdout.0')).ino, statSync(join(dir, 'web.stdout.1')).ino);

    writeFileSync(join(dir, 'web.stdout.1.rotating'), 'partial');
    rotateIfNeeded(dir, 'web', 'stdout', cfg);
    assert.equal(existsSync(join(dir, 'web.stdout.1.rotating')), false);
    assert.deepEqual(logIndices(dir, 'web', 'stdout'), [0, 1]);
  });

  test('rotationConfig uses MiB like Nomad', () => {
    assert.deepEqual(rotationConfig({ maxFiles: 10, maxFileSizeMB: 10 }), { maxFiles: 10, maxFileSizeBytes: 10 * 1024 * 1024 });
  });
});

describe('readLogs', () => {
  const dir = freshDir();
  writeFileSync(join(dir, 'web.stderr.3'), 'a\nb\n');
  writeFileSync(join(dir, 'web.stderr.4'), 'c\nd');
  const cases: ReadonlyArray<readonly [string, { tail?: number; bytes?: number }, string]> = [
    ['everything, in index order', {}, 'a\nb\nc\nd'],
    ['last 2 lines across files', { tail: 2 }, 'c\nd'],
    ['last 3 lines', { tail: 3 }, 'b\nc\nd'],
    ['more lines than exist', { tail: 10 }, 'a\nb\nc\nd'],
    ['last 5 bytes', { bytes: 5 }, 'b\nc\nd'],
    ['bytes then lines', { bytes: 5, tail: 1 }, 'd'],
  ];
  for (const [name, opts, want] of cases) test(name, () => assert.equal(readLogs(dir, 'web', 'stderr', opts).toString(), want));
  test('no logs read as empty', () => assert.equal(readLogs(dir, 'api', 'stdout').length, 0));
  test('lastLines treats a trailing newline as the end of the last line', () => {
    assert.equal(lastLines(Buffer.from('x\ny\nz\n'), 2).toString(), 'y\nz\n');
    assert.equal(lastLines(Buffer.from('x\ny'), 0).toString(), '');
  });
});

test('followLogs yields what is appended after it starts, across rotations, exactly once', async () => {
  const dir = freshDir();
  const task = openTask(dir);
  task.write('before follow\n');
  const ac = new AbortController();
  let got = '';
  const reader = (async () => {
    for await (const chunk of followLogs(dir, 'web', 'stdout', ac.signal, { pollMs: 10 })) got += chunk.toString();
  })();
  // An async generator runs up to its first await on the first next(), which the loop above
  // calls synchronously: the follower has taken its starting point before this line.
  let expected = '';
  try {
    for (let i = 0; i < 12; i++) {
      task.write(line(i));
      expected += line(i);
      // Odd lines: rotate before the follower has read them, so it must take them from the copy.
      if (i % 2 === 1) rotateIfNeeded(dir, 'web', 'stdout', { maxFiles: 20, maxFileSizeBytes: 60 });
      await waitFor(() => got === expected, `line ${i}`);
      if (i % 2 === 0) rotateIfNeeded(dir, 'web', 'stdout', { maxFiles: 20, maxFileSizeBytes: 60 });
    }
  } finally {
    ac.abort();
    await reader;
    task.close();
  }
  assert.equal(got, expected);
  assert.ok(logIndices(dir, 'web', 'stdout').length > 3, 'rotations happened');
});
