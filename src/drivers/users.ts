import { lchownSync, readFileSync } from 'node:fs';
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
