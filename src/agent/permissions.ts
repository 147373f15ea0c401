import { chmodSync, mkdirSync, statSync, type Stats } from 'node:fs';
import { BivouacError } from '../util/errors.js';

/**
 * sshd's StrictModes for the agent's two directories: when the agent runs as root, a jobs
 * or data directory that another user owns, or that group or others may write, would let
 * that user run anything as root. Refused with the fix in the message; the operator can
 * opt out with `strict_permissions = false` (BIVOUAC_STRICT_PERMISSIONS=false). A symlink
 * is judged by what it points at.
 */
export function checkDirSafe(path: string, what: string, uid: number): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    throw new BivouacError('CONFIG', `${what} ${path} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  if (!st.isDirectory()) throw new BivouacError('CONFIG', `${what} ${path} is not a directory`);
  if (uid !== 0) return;
  if (st.uid !== 0) {
    throw new BivouacError(
      'CONFIG',
      `${what} ${path} is owned by uid ${st.uid}, not root, and the agent runs what it finds there as root. Fix: chown root ${path} (or set strict_permissions = false)`,
    );
  }
  if ((st.mode & 0o022) !== 0) {
    throw new BivouacError(
      'CONFIG',
      `${what} ${path} is writable by ${st.mode & 0o002 ? 'others' : 'its group'} (mode ${(st.mode & 0o777).toString(8)}), so anyone who can write there can run tasks as root. Fix: chmod go-w ${path} (or set strict_permissions = false)`,
    );
  }
}

/** Creates the data dir (0711) if missing. */
export function ensureDataDir(path: string): void {
  try {
    // 0711: task users must pass through to their task dirs, but may not list what is here.
    mkdirSync(path, { recursive: true, mode: 0o711 });
  } catch (err) {
    throw new BivouacError('CONFIG', `cannot create data dir ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** The state database holds every task's environment: nobody else may read it. */
export function restrictFile(path: string): void {
  chmodSync(path, 0o600);
}
