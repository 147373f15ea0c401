/**
 * The task's root: its own task directory, with the host directories of the chroot map
 * (Nomad's `chroot_env`) bind-mounted read-only into it, the allocation dir at /alloc, a
 * fresh /proc and a minimal /dev. The host side here only makes mount points (plain,
 * root-owned, never through a symlink); the mounts themselves are made by the setup script
 * (setup.ts) inside the task's own mount namespace, so they never appear in the host's
 * mount table and the kernel drops them when the task's last process exits.
 */
import { chmodSync, lstatSync, mkdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { BivouacError } from '../../util/errors.js';

/** Nomad's default chroot_env: host path → path inside the task. */
export const DEFAULT_CHROOT_ENV: Readonly<Record<string, string>> = {
  '/bin': '/bin',
  '/etc': '/etc',
  '/lib': '/lib',
  '/lib32': '/lib32',
  '/lib64': '/lib64',
  '/run/resolvconf': '/run/resolvconf',
  '/sbin': '/sbin',
  '/usr': '/usr',
};

export type MountMode = 'ro' | 'rw';

export interface BindMount {
  readonly mode: MountMode;
  /** Host path. */
  readonly src: string;
  /** Path inside the task root, absolute. */
  readonly dst: string;
}

export interface ChrootDirs {
  readonly taskDir: string;
  readonly allocDir: string;
  readonly localDir: string;
  readonly secretsDir: string;
  readonly tmpDir: string;
}

/**
 * Makes the mount points under `dirs.taskDir` and returns the bind mounts to make there.
 * A host entry that does not exist is skipped (as Nomad does); a host entry that is a
 * symlink (/bin → usr/bin on a merged-/usr host) becomes the same symlink in the root,
 * as Nomad's copy would have it, so it resolves to the mapped target inside the chroot.
 */
export function prepareChroot(dirs: ChrootDirs, chrootEnv: Readonly<Record<string, string>>): BindMount[] {
  const binds: BindMount[] = [];
  for (const [src, dstRaw] of Object.entries(chrootEnv)) {
    const dst = inside(dstRaw);
    let st;
    try {
      st = lstatSync(src);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw setup(`cannot read chroot_env source ${src}`, e);
    }
    if (st.isSymbolicLink()) {
      placeSymlink(dirs.taskDir, dst, readlinkSync(src));
      continue;
    }
    placeMountPoint(dirs.taskDir, dst, st.isDirectory());
    binds.push({ mode: 'ro', src, dst });
  }
  // The task's own dirs: in the runner's layout local/, secrets/ and tmp/ already sit in the
  // task dir, so only the shared alloc dir needs a bind; other layouts get one each.
  const own: readonly (readonly [string, string])[] = [
    [dirs.allocDir, '/alloc'],
    [dirs.localDir, '/local'],
    [dirs.secretsDir, '/secrets'],
    [dirs.tmpDir, '/tmp'],
  ];
  for (const [src, dst] of own) {
    if (normalize(src) === join(dirs.taskDir, dst)) continue;
    placeMountPoint(dirs.taskDir, dst, true);
    binds.push({ mode: 'rw', src, dst });
  }
  placeMountPoint(dirs.taskDir, '/proc', true);
  placeMountPoint(dirs.taskDir, '/dev', true);
  return binds;
}

/**
 * The part of the task's /dev that is not device nodes, made once beside the task dir (where
 * the task cannot reach it) and copied in by the task's init: fd, stdin, stdout, stderr, shm.
 */
export function devSkeleton(taskDir: string): string {
  const dir = `${taskDir.replace(/\/+$/, '')}.bivouac-dev`;
  try {
    mkdirSync(dir, { mode: 0o755 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw setup(`cannot create ${dir}`, e);
  }
  if (!lstatSync(dir).isDirectory()) throw unsafe(`${dir} is not a plain directory`);
  placeSymlink(dir, '/fd', '/proc/self/fd');
  placeSymlink(dir, '/stdin', '/proc/self/fd/0');
  placeSymlink(dir, '/stdout', '/proc/self/fd/1');
  placeSymlink(dir, '/stderr', '/proc/self/fd/2');
  const shm = ensurePlainDirs(dir, 'shm');
  chmodSync(shm, 0o1777);
  return dir;
}

/** A chroot_env target as an absolute, normalised path that stays inside the root. */
function inside(dst: string): string {
  const n = normalize(`/${dst}`);
  if (n === '/' || n.split('/').includes('..')) throw setup(`chroot_env target ${JSON.stringify(dst)} must be a path below the task root`);
  return n;
}

/** mkdir -p below root, refusing any component that is not a plain directory (a planted symlink). */
function ensurePlainDirs(root: string, rel: string): string {
  let cur = root;
  for (const part of rel.split('/').filter((p) => p !== '')) {
    cur = join(cur, part);
    try {
      mkdirSync(cur, { mode: 0o755 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw setup(`cannot create mount point ${cur}`, e);
    }
    if (!lstatSync(cur).isDirectory()) throw unsafe(`${cur} is not a plain directory`);
  }
  return cur;
}

function placeMountPoint(root: string, dst: string, dir: boolean): void {
  if (dir) {
    ensurePlainDirs(root, dst);
    return;
  }
  const parent = ensurePlainDirs(root, join(dst, '..'));
  const path = join(parent, dst.split('/').pop() ?? '');
  try {
    writeFileSync(path, '', { flag: 'wx', mode: 0o644 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw setup(`cannot create mount point ${path}`, e);
  }
  if (!lstatSync(path).isFile()) throw unsafe(`${path} is not a plain file`);
}

function placeSymlink(root: string, dst: string, target: string): void {
  const parent = ensurePlainDirs(root, join(dst, '..'));
  const path = join(parent, dst.split('/').pop() ?? '');
  try {
    symlinkSync(target, path);
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw setup(`cannot create ${path}`, e);
  }
  // Made by an earlier start of this task: keep it if it still says the same thing.
  if (!lstatSync(path).isSymbolicLink() || readlinkSync(path) !== target) throw unsafe(`${path} exists and is not the symlink → ${target}`);
}

function setup(message: string, cause?: unknown): BivouacError {
  return new BivouacError('TASK_SETUP', `exec: ${message}`, { cause, recoverable: false });
}

function unsafe(message: string): BivouacError {
  return new BivouacError('UNSAFE_PATH', `exec: ${message}`, { recoverable: false });
}
