import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateNodeId } from '../../src/node/index.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'bivouac-id-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('loadOrCreateNodeId', () => {
  test('made once, then read back; file is 0600 and no temp file is left', () =>
    withDir((dir) => {
      const id = loadOrCreateNodeId(dir);
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(loadOrCreateNodeId(dir), id);
      assert.equal(statSync(join(dir, 'node-id')).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(dir), ['node-id']);
    }));

  test('creates a missing data dir', () =>
    withDir((dir) => {
      const nested = join(dir, 'a', 'b');
      const id = loadOrCreateNodeId(nested);
      assert.equal(loadOrCreateNodeId(nested), id);
    }));

  test('a corrupt file is a CONFIG error, not a new identity', () =>
    withDir((dir) => {
      writeFileSync(join(dir, 'node-id'), 'not-a-uuid\n');
      assert.throws(() => loadOrCreateNodeId(dir), { code: 'CONFIG' });
    }));
});
