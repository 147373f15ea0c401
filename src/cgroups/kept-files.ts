/**
 * Files the stats sampler reads every round (cgroup control files; /proc/<pid>/stat where
 * no cgroup covers a task), kept open and read again at offset 0: a kernfs or procfs file
 * makes its text anew on every read from 0, so one pread stands for the open, fstat, reads,
 * close and path walk of a readFileSync. Measured here per file (µs, readFileSync → kept):
 * memory.stat 35–45 → ~10, memory.usage_in_bytes 14–55 → 2–5, cpu.stat 15 → 1.4.
 *
 * A file no read asked for during a round is closed when the round ends (its task is gone).
 * A removed cgroup or an ended process reads ENODEV / ESRCH through its kept descriptor: the
 * file is opened again by its path once (a cgroup made anew under the same name, a pid
 * reused), or found absent. At most `cap` files stay open, a share of the process's
 * open-file limit; past it a file is opened for each read.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { isAbsent } from './files.js';

interface Kept {
  readonly fd: number;
  round: number;
}

export class KeptFiles {
  private readonly files = new Map<string, Kept>();
  private round = 0;
  private buf = Buffer.allocUnsafe(16 * 1024);

  constructor(private readonly cap: number) {}

  /** How many files are open now. */
  get openCount(): number {
    return this.files.size;
  }

  /** The file's text (latin1: control files are ASCII), or null when it is absent. */
  read(path: string): string | null {
    const k = this.files.get(path);
    if (k !== undefined) {
      k.round = this.round;
      const text = this.readFd(k.fd);
      if (text !== null) return text;
      // Its cgroup or process is gone; a new one may stand under the same path.
      this.files.delete(path);
      closeSync(k.fd);
    }
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      if (isAbsent(e)) return null;
      throw e;
    }
    let text: string | null;
    try {
      text = this.readFd(fd);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    if (text !== null && this.files.size < this.cap) this.files.set(path, { fd, round: this.round });
    else closeSync(fd);
    return text;
  }

  /** Closes the files no read asked for since the previous call. */
  endRound(): void {
    for (const [path, k] of this.files) {
      if (k.round === this.round) continue;
      this.files.delete(path);
      closeSync(k.fd);
    }
    this.round++;
  }

  closeAll(): void {
    for (const k of this.files.values()) closeSync(k.fd);
    this.files.clear();
  }

  /**
   * The whole text from offset 0. A read that leaves room in the buffer has reached the end:
   * a seq file hands over all it made up to the count asked for.
   */
  private readFd(fd: number): string | null {
    let n = 0;
    try {
      for (;;) {
        const room = this.buf.length - n;
        const got = readSync(fd, this.buf, n, room, n);
        n += got;
        if (got < room) break;
        const bigger = Buffer.allocUnsafe(this.buf.length * 2);
        this.buf.copy(bigger, 0, 0, n);
        this.buf = bigger;
      }
    } catch (e) {
      if (isAbsent(e)) return null;
      throw e;
    }
    return this.buf.toString('latin1', 0, n);
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
