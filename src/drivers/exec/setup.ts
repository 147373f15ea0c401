/**
 * How an exec task is launched, as one argv for the exit-status shim (exit-shim.ts):
 *
 *   sh (shim, on the host: records the exit status)
 *    └ unshare --mount --uts [--ipc] [--pid] sh OUTER …   (util-linux; no fork: unshare becomes sh,
 *       │                                                  in the new mount namespace, host pids)
 *       └ sh INIT … (its one child: pid 1 of the new PID namespace) binds, /proc, /dev, then
 *          exec chroot --userspec=UID:GID <taskDir> <command> <args…>  → the task, still pid 1
 *
 * The shim and OUTER stay outside the PID namespace: the task is its init, so when it dies
 * the kernel kills everything left in the namespace (a setsid grandchild included). OUTER
 * waits for it and exits with the shell's 128 + n for a signal, so the shim records a
 * killed task (OOM included) as 137. Not `unshare --fork`: util-linux 2.38 turns a child
 * killed by SIGKILL into its own exit 1 (it cannot re-raise SIGKILL after resetting it).
 * The mount namespace receives but never sends mount events (slave propagation), so every
 * mount below exists only for the task and vanishes with it: nothing to tear down, even after
 * a crash.
 */
import type { BindMount } from './chroot.js';
import type { NamespaceMode } from './config.js';

export interface HostTools {
  readonly unshare: string;
  readonly mount: string;
  readonly chroot: string;
}

/**
 * `sh -c OUTER_SCRIPT bivouac-exec INIT_SCRIPT <args for INIT…>`: waits for its one child and
 * exits with its status. It forks nothing else: in a new PID namespace the first child is
 * init, and once init is gone the namespace takes no more processes.
 */
export const OUTER_SCRIPT = [
  'bv_init=$1; shift',
  // Caught (not ignored) so the task starts with default dispositions; a stop is for the task.
  'trap : INT TERM HUP QUIT USR1 USR2',
  '/bin/sh -c "$bv_init" bivouac-exec-init "$@"',
  'exit $?',
].join('\n');

/**
 * `<mount> <chroot> <root> <uid:gid> [<ro|rw> <src> <dst>]… -- <command> <args…>`: pid 1 of the
 * task's PID namespace (private mode) mounts the root, then becomes the task.
 */
export const INIT_SCRIPT = [
  'set -e',
  // The host's tools for the setup, whatever PATH the task asked for; the task's comes back at exec.
  'bv_path=$PATH; PATH=/usr/sbin:/usr/bin:/sbin:/bin',
  'bv_mount=$1 bv_chroot=$2 bv_root=$3 bv_user=$4; shift 4',
  'while [ "$1" != -- ]; do',
  '  "$bv_mount" -o "bind,$1" -- "$2" "$bv_root$3"',
  '  shift 3',
  'done',
  'shift',
  '"$bv_mount" -t proc -o nosuid,nodev,noexec proc "$bv_root/proc"',
  '"$bv_mount" -t tmpfs -o nosuid,noexec,mode=0755,size=64k bivouac-dev "$bv_root/dev"',
  // Device nodes copied (one process) rather than bound one by one: a start costs a fork per tool.
  'cp -a /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty "$bv_root/dev/"',
  'ln -s /proc/self/fd "$bv_root/dev/fd"',
  'ln -s /proc/self/fd/0 "$bv_root/dev/stdin"',
  'ln -s /proc/self/fd/1 "$bv_root/dev/stdout"',
  'ln -s /proc/self/fd/2 "$bv_root/dev/stderr"',
  'mkdir -m 1777 "$bv_root/dev/shm"',
  'PATH=$bv_path',
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
  // Slave propagation: nothing mounted here reaches the host, while the host's unmounts (another
  // task's secrets tmpfs at its end) reach here, so no copy of them lives on in this namespace.
  const ns = ['--mount', '--propagation', 'slave', '--uts', ...(i.ipcMode === 'private' ? ['--ipc'] : []), ...(i.pidMode === 'private' ? ['--pid'] : [])];
  const binds = i.binds.flatMap((b) => [b.mode, b.src, b.dst]);
  return {
    command: i.tools.unshare,
    args: [
      ...ns,
      '--',
      '/bin/sh',
      '-c',
      OUTER_SCRIPT,
      'bivouac-exec',
      INIT_SCRIPT,
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
