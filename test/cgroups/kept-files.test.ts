/**
 * The sampler's kept-open files: regular files in a real directory, /proc of a real child,
 * and a real task cgroup removed and made anew under the same name.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { KeptFiles, keptFilesCap, keyedValue, numberIn } from '../../src/cgroups/kept-files.js';
import { sampleCgroup, sampleFiles, endSampleRound } from '../../src/cgroups/sample.js';
import type { CgroupManager } from '../../src/cgroups/index.js';
import { readKeyed } from '../../src/cgroups/files.js';

/** A one-number control file read whole, as the reference the kept descriptor's read is checked against. */
const readNumber = (dir: string, file: string): number => Number(readFileSync(join(dir, file), 'utf8').trim());
import { waitFor } from '../helpers/agent.js';
import { cleanupManager, gatedShell, testManager } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'bivouac-kept-'));
const managers: CgroupManager[] = [];
after(async () => {
  for (const m of managers) await cleanupManager(m);
  rmSync(dir, { recursive: true, force: true });
});

describe('KeptFiles', () => {
  test('a kept file is read again from its start: text rewritten in place shows at the next read', () => {
    const k = new KeptFiles(10);
    try {
      const p = join(dir, 'cpu.stat');
      writeFileSync(p, 'usage_usec 100\n');
      assert.equal(k.readText(dir, 'cpu.stat'), 'usage_usec 100\n');
      assert.equal(k.openCount, 1);
      writeFileSync(p, 'usage_usec 2\n');
      assert.equal(k.readText(dir, 'cpu.stat'), 'usage_usec 2\n');
      assert.equal(k.openCount, 1, 'the same descriptor, not another');
    } finally {
      k.closeAll();
    }
  });

  test('a file larger than the buffer is read whole', () => {
    const k = new KeptFiles(10);
    try {
      const text = 'x'.repeat(40_000) + '\nend 1\n';
      writeFileSync(join(dir, 'big'), text);
      assert.equal(k.readText(dir, 'big'), text);
      assert.equal(k.read(dir, 'big'), text.length);
      assert.equal(keyedValue(k.buffer, text.length, Buffer.from('end')), 1);
    } finally {
      k.closeAll();
    }
  });

  test('an absent file is null and not kept; a file no read asked for in a round is closed at its end', () => {
    const k = new KeptFiles(10);
    try {
      assert.equal(k.read(dir, 'nope'), -1);
      assert.equal(k.readText(dir, 'nope'), null);
      assert.equal(k.openCount, 0);
      writeFileSync(join(dir, 'a'), '1\n');
      writeFileSync(join(dir, 'b'), '2\n');
      k.read(dir, 'a');
      k.read(dir, 'b');
      k.endRound();
      assert.equal(k.openCount, 2);
      k.read(dir, 'a');
      k.endRound();
      assert.equal(k.openCount, 1, 'b was not read this round: closed');
      assert.equal(k.readText(dir, 'b'), '2\n', 'and opened again when asked for');
    } finally {
      k.closeAll();
    }
  });

  test('past the cap a file is still read, only not kept', () => {
    const k = new KeptFiles(1);
    try {
      writeFileSync(join(dir, 'c1'), 'one\n');
      writeFileSync(join(dir, 'c2'), 'two\n');
      assert.equal(k.readText(dir, 'c1'), 'one\n');
      assert.equal(k.readText(dir, 'c2'), 'two\n');
      assert.equal(k.openCount, 1);
    } finally {
      k.closeAll();
    }
  });

  test('/proc/<pid>/stat of a process that ended reads as absent', async () => {
    const k = new KeptFiles(10);
    try {
      const child = spawn('/bin/sleep', ['300'], { stdio: 'ignore' });
      assert.ok(child.pid);
      const p = `/proc/${child.pid}`;
      assert.match(k.readText(p, 'stat') ?? '', new RegExp(`^${child.pid} \\(sleep\\)`));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      assert.equal(k.readText(p, 'stat'), null);
      assert.equal(k.openCount, 0);
    } finally {
      k.closeAll();
    }
  });

  test('the cap is a quarter of the soft open-file limit, at most 8,192', () => {
    const limits = (soft: string): string => {
      const p = join(dir, `limits-${soft}`);
      writeFileSync(p, `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                524288               files\n`);
      return p;
    };
    assert.equal(keptFilesCap(limits('1024')), 256);
    assert.equal(keptFilesCap(limits('20000')), 5000);
    assert.equal(keptFilesCap(limits('unlimited')), 8192);
    assert.equal(keptFilesCap(join(dir, 'no-limits')), 256);
  });
});

