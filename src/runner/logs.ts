/**
 * Task log files, `alloc/logs/<task>.<stream>.N`, rotated by the task's `logs` block.
 *
 * The task writes straight to an O_APPEND descriptor that outlives the agent, so rotation
 * cannot swap the file under it: the inode the task holds is always the live file and always
 * carries the highest index. Rotation is copy-and-truncate, in this order:
 *
 *   1. copy the live file (.N) to `.N.rotating`, then copy whatever was appended meanwhile;
 *   2. hard-link the live inode as .N+1 (it now has both names);
 *   3. rename the copy over .N (atomic: .N is the copy, .N+1 the live inode);
 *   4. truncate the live inode;
 *   5. delete the oldest files beyond maxFiles.
 *
 * A reader never finds bytes missing between steps: at worst it sees them twice (between 3
 * and 4). Bytes the task appends between the last catch-up read of step 1 and the truncate of
 * step 4 are lost; that window is a few system calls long. A crash mid-way leaves a
 * `.rotating` file that the next call finishes (after step 2) or drops (before it).
 */
import {
  closeSync,
  fstatSync,
  linkSync,
  readSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  ftruncateSync,
  constants,
} from 'node:fs';
import { join } from 'node:path';
import type { LogConfig } from '../jobspec/types.js';
import { openNoFollow } from '../util/fs-safe.js';

export type LogStream = 'stdout' | 'stderr';

export interface RotationConfig {
  readonly maxFiles: number;
  readonly maxFileSizeBytes: number;
}

export function rotationConfig(logs: LogConfig): RotationConfig {
  return { maxFiles: logs.maxFiles, maxFileSizeBytes: logs.maxFileSizeMB * 1024 * 1024 };
}

const ROTATING = '.rotating';

export function logFilePath(logsDir: string, task: string, stream: LogStream, index: number): string {
  return join(logsDir, `${task}.${stream}.${index}`);
}

/** The indices present for one task stream, ascending. Copies in progress are not logs. */
export function logIndices(logsDir: string, task: string, stream: LogStream): number[] {
  return scan(logsDir, `${task}.${stream}.`, '').sort((a, b) => a - b);
}

/** Where a (re)started task's output goes: the live file, or `.0` for a first start. */
export function liveLogPath(logsDir: string, task: string, stream: LogStream): string {
  const idx = logIndices(logsDir, task, stream);
  return logFilePath(logsDir, task, stream, idx.length === 0 ? 0 : idx[idx.length - 1]);
}

/** Rotates the live file if it has outgrown the limit. Returns whether it did. */
export function rotateIfNeeded(logsDir: string, task: string, stream: LogStream, cfg: RotationConfig): boolean {
  repairInterrupted(logsDir, task, stream);
  const idx = logIndices(logsDir, task, stream);
  if (idx.length === 0) return false;
  const n = idx[idx.length - 1];
  const live = logFilePath(logsDir, task, stream, n);
  if (statSync(live).size <= cfg.maxFileSizeBytes) return false;

  const next = logFilePath(logsDir, task, stream, n + 1);
  const copy = live + ROTATING;
  // The live file sits where a task (root in an rkt pod) can swap it for a link: never
  // follow one. catchUp copies from an empty copy, so it is the whole copy step.
  catchUp(live, copy);
  linkSync(live, next);
  renameSync(copy, live);
  const fd = openNoFollow(next, constants.O_WRONLY);
  try {
    ftruncateSync(fd, 0);
  } finally {
    closeSync(fd);
  }
  prune(logsDir, task, stream, cfg.maxFiles);
  return true;
}

/** Appends to `copy` whatever `live` gained since the copy was made. */
function catchUp(live: string, copy: string): void {
  const src = openNoFollow(live, constants.O_RDONLY);
  const dst = openNoFollow(copy, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT);
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    let pos = fstatSync(dst).size;
    for (;;) {
      const got = readSync(src, buf, 0, buf.length, pos);
      if (got === 0) break;
      writeSync(dst, buf, 0, got);
      pos += got;
    }
  } finally {
    closeSync(src);
    closeSync(dst);
  }
}

function prune(logsDir: string, task: string, stream: LogStream, maxFiles: number): void {
  const idx = logIndices(logsDir, task, stream);
  for (const i of idx.slice(0, Math.max(0, idx.length - Math.max(1, maxFiles)))) {
    unlinkIfPresent(logFilePath(logsDir, task, stream, i));
  }
}

/** Finishes a rotation that got past the link (both names on one inode), or drops its copy. */
function repairInterrupted(logsDir: string, task: string, stream: LogStream): void {
  for (const k of scan(logsDir, `${task}.${stream}.`, ROTATING)) {
    const here = logFilePath(logsDir, task, stream, k);
    const above = logFilePath(logsDir, task, stream, k + 1);
    const linked = inode(here) !== null && inode(here) === inode(above);
    if (linked) {
      catchUp(here, here + ROTATING);
      renameSync(here + ROTATING, here);
      const fd = openNoFollow(above, constants.O_WRONLY);
      try {
        ftruncateSync(fd, 0);
      } finally {
        closeSync(fd);
      }
    } else {
      unlinkIfPresent(here + ROTATING);
    }
  }
}

function scan(logsDir: string, prefix: string, suffix: string): number[] {
  let names: string[];
  try {
    names = readdirSync(logsDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: number[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(suffix)) continue;
    const mid = name.slice(prefix.length, name.length - suffix.length);
    if (/^(0|[1-9]\d{0,8})$/.test(mid)) out.push(Number(mid));
  }
  return out;
}

export function inode(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
