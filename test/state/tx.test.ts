/**
 * tx() against a second process's writer: the write lock is taken when the transaction
 * begins, so another writer cannot commit between its reads and its writes. With a deferred
 * BEGIN the other commit slips in and the transaction's first write fails at once with
 * "database is locked" (SQLITE_BUSY_SNAPSHOT), whatever busy_timeout says: a CLI write
 * (`job periodic force`, `job dispatch`) beside a busy agent failed so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openState, tx } from '../../src/state/index.js';

test('tx holds the write lock from its start: a writer in between waits, the transaction commits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bivouac-tx-'));
  const path = join(dir, 'state.db');
  const a = openState(path);
  const b = openState(path);
  try {
    a.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
    a.prepare('INSERT INTO t VALUES (?, ?)').run('x', 1);
    // The other "process": no waiting, so a refusal shows at once instead of after 5 s.
    b.pragma('busy_timeout = 0');
    let other: string | null = null;
    tx(a, () => {
      const v = (a.prepare('SELECT v FROM t WHERE k = ?').get('x') as { v: number }).v;
      try {
        b.prepare('UPDATE t SET v = v + 100 WHERE k = ?').run('x');
        other = 'committed';
      } catch (err) {
        other = (err as { code?: string }).code ?? 'error';
      }
      a.prepare('UPDATE t SET v = ? WHERE k = ?').run(v + 1, 'x');
    });
    assert.equal(other, 'SQLITE_BUSY');
    assert.equal((a.prepare('SELECT v FROM t WHERE k = ?').get('x') as { v: number }).v, 2);
  } finally {
    a.close();
    b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
