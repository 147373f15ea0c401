import { lchownSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BivouacError } from '../util/errors.js';

export interface UserIds {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/**
 * Looks a user up in `<etcRoot>/passwd` (name or numeric uid); null when unknown. Read from
 * the file rather than `id`, so nothing is shelled out; NSS sources beyond passwd (LDAP …)
 * are not consulted.
 */
export function lookupUser(user: string, etcRoot = '/etc'): UserIds | null {
  let text: string;
  try {
    text = readFileSync(join(etcRoot, 'passwd'), 'utf8');
  } catch {
    // No passwd file (a minimal container): no user can be found by name.
    return null;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 7) continue;
    if (f[0] === user || (/^\d+$/.test(user) && f[2] === user)) {
      return { name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] };
    }
  }
  return null;
}

/**
 * Resolves the task's `user` for a driver that runs host processes: the ids to spawn with
 * and the task's own directories handed to that user (Nomad does the same for exec), so it
 * can write there, including the exit-status file. Empty `user`: run as the agent.
 */
export function resolveTaskUser(user: string, agentUid: number, dirs: readonly string[], etcRoot = '/etc'): UserIds | null {
  if (user === '') return null;
  const ids = lookupUser(user, etcRoot);
  if (!ids) throw new BivouacError('DRIVER_START', `user "${user}" not found in ${join(etcRoot, 'passwd')}`, { recoverable: false });
  if (agentUid !== 0 && ids.uid !== agentUid) {
    throw new BivouacError('DRIVER_START', `cannot run the task as user "${user}": the agent is not running as root`, { recoverable: false });
  }
  handDirsTo(dirs, ids.uid, ids.gid);
  return ids;
}

/** Gives a task's own directories to the user it runs as, so it can write there. */
export function handDirsTo(dirs: readonly string[], uid: number, gid: number): void {
  // lchown: a link a task left in place of its dir is never followed to its target.
  for (const d of dirs) lchownSync(d, uid, gid);
}

/**
 * The first directory on the way to `path` that `ids` may not pass through (no search
 * permission for that user), or null when every one lets it by. A task running as another
 * user has its task dir as cwd: a data dir under root's 0700 home would fail it obscurely.
 */
export function unreachableAncestor(path: string, ids: { readonly uid: number; readonly gid: number }): { dir: string; mode: number } | null {
  if (ids.uid === 0) return null;
  let dir = '/';
  for (const part of path.split('/').filter((p) => p !== '')) {
    dir = join(dir, part);
    let st;
    try {
      st = statSync(dir);
    } catch {
      return null; // missing: the start reports it in its own words
    }
    if (!st.isDirectory()) return null;
    const bit = st.uid === ids.uid ? 0o100 : st.gid === ids.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return { dir, mode: st.mode & 0o777 };
  }
  return null;
}
