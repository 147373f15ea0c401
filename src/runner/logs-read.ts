/**
 * Readers for `bivouac alloc logs`: a task stream's rotated files read as one byte stream,
 * whole or tailed, and followed as it grows. They only read, so they work with the agent down.
 */
import { closeSync, constants, fstatSync, readSync } from 'node:fs';
import { openNoFollow } from '../util/fs-safe.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { inode, logFilePath, logIndices, type LogStream } from './logs.js';

export interface ReadLogsOptions {
  /** Only the last this-many lines. */
  readonly tail?: number;
  /** Only the last this-many bytes (applied before `tail`). */
  readonly bytes?: number;
}

/** The stream's files concatenated in index order, optionally tailed. Missing logs read as empty. */
export function readLogs(logsDir: string, task: string, stream: LogStream, opts: ReadLogsOptions = {}): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  // Newest first, stopping as soon as the tail is covered: rotated logs can be large.
  for (const i of logIndices(logsDir, task, stream).reverse()) {
    const b = readIfPresent(logFilePath(logsDir, task, stream, i));
    parts.unshift(b);
    total += b.length;
    if (opts.bytes !== undefined && total >= opts.bytes) break;
    if (opts.bytes === undefined && opts.tail !== undefined && countLines(parts) > opts.tail) break;
  }
  let out: Buffer = Buffer.concat(parts);
  if (opts.bytes !== undefined) out = out.subarray(Math.max(0, out.length - opts.bytes));
  if (opts.tail !== undefined) out = lastLines(out, opts.tail);
  return out;
}

/** The last `n` lines; a trailing newline ends the last line rather than starting another. */
export function lastLines(buf: Buffer, n: number): Buffer {
  if (n <= 0) return buf.subarray(buf.length);
  let pos = buf.length - 1;
  if (pos >= 0 && buf[pos] === 0x0a) pos--;
  for (let seen = 0; pos >= 0; pos--) {
    if (buf[pos] === 0x0a && ++seen === n) return buf.subarray(pos + 1);
  }
  return buf;
}

export interface FollowOptions {
  readonly pollMs?: number;
}

/**
 * Yields bytes appended to the stream from now on, until `signal` aborts. It holds the live
 * inode open, so a rotation's renames do not disturb it; when rotation truncates that inode,
 * the bytes it had not yet read are taken from the copy the rotation left at the index below.
 * Limit: if the live file is truncated and grows back past the read position between two
 * polls (more than max_file_size written in one poll), those bytes can be missed.
 */
export async function* followLogs(
  logsDir: string,
  task: string,
  stream: LogStream,
  signal: AbortSignal,
  opts: FollowOptions = {},
): AsyncGenerator<Buffer> {
  const pollMs = opts.pollMs ?? 250;
  let live: { fd: number; ino: number; off: number } | null = null;
  try {
    for (let first = true; !signal.aborted; first = false) {
      const idx = logIndices(logsDir, task, stream);
      const top = idx.length > 0 ? idx[idx.length - 1] : null;
      const topPath = top === null ? null : logFilePath(logsDir, task, stream, top);
      const topIno = topPath === null ? null : inode(topPath);
      if (topPath !== null && topIno !== null && (live === null || live.ino !== topIno)) {
        // First look, or a new live file (the logs were cleared): start at its end or start.
        if (live) closeSync(live.fd);
        const fd = openNoFollow(topPath, constants.O_RDONLY);
        live = { fd, ino: topIno, off: first ? fstatSync(fd).size : 0 };
      }
      if (live && top !== null) {
        const size = fstatSync(live.fd).size;
        if (size < live.off) {
          const below = logFilePath(logsDir, task, stream, top - 1);
          if (inode(below) !== live.ino) {
            const rest = readIfPresent(below).subarray(live.off);
            if (rest.length > 0) yield rest;
          }
          live.off = 0;
        }
        const fresh = readRange(live.fd, live.off, fstatSync(live.fd).size);
        if (fresh.length > 0) {
          live.off += fresh.length;
          yield fresh;
        }
      }
      try {
        await sleep(pollMs, undefined, { signal });
      } catch {
        // Aborted while waiting: the caller asked to stop.
        return;
      }
    }
  } finally {
    if (live) closeSync(live.fd);
  }
}

function readRange(fd: number, from: number, to: number): Buffer {
  if (to <= from) return Buffer.alloc(0);
  const buf = Buffer.allocUnsafe(to - from);
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, from + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

function readIfPresent(path: string): Buffer {
  try {
    const fd = openNoFollow(path, constants.O_RDONLY);
    try {
      return readAllFd(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw e;
  }
}

function countLines(parts: readonly Buffer[]): number {
  let n = 0;
  for (const p of parts) for (let i = 0; i < p.length; i++) if (p[i] === 0x0a) n++;
  return n;
}

function readAllFd(fd: number): Buffer {
  const parts: Buffer[] = [];
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    parts.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(parts);
}
