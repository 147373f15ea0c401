/**
 * What the drivers need to know about processes, read from /proc and nothing else (no `ps`,
 * no `pgrep`). `procRoot` is injected so tests can point it at a snapshot. Every reader
 * treats a vanished process as absence, not as an error: processes exit between any two
 * reads, and a scan must carry on past them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { BivouacError } from '../util/errors.js';

export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  /** One letter: R, S, D, Z (zombie), T, X (dead) … */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  /** Field 22: clock ticks since boot. With the boot id it names one process for good. */
  readonly startTime: number;
}

/** Parses the text of /proc/<pid>/stat; null when it is not one. */
export function parseProcStat(text: string): ProcStat | null {
  // comm is free text ("(a b) c)" is a valid comm), so split around the last ')' only.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).trim().split(' ');
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  if (!Number.isInteger(pid) || rest.length < 20) return null;
  const num = (i: number): number => Number(rest[i]);
  const stat: ProcStat = {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0],
    ppid: num(1),
    pgrp: num(2),
    startTime: num(19),
  };
  return Number.isFinite(stat.ppid) && Number.isFinite(stat.pgrp) && Number.isFinite(stat.startTime) ? stat : null;
}

export function readProcStat(procRoot: string, pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(join(procRoot, String(pid), 'stat'), 'utf8');
  } catch (e) {
    if (isGone(e)) return null;
    throw e;
  }
  return parseProcStat(text);
}

export function readBootId(procRoot: string): string {
  return readFileSync(join(procRoot, 'sys', 'kernel', 'random', 'boot_id'), 'utf8').trim();
}

/** A zombie has exited; only its parent's wait() is missing. */
export function isLiveState(state: string): boolean {
  return state !== 'Z' && state !== 'X' && state !== 'x';
}

/**
 * True when `pid` is still the very process that had `startTime` in boot `bootId` and has
 * not exited. A pid that exists with another start time is a reused pid: not ours.
 */
export function isSameProcess(procRoot: string, pid: number, startTime: number, bootId: string): boolean {
  if (readBootId(procRoot) !== bootId) return false;
  const stat = readProcStat(procRoot, pid);
  return stat !== null && stat.startTime === startTime && isLiveState(stat.state);
}

/** Live processes whose initial environment holds `key=value`. Unreadable ones are skipped. */
export function findProcessesByEnv(procRoot: string, key: string, value: string): number[] {
  const want = Buffer.from(`${key}=${value}`);
  const found: number[] = [];
  for (const pid of listPids(procRoot)) {
    let env: Buffer;
    try {
      env = readFileSync(join(procRoot, String(pid), 'environ'));
    } catch (e) {
      if (isGone(e)) continue;
      throw e;
    }
    if (hasEntry(env, want)) {
      const stat = readProcStat(procRoot, pid);
      if (stat && isLiveState(stat.state)) found.push(pid);
    }
  }
  return found.sort((a, b) => a - b);
}

/** Live (non-zombie) members of process group `pgid`. */
export function processGroupMembers(procRoot: string, pgid: number): number[] {
  return scanStats(procRoot, (s) => s.pgrp === pgid);
}

/** Live children of `ppid`. */
export function childProcesses(procRoot: string, ppid: number): number[] {
  return scanStats(procRoot, (s) => s.ppid === ppid);
}

/** "SIGINT", "INT" or "sigint" → 2. Throws CONFIG for a name the host does not know. */
export function signalNumber(name: string): number {
  const upper = name.trim().toUpperCase();
  const full = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const n = (constants.signals as Readonly<Record<string, number | undefined>>)[full];
  if (n === undefined) throw new BivouacError('CONFIG', `unknown signal ${JSON.stringify(name)}`, { recoverable: false });
  return n;
}

/** The highest real-time signal on Linux; shell statuses above 128 + this are plain codes. */
export const MAX_SIGNAL = 64;

function scanStats(procRoot: string, keep: (s: ProcStat) => boolean): number[] {
  const out: number[] = [];
  for (const pid of listPids(procRoot)) {
    const stat = readProcStat(procRoot, pid);
    if (stat && isLiveState(stat.state) && keep(stat)) out.push(pid);
  }
  return out.sort((a, b) => a - b);
}

function listPids(procRoot: string): number[] {
  return readdirSync(procRoot)
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

function hasEntry(environ: Buffer, want: Buffer): boolean {
  let start = 0;
  while (start < environ.length) {
    let end = environ.indexOf(0, start);
    if (end < 0) end = environ.length;
    if (end - start === want.length && environ.subarray(start, end).equals(want)) return true;
    start = end + 1;
  }
  return false;
}

/** ENOENT/ESRCH: the process went away; EACCES: not ours to read (kernel threads, other users). */
function isGone(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES' || code === 'EPERM';
}
