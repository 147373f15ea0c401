/**
 * Bounded history of periodic and dispatched children, in the spirit of Nomad's job GC:
 * per parent, the newest `keep` children stay; older finished ones (no allocation left
 * pending or running) lose their rows and their allocation directories. A directory with
 * a mount below it is left alone and logged: removing it could reach into the mount.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '../state/index.js';
import { deleteChildJob, listChildren, parentsOverHistory, tx } from '../state/index.js';
import type { Logger } from '../util/logger.js';

export async function collectChildren(db: Database, dataDir: string, keep: number, log: Logger): Promise<number> {
  const dirs: string[] = [];
  let removed = 0;
  tx(db, () => {
    for (const parent of parentsOverHistory(db, keep)) {
      const children = listChildren(db, parent);
      const old = children.slice(0, Math.max(0, children.length - keep));
      for (const c of old) {
        if (c.live > 0 || (c.total === 0 && !c.stopped)) continue;
        for (const id of deleteChildJob(db, c.id)) dirs.push(join(dataDir, 'alloc', id));
        removed++;
      }
    }
  });
  if (dirs.length === 0) return removed;
  const mounts = mountPoints();
  for (const dir of dirs) {
    if (mounts === null || mounts.some((m) => m === dir || m.startsWith(dir + '/'))) {
      log.warn({ dir }, 'allocation directory of a collected job has a mount below it; left in place');
      continue;
    }
    await rm(dir, { recursive: true, force: true });
  }
  log.info({ jobs: removed, dirs: dirs.length }, 'collected old periodic and dispatched jobs');
  return removed;
}

/** Mount points of this mount namespace (/proc/self/mountinfo field 5, octal escapes decoded); null when unknown. */
function mountPoints(): string[] | null {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split(' ')[4].replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))));
  } catch {
    // No mountinfo (not Linux, or /proc hidden): nothing can be proven safe, so no directory is removed.
    return null;
  }
}
