/** Who an exec task runs as: `nobody` unless the task sets `user`, as Nomad's exec does. */
import { BivouacError } from '../../util/errors.js';
import { handDirsTo, lookupUser, type UserIds } from '../users.js';

export const DEFAULT_EXEC_USER = 'nobody';
/** nobody's ids on Linux, for a host whose passwd lacks the entry. */
const NOBODY: UserIds = { name: DEFAULT_EXEC_USER, uid: 65534, gid: 65534, home: '/nonexistent' };

/** Resolves the task's user on the host and hands it the dirs it writes to (local/, secrets/, tmp/). */
export function execTaskUser(user: string, dirs: readonly string[], etcRoot = '/etc'): UserIds {
  const name = user === '' ? DEFAULT_EXEC_USER : user;
  const ids = lookupUser(name, etcRoot) ?? (user === '' ? NOBODY : null);
  if (!ids) throw new BivouacError('DRIVER_START', `exec: user "${user}" not found in ${etcRoot}/passwd`, { recoverable: false });
  // The task dir itself stays the agent's: its mount points must not be swappable by the task.
  handDirsTo([...new Set(dirs)], ids.uid, ids.gid);
  return ids;
}
