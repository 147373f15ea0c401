/**
 * How an exec task is launched, as one argv for raw_exec's exit-status shim:
 *
 *   sh (shim, on the host: records the exit status)
 *    └ unshare --mount --uts [--ipc] [--pid] --fork --kill-child   (util-linux)
 *       └ sh SETUP_SCRIPT … (pid 1 of the new PID namespace, root, in the new mount namespace)
 *          exec chroot --userspec=UID:GID <taskDir> <command> <args…>  → the task, still pid 1
 *
 * The shim and unshare stay outside the PID namespace: the task is its init, so when it dies
 * the kernel kills everything left in the namespace (a setsid grandchild included). The
 * mount namespace is private (unshare's default propagation), so every mount below exists
 * only for the task and vanishes with it: nothing to tear down, even after an agent crash.
 * `--kill-child` takes the task down if unshare itself is killed.
 */
import type { BindMount } from './chroot.js';
import type { NamespaceMode } from './config.js';

export interface HostTools {
  readonly unshare: string;
  readonly mount: string;
  readonly chroot: string;
}

/** `sh -c SETUP_SCRIPT bivouac-exec <mount> <chroot> <root> <uid:gid> [<ro|rw> <src> <dst>]… -- <command> <args…>` */
export const SETUP_SCRIPT = [
  'set -e',
  'bv_mount=$1 bv_chroot=$2 bv_root=$3 bv_user=$4; shift 4',
  'while [ "$1" != -- ]; do',
  '  "$bv_mount" -o "bind,$1" -- "$2" "$bv_root$3"',
  '  shift 3',
  'done',
  'shift',
  '"$bv_mount" -t proc -o nosuid,nodev,noexec proc "$bv_root/proc"',
  '"$bv_mount" -t tmpfs -o nosuid,noexec,mode=0755,size=64k bivouac-dev "$bv_root/dev"',
  'for bv_n in null zero full random urandom tty; do',
  '  : > "$bv_root/dev/$bv_n"',
  '  "$bv_mount" --bind -- "/dev/$bv_n" "$bv_root/dev/$bv_n"',
  'done',
  'ln -s /proc/self/fd "$bv_root/dev/fd"',
  'ln -s /proc/self/fd/0 "$bv_root/dev/stdin"',
  'ln -s /proc/self/fd/1 "$bv_root/dev/stdout"',
  'ln -s /proc/self/fd/2 "$bv_root/dev/stderr"',
  'mkdir -m 1777 "$bv_root/dev/shm"',
  'exec "$bv_chroot" --userspec="$bv_user" -- "$bv_root" "$@"',
].join('\n');

export interface LaunchInput {
  readonly tools: HostTools;
  readonly taskDir: string;
  readonly uid: number;
  readonly gid: number;
  readonly pidMode: NamespaceMode;
  readonly ipcMode: NamespaceMode;
  readonly binds: readonly BindMount[];
  readonly command: string;
  readonly args: readonly string[];
}

/** The command and args the shim runs (everything after the shim's exit file). */
export function launchArgv(i: LaunchInput): { command: string; args: string[] } {
  const ns = ['--mount', '--uts', ...(i.ipcMode === 'private' ? ['--ipc'] : []), ...(i.pidMode === 'private' ? ['--pid'] : [])];
  const binds = i.binds.flatMap((b) => [b.mode, b.src, b.dst]);
  return {
    command: i.tools.unshare,
    args: [
      ...ns,
      '--fork',
      '--kill-child',
      '--',
      '/bin/sh',
      '-c',
      SETUP_SCRIPT,
      'bivouac-exec',
      i.tools.mount,
      i.tools.chroot,
      i.taskDir,
      `${i.uid}:${i.gid}`,
      ...binds,
      '--',
      i.command,
      ...i.args,
    ],
  };
}
