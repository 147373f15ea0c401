/**
 * Where a task's relative path lands, without touching a disk: Nomad joins template and
 * artifact destinations to the task dir, and refuses one that climbs out of the allocation
 * dir (`../../x`). A leading `/` is joined too, as Go's filepath.Join does.
 */
import { posix } from 'node:path';

const ROOT = '/alloc-root';

/** The path relative to the allocation dir (`<task>/local/x`, `alloc/data/y`), or null when it escapes. */
export function allocRelative(task: string, path: string): string | null {
  const joined = posix.normalize(posix.join(ROOT, task, path));
  if (joined === ROOT) return '';
  return joined.startsWith(`${ROOT}/`) ? joined.slice(ROOT.length + 1) : null;
}

/** Whether the path still holds `${…}` to fill in at run time, so it can only be checked then. */
export function isInterpolated(path: string): boolean {
  return path.includes('${');
}
