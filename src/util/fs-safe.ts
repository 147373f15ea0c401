import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { BivouacError } from './errors.js';

/**
 * Opens a file the agent (root) writes on a task's behalf without following a symlink and
 * only if it is a regular file: a task can replace its own log file with a link, and the
 * agent must never append to, or copy from, whatever that link points at.
 * `flags` are O_* numbers; O_NOFOLLOW is added.
 */
export function openNoFollow(path: string, flags: number, mode = 0o644): number {
  let fd: number;
  try {
    fd = openSync(path, flags | constants.O_NOFOLLOW, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new BivouacError('UNSAFE_PATH', `${path} is a symbolic link; refusing to follow it`, { cause: err, recoverable: false });
    }
    throw err;
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new BivouacError('UNSAFE_PATH', `${path} is not a regular file`, { recoverable: false });
  }
  return fd;
}

/** Append-only, created if missing: where task output goes. */
export function openAppendNoFollow(path: string): number {
  return openNoFollow(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT);
}
