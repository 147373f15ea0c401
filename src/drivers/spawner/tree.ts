/** Making a directory tree that appears complete or not at all (MakeTreeRequest), in the helper or, without one, in the caller. */
import { chmod, mkdir, open, rename } from 'node:fs/promises';
import type { TreeEntry } from './protocol.js';

/**
 * Each entry in order: a directory (mkdir, then chmod, so the mode is exact whatever the
 * umask; the tree is built where no one else can reach it) or an empty file (created
 * exclusively); then the first entry, the tree's root, renamed to `renameTo`.
 */
export async function makeTree(entries: readonly TreeEntry[], renameTo: string): Promise<void> {
  for (const e of entries) {
    if (e.file) await (await open(e.path, 'wx', e.mode)).close();
    else {
      await mkdir(e.path, { mode: e.mode });
      await chmod(e.path, e.mode);
    }
  }
  await rename(entries[0].path, renameTo);
}
