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
  readonly setpriv: string;
}

/**
 * The capability bounding set of a task that does not run as root: Nomad's default exec
 * allow-list (Docker's set). It bounds what a setuid-root binary inside the chroot could
 * regain: no CAP_SYS_ADMIN, so no mount, no pivot out. A task with user = "root" keeps the
 * full set, as Nomad's exec gives root its legacy capabilities.
 */
export const TASK_CAPS = ['audit_write', 'chown', 'dac_override', 'fowner', 'fsetid', 'kill', 'mknod', 'net_bind_service', 'setfcap', 'setgid', 'setpcap', 'setuid', 'sys_chroot'];

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
 * `<mount> <chroot> <root> <uid:gid> <setpriv> <caps> <dev skeleton> <fstab> <command> <args…>`: pid 1
 * of the task's PID namespace (private mode) mounts the root, then becomes the task.
 */
export const INIT_SCRIPT = [
  'set -e',
  // The host's tools for the setup, whatever PATH the task asked for; the task's comes back at exec.
  'bv_path=$PATH; PATH=/usr/sbin:/usr/bin:/sbin:/bin',
  'bv_mount=$1 bv_chroot=$2 bv_root=$3 bv_user=$4 bv_setpriv=$5 bv_caps=$6 bv_skel=$7 bv_fstab=$8; shift 8',
  // Every mount of the root (the binds, /proc, /dev) from one table, in one process.
  '"$bv_mount" --all --fstab "$bv_fstab"',
  // The host's device nodes and the skeleton the agent made (fd, std*, shm) in one copy: a
  // start costs a fork per tool, so not one mount or ln per entry.
  'cp -a /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty "$bv_skel/." "$bv_root/dev/"',
  'PATH=$bv_path',
  'if [ -n "$bv_caps" ]; then exec "$bv_setpriv" --bounding-set="$bv_caps" -- "$bv_chroot" --userspec="$bv_user" -- "$bv_root" "$@"; fi',
  'exec "$bv_chroot" --userspec="$bv_user" -- "$bv_root" "$@"',
].join('\n');

/** The root's mounts in fstab(5) form, for `mount --all --fstab`: binds (read-only ones remounted ro by mount), /proc, /dev. */
export function fstabText(root: string, binds: readonly BindMount[]): string {
  const at = (p: string): string => fstabEscape(`${root.replace(/\/+$/, '')}${p}`);
  const lines = binds.map((b) => `${fstabEscape(b.src)} ${at(b.dst)} none ${b.mode === 'ro' ? 'bind,ro' : 'bind'} 0 0`);
  lines.push(`proc ${at('/proc')} proc nosuid,nodev,noexec 0 0`);
  lines.push(`bivouac-dev ${at('/dev')} tmpfs nosuid,noexec,mode=0755,size=64k 0 0`);
  return `${lines.join('\n')}\n`;
}

/** fstab's octal escapes for the characters that would split or end a field. */
function fstabEscape(p: string): string {
  return p.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

export interface LaunchInput {
  readonly tools: HostTools;
  readonly taskDir: string;
  readonly uid: number;
  readonly gid: number;
  readonly pidMode: NamespaceMode;
  readonly ipcMode: NamespaceMode;
  /** The mount table for the root (fstabText), written where the task cannot reach it. */
  readonly fstab: string;
  /** What /dev gets besides device nodes (devSkeleton in chroot.ts). */
  readonly devSkeleton: string;
  readonly command: string;
  readonly args: readonly string[];
}

/** The command and args the shim runs (everything after the shim's exit file). */
export function launchArgv(i: LaunchInput): { command: string; args: string[] } {
  // Slave propagation: nothing mounted here reaches the host, while the host's unmounts (another
  // task's secrets tmpfs at its end) reach here, so no copy of them lives on in this namespace.
  const ns = ['--mount', '--propagation', 'slave', '--uts', ...(i.ipcMode === 'private' ? ['--ipc'] : []), ...(i.pidMode === 'private' ? ['--pid'] : [])];
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
      i.tools.setpriv,
      i.uid === 0 ? '' : ['-all', ...TASK_CAPS.map((c) => `+${c}`)].join(','),
      i.devSkeleton,
      i.fstab,
      i.command,
      ...i.args,
    ],
  };
}
