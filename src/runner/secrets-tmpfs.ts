/**
 * `secrets/` as a small tmpfs (1 MiB, noexec, 0700), as Nomad mounts it, so secrets never
 * reach the disk. Only where the driver isolates the task (exec, rkt: the task cannot see
 * the host's mount table) and the agent is root; elsewhere secrets/ stays a 0700 directory.
 *
 * Each mount is named after its task (`bivouac-secrets-<allocId>.<task>`) and sits at that
 * task's own path under this agent's data dir; only mounts matching both are ever unmounted,
 * so other agents on the machine and anything else mounted there are left alone. Mounting is
 * idempotent (a restarted task keeps its secrets); unmounting happens when the allocation's
 * tasks are all dead, and a sweep at agent start finishes what a crash interrupted.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { getTaskState, type Database } from '../state/index.js';
import { BivouacError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

export const SECRETS_TMPFS_SIZE = '1m';
const SOURCE_PREFIX = 'bivouac-secrets-';
const CALL_TIMEOUT_MS = 10_000;

export interface MountEntry {
  readonly mountPoint: string;
  readonly fsType: string;
  readonly source: string;
}

/** The mount table of this process (`/proc/self/mountinfo`), with octal escapes decoded. */
export function readMounts(procRoot = '/proc'): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of readFileSync(join(procRoot, 'self', 'mountinfo'), 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (right === undefined) continue;
    const l = left.split(' ');
    const r = right.split(' ');
    out.push({ mountPoint: unescape(l[4] ?? ''), fsType: r[0] ?? '', source: unescape(r[1] ?? '') });
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function secretsSource(allocId: string, task: string): string {
  return `${SOURCE_PREFIX}${allocId}.${task}`;
}

/** Mounts the tmpfs on `secretsDir` unless this task's one is already there. */
export async function mountSecretsTmpfs(secretsDir: string, allocId: string, task: string): Promise<void> {
  const path = realpathSync(secretsDir);
  const source = secretsSource(allocId, task);
  if (readMounts().some((m) => m.mountPoint === path && m.source === source)) return;
  const r = await execa('mount', ['-t', 'tmpfs', '-o', `size=${SECRETS_TMPFS_SIZE},mode=0700,nosuid,nodev,noexec`, source, path], {
    reject: false,
    timeout: CALL_TIMEOUT_MS,
    stdin: 'ignore',
  });
  if (r.exitCode !== 0) {
    throw new BivouacError('TASK_SETUP', `cannot mount the secrets tmpfs on ${path}: ${String(r.stderr).trim() || r.shortMessage}`, { recoverable: true });
  }
}

/**
 * Unmounts this agent's secrets tmpfs mounts for which `keep(allocId, task)` is false. Returns
 * the mount points unmounted; a failure is thrown only after trying every one.
 */
export async function unmountSecrets(dataDir: string, keep: (allocId: string, task: string) => boolean): Promise<string[]> {
  let base: string;
  try {
    base = join(realpathSync(resolve(dataDir)), 'alloc');
  } catch {
    // No data dir yet: nothing can be mounted in it.
    return [];
  }
  const done: string[] = [];
  const failed: string[] = [];
  for (const m of readMounts()) {
    if (m.fsType !== 'tmpfs' || !m.source.startsWith(SOURCE_PREFIX) || !m.mountPoint.startsWith(`${base}/`)) continue;
    const parts = m.mountPoint.slice(base.length + 1).split('/');
    if (parts.length !== 3 || parts[2] !== 'secrets') continue;
    const [allocId, task] = parts;
    // Both the place and the name must be this task's: anything else is not ours.
    if (m.source !== secretsSource(allocId, task) || keep(allocId, task)) continue;
    const r = await execa('umount', [m.mountPoint], { reject: false, timeout: CALL_TIMEOUT_MS, stdin: 'ignore' });
    if (r.exitCode === 0) done.push(m.mountPoint);
    else failed.push(`${m.mountPoint}: ${String(r.stderr).trim() || r.shortMessage}`);
  }
  if (failed.length > 0) throw new BivouacError('TASK_SETUP', `cannot unmount ${failed.join('; ')}`);
  return done;
}

/** Keeps the mounts of tasks the database does not record as dead. */
export function liveTaskFilter(db: Database): (allocId: string, task: string) => boolean {
  return (allocId, task) => {
    const st = getTaskState(db, allocId, task);
    return st !== null && st.state !== 'dead';
  };
}

/**
 * At agent start, after recovery: unmounts the secrets of every task that is dead or
 * unknown, finishing a teardown a crash interrupted. Failures are logged, never fatal.
 */
export async function sweepSecretsMounts(db: Database, dataDir: string, log: Logger): Promise<void> {
  try {
    const done = await unmountSecrets(dataDir, liveTaskFilter(db));
    if (done.length > 0) log.info({ mounts: done }, 'unmounted secrets of finished tasks');
  } catch (err) {
    log.warn({ err }, 'unmounting secrets of finished tasks failed; retried at the next start or when their allocation ends');
  }
}
