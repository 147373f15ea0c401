import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  childProcesses,
  findProcessesByEnv,
  isSameProcess,
  parseProcStat,
  processGroupMembers,
  readBootId,
  readProcStat,
  signalNumber,
} from '../../src/drivers/proc.js';
import { assertRejectsCode, makeTempDir } from './contract.js';

// Fields 3..22 after the comm; field 22 (start time) is the last one given here.
const tail = (state: string, ppid: number, pgrp: number, start: number): string =>
  `${state} ${ppid} ${pgrp} ${pgrp} 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 ${start} 1000 200`;

describe('parseProcStat', () => {
  const cases = [
    { name: 'plain comm', text: `42 (sleep) ${tail('S', 1, 42, 12345)}\n`, comm: 'sleep' },
    { name: 'comm with spaces', text: `42 (my task) ${tail('S', 1, 42, 12345)}`, comm: 'my task' },
    { name: 'comm with parens', text: `42 (a) (b) c) ${tail('S', 1, 42, 12345)}`, comm: 'a) (b) c' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(parseProcStat(c.text), { pid: 42, comm: c.comm, state: 'S', ppid: 1, pgrp: 42, startTime: 12345 });
    });
  }
  test('garbage is null', () => {
    assert.equal(parseProcStat(''), null);
    assert.equal(parseProcStat('42 sleep S 1'), null);
    assert.equal(parseProcStat('42 (x) S 1 2'), null);
  });
});

describe('/proc readers on a planted tree', () => {
  const proc = makeTempDir('proc');
  after(() => rmSync(proc, { recursive: true, force: true }));
  const plant = (pid: number, state: string, ppid: number, pgrp: number, start: number, env: string[]): void => {
    mkdirSync(join(proc, String(pid)));
    writeFileSync(join(proc, String(pid), 'stat'), `${pid} (p${pid}) ${tail(state, ppid, pgrp, start)}\n`);
    writeFileSync(join(proc, String(pid), 'environ'), env.map((e) => `${e}\0`).join(''));
  };
  mkdirSync(join(proc, 'sys', 'kernel', 'random'), { recursive: true });
  writeFileSync(join(proc, 'sys', 'kernel', 'random', 'boot_id'), 'boot-1\n');
  plant(100, 'S', 1, 100, 500, ['BIVOUAC_TASK_ID=a/t', 'PATH=/bin']);
  plant(101, 'S', 100, 100, 501, ['BIVOUAC_TASK_ID=a/t']);
  plant(102, 'Z', 100, 100, 502, ['BIVOUAC_TASK_ID=a/t']);
  plant(200, 'R', 1, 200, 600, ['BIVOUAC_TASK_ID=a/t2', 'X=BIVOUAC_TASK_ID=a/t']);
  mkdirSync(join(proc, 'self'));

  test('boot id and stat', () => {
    assert.equal(readBootId(proc), 'boot-1');
    assert.equal(readProcStat(proc, 101)?.ppid, 100);
    assert.equal(readProcStat(proc, 999), null);
  });

  test('isSameProcess needs pid, start time and boot to match, and no zombie', () => {
    assert.equal(isSameProcess(proc, 100, 500, 'boot-1'), true);
    assert.equal(isSameProcess(proc, 100, 501, 'boot-1'), false);
    assert.equal(isSameProcess(proc, 100, 500, 'boot-2'), false);
    assert.equal(isSameProcess(proc, 102, 502, 'boot-1'), false);
    assert.equal(isSameProcess(proc, 999, 500, 'boot-1'), false);
  });

  test('findProcessesByEnv matches whole entries of live processes', () => {
    assert.deepEqual(findProcessesByEnv(proc, 'BIVOUAC_TASK_ID', 'a/t'), [100, 101]);
    assert.deepEqual(findProcessesByEnv(proc, 'BIVOUAC_TASK_ID', 'a/t2'), [200]);
    assert.deepEqual(findProcessesByEnv(proc, 'BIVOUAC_TASK_ID', 'a'), []);
  });

  test('group members and children skip zombies', () => {
    assert.deepEqual(processGroupMembers(proc, 100), [100, 101]);
    assert.deepEqual(childProcesses(proc, 100), [101]);
    assert.deepEqual(processGroupMembers(proc, 300), []);
  });
});

test('the real /proc: this process is itself', () => {
  const me = readProcStat('/proc', process.pid);
  assert.ok(me);
  assert.equal(me.pid, process.pid);
  assert.equal(isSameProcess('/proc', process.pid, me.startTime, readBootId('/proc')), true);
  assert.ok(processGroupMembers('/proc', me.pgrp).includes(process.pid));
});

describe('signalNumber', () => {
  for (const [name, n] of [['SIGINT', 2], ['INT', 2], ['sigterm', 15], ['SIGKILL', 9], ['SIGUSR1', 10], ['HUP', 1]] as const) {
    test(name, () => assert.equal(signalNumber(name), n));
  }
  test('unknown names are CONFIG errors', async () => {
    await assertRejectsCode(() => signalNumber('SIGNOPE'), 'CONFIG');
  });
});
