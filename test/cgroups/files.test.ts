/** readKeyed on control files as the kernel writes them (`key value` lines), in a real directory. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKeyed } from '../../src/cgroups/files.js';

const dir = mkdtempSync(join(tmpdir(), 'bivouac-keyed-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('readKeyed', () => {
  test('every key with its number; the last line without a newline too', () => {
    writeFileSync(join(dir, 'cpu.stat'), 'usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\nnr_periods 0');
    assert.deepEqual([...readKeyed(dir, 'cpu.stat')], [
      ['usage_usec', 1234567],
      ['user_usec', 1000000],
      ['system_usec', 234567],
      ['nr_periods', 0],
    ]);
  });

  test('a line without a number, an empty line and a third field: the second field counts, the rest is skipped', () => {
    writeFileSync(join(dir, 'memory.stat'), 'anon 4096\n\nweird\nname value\nfile 8192 extra\n');
    assert.deepEqual([...readKeyed(dir, 'memory.stat')], [
      ['anon', 4096],
      ['file', 8192],
    ]);
  });

  test('a file that is gone reads as empty', () => {
    assert.equal(readKeyed(join(dir, 'vanished'), 'memory.events').size, 0);
  });
});
