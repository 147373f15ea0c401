/**
 * Files the stats sampler reads every round (cgroup control files; /proc/<pid>/stat where
 * no cgroup covers a task), kept open and read again at offset 0: a kernfs or procfs file
 * makes its text anew on every read from 0, so one pread stands for the open, fstat, reads,
 * close and path walk of a readFileSync. Measured here per file (µs, readFileSync → kept):
 * memory.stat 35–45 → 12–15, memory.usage_in_bytes 14–55 → ~5, cpu.stat 15 → 3–4.
 *
 * A read leaves the bytes in one shared buffer, parsed there (`keyedValue`, `numberIn`)
 * until the next read: a round allocates no string per file, which kept the young
 * generation's collections to one every few rounds instead of one or two a round.
 *
 * A file no read asked for during a round is closed when the round ends (its task is gone).
 * A removed cgroup or an ended process reads ENODEV / ESRCH through its kept descriptor: the
 * file is opened again by its path once (a cgroup made anew under the same name, a pid
 * reused), or found absent. At most `cap` files stay open, a share of the process's
 * open-file limit; past it a file is opened for each read.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { isAbsent } from './files.js';

interface Kept {
  readonly fd: number;
  round: number;
}

export class KeptFiles {
  /** dir → file → descriptor: no path string is made for a file already open. */
  private readonly dirs = new Map<string, Map<string, Kept>>();
  private open = 0;
  private round = 0;
  /** The bytes of the last read, valid up to the length it returned, until the next read. */
  buffer = Buffer.allocUnsafe(16 * 1024);

  constructor(private readonly cap: number) {}

  /** How many files are open now. */
  get openCount(): number {
    return this.open;
  }

  /** Reads `dir/file` whole into `buffer`: its length, or -1 when the file is absent. */
  read(dir: string, file: string): number {
    const files = this.dirs.get(dir);
    const k = files?.get(file);
    if (files !== undefined && k !== undefined) {
      k.round = this.round;
      const n = this.readFd(k.fd);
      if (n >= 0) return n;
      // Its cgroup or process is gone; a new one may stand under the same path.
      this.forget(dir, files, file, k);
    }
    let fd: number;
    try {
      fd = openSync(join(dir, file), 'r');
    } catch (e) {
      if (isAbsent(e)) return -1;
      throw e;
    }
    let n: number;
    try {
      n = this.readFd(fd);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    if (n < 0 || this.open >= this.cap) {
      closeSync(fd);
      return n;
    }
    let m = this.dirs.get(dir);
    if (m === undefined) this.dirs.set(dir, (m = new Map()));
    m.set(file, { fd, round: this.round });
    this.open++;
    return n;
  }

  /** `read` as latin1 text (control files are ASCII), or null when absent; for the rare paths. */
  readText(dir: string, file: string): string | null {
    const n = this.read(dir, file);
    return n < 0 ? null : this.buffer.toString('latin1', 0, n);
  }

  /** Closes the files no read asked for since the previous call. */
  endRound(): void {
    for (const [dir, files] of this.dirs) for (const [file, k] of files) if (k.round !== this.round) this.forget(dir, files, file, k);
    this.round++;
  }

  closeAll(): void {
    for (const files of this.dirs.values()) for (const k of files.values()) closeSync(k.fd);
    this.dirs.clear();
    this.open = 0;
  }

  private forget(dir: string, files: Map<string, Kept>, file: string, k: Kept): void {
    files.delete(file);
    if (files.size === 0) this.dirs.delete(dir);
    this.open--;
    closeSync(k.fd);
  }

  /**
   * The whole file from offset 0 into `buffer`, or -1 when it is gone. A read that leaves
   * room in the buffer has reached the end: a seq file hands over all it made up to the
   * count asked for.
   */
  private readFd(fd: number): number {
    let n = 0;
    try {
      for (;;) {
        const room = this.buffer.length - n;
        const got = readSync(fd, this.buffer, n, room, n);
        n += got;
        if (got < room) return n;
        const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
        this.buffer.copy(bigger, 0, 0, n);
        this.buffer = bigger;
      }
    } catch (e) {
      if (isAbsent(e)) return -1;
      throw e;
    }
  }
}

const SPACE = 0x20;
const NEWLINE = 0x0a;

/** The digits at `at` in `buf[0, end)` as a number; NaN if there are none. */
function digitsAt(buf: Buffer, at: number, end: number): number {
  let v = 0;
  let i = at;
  for (; i < end; i++) {
    const c = buf[i] - 0x30;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
  }
  const stop = i < end ? buf[i] : NEWLINE;
  return i > at && (stop === NEWLINE || stop === SPACE) ? v : NaN;
}

/** The file `buf[0, len)` as one number (memory.current, cpuacct.usage); null for `max`, empty or not a number. */
export function numberIn(buf: Buffer, len: number): number | null {
  if (len <= 0) return null;
  const v = digitsAt(buf, 0, len);
  return Number.isNaN(v) ? null : v;
}

/**
 * The number on the `key value` line of `key` in `buf[0, len)` (memory.stat, cpu.stat),
 * found by a search for the key's bytes: the sampler needs 2–3 of memory.stat's ~40 lines.
 * A key that only ends or starts another (rss in total_rss, rss_huge) is not it.
 */
export function keyedValue(buf: Buffer, len: number, key: Buffer): number | undefined {
  if (len <= 0) return undefined;
  for (let from = 0; ; ) {
    const at = buf.indexOf(key, from);
    if (at === -1 || at + key.length >= len) return undefined;
    const end = at + key.length;
    if ((at === 0 || buf[at - 1] === NEWLINE) && buf[end] === SPACE) {
      const v = digitsAt(buf, end + 1, len);
      return Number.isNaN(v) ? undefined : v;
    }
    from = end;
  }
}

/** A quarter of the soft open-file limit (node raises it to the hard one at start), at most 8,192; 256 if unknown. */
export function keptFilesCap(limitsPath = '/proc/self/limits'): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(limitsPath, 'utf8'));
    if (m === null) return 256;
    const soft = m[1] === 'unlimited' ? Infinity : Number(m[1]);
    return Math.max(0, Math.min(8192, Math.floor(soft / 4)));
  } catch {
    return 256;
  }
}