describe('keyedValue and numberIn: numbers parsed in the read buffer', () => {
  const buf = (text: string): [Buffer, number] => {
    // Stale bytes past the length, as the shared buffer holds after a longer read.
    const b = Buffer.from(text + 'swap 99\nstale 7\n', 'latin1');
    return [b, text.length];
  };
  test('the line of the key only: not a key that ends or starts with it, nor past the length', () => {
    const [b, n] = buf('cache 1\nrss 2\nrss_huge 3\ntotal_rss 4\ntotal_cache 5');
    const v = (k: string): number | undefined => keyedValue(b, n, Buffer.from(k));
    assert.equal(v('rss'), 2);
    assert.equal(v('total_rss'), 4);
    assert.equal(v('total_cache'), 5, 'the last line, without a newline');
    assert.equal(v('cache'), 1, 'the first line');
    assert.equal(v('swap'), undefined, 'only past the length');
    assert.equal(v('stale'), undefined);
    assert.equal(keyedValue(...buf('a x\n'), Buffer.from('a')), undefined, 'not a number');
    assert.equal(keyedValue(Buffer.alloc(8), -1, Buffer.from('a')), undefined, 'an absent file');
  });
  test('one number: max, empty, absent and text are null', () => {
    assert.equal(numberIn(...buf('8192\n')), 8192);
    assert.equal(numberIn(...buf('123456789012')), 123456789012);
    assert.equal(numberIn(...buf('max\n')), null);
    assert.equal(numberIn(...buf('')), null);
    assert.equal(numberIn(Buffer.alloc(8), -1), null);
  });
});

describe('sampleCgroup through kept files', () => {
  test('a task cgroup removed and made anew under the same name is sampled anew, its old files closed', async () => {
    const m = testManager('kept');
    managers.push(m);
    const cg = await m.create('kept0001', 'spin');
    const first = gatedShell('x=0; while :; do x=$((x+1)); done');
    assert.ok(first.pid);
    m.join(cg, first.pid);
    first.stdin?.end('go\n');
    await waitFor('CPU time in the first cgroup', () => (sampleCgroup(cg).cpu?.totalNs ?? 0) > 20_000_000);
    endSampleRound();
    await m.destroy(cg);
    first.unref();
    // The same name again, empty: its counters start from 0, read through fresh descriptors.
    const again = await m.create('kept0001', 'spin');
    assert.deepEqual(again.dirs, cg.dirs);
    const s = sampleCgroup(again);
    assert.ok(s.cpu !== null && s.cpu.totalNs < 20_000_000, JSON.stringify(s));
    const open = sampleFiles().openCount;
    assert.ok(open > 0);
    endSampleRound();
    endSampleRound();
    assert.equal(sampleFiles().openCount, 0, 'two rounds without a read close every file');
    await m.destroy(again);
  });

  test("the figures parsed in the buffer are the kernel's: the same as a whole-file parse of each control file", async () => {
    const m = testManager('kept-parse');
    managers.push(m);
    const cg = await m.create('kept0002', 'idle');
    const child = gatedShell('exec sleep 300');
    assert.ok(child.pid);
    m.join(cg, child.pid);
    child.stdin?.end('go\n');
    child.unref();
    // A sleeping task's counters stand still; retried while it is still exec'ing.
    await waitFor('both parses agree', () => {
      const s = sampleCgroup(cg);
      const uni = cg.dirs.unified;
      if (uni !== undefined && cg.dirs.cpuacct === undefined && s.cpu?.totalNs !== (readKeyed(uni, 'cpu.stat').get('usage_usec') ?? NaN) * 1000) return false;
      const v1 = cg.dirs.memory;
      if (v1 !== undefined) {
        const st = readKeyed(v1, 'memory.stat');
        const want = { rss: st.get('total_rss'), cache: st.get('total_cache'), usage: readNumber(v1, 'memory.usage_in_bytes') };
        return s.memory?.rss === want.rss && s.memory?.cache === want.cache && s.memory?.usage === want.usage;
      }
      if (uni !== undefined && s.memory !== null) {
        const st = readKeyed(uni, 'memory.stat');
        return s.memory.rss === st.get('anon') && s.memory.cache === st.get('file') && s.memory.usage === readNumber(uni, 'memory.current');
      }
      return s.cpu !== null;
    }, 30_000);
    await m.destroy(cg);
  });
});
