import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BivouacError } from '../util/errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The node's ID: a UUID made on first start and kept in `<dataDir>/node-id` (mode 0600),
 * so allocations and `${node.unique.id}` stay stable across restarts. The file is written
 * to a temporary name, synced and renamed, so a crash leaves either no file or a whole one.
 * A file that holds something other than a UUID is an error, not a reason to make a new ID.
 */
export function loadOrCreateNodeId(dataDir: string): string {
  const path = join(dataDir, 'node-id');
  const existing = readIfPresent(path);
  if (existing !== null) {
    const id = existing.trim();
    if (!UUID.test(id)) {
      throw new BivouacError('CONFIG', `${path} does not hold a node ID; remove it to make a new one`, {
        recoverable: false,
      });
    }
    return id;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const id = randomUUID();
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, id + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  syncDir(dataDir);
  return id;
}

function readIfPresent(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return null;
    throw err;
  }
}

// The rename is durable only once the directory entry is on disk.
function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
