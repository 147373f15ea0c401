import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { MAX_JOB_FILE_BYTES, isJobFileName, readCapped } from '../jobspec/files.js';
import { join } from 'node:path';
import { isApiJobFileName } from '../jobspec/api-decode.js';
import type { Diagnostic, Job } from '../jobspec/types.js';
import type { Logger } from '../util/logger.js';

/** What one job file gave: a job (with its canonical hash), or why it gave none. */
export type FileResult =
  /** `hash` is the decoded job's canonical hash; `sha` the file bytes' sha256. */
  | { readonly kind: 'job'; readonly job: Job; readonly hash: string; readonly sha: string }
  | { readonly kind: 'error'; readonly message: string; readonly diagnostics: readonly Diagnostic[] };

export interface JobSnapshot {
  /** False when the directory could not be listed: absence then means nothing. */
  readonly complete: boolean;
  /** Keyed by file name (relative to the jobs dir), sorted. */
  readonly files: ReadonlyMap<string, FileResult>;
}

export interface JobParser {
  parse(file: string, text: string): Promise<{ readonly job: Job | null; readonly diagnostics: readonly Diagnostic[] }>;
  hash(job: Job): string;
  format(d: Diagnostic): string;
}

interface CacheEntry {
  readonly contentHash: string;
  readonly stamp: string;
  readonly result: FileResult;
  /** Set when the parser gave no answer (time limit, crash): the file is parsed again from then on. */
  readonly retryAt?: number;
  readonly failures?: number;
}

/**
 * A parser that gave no answer on a file is asked again after this, doubling per failure up
 * to the cap: on a loaded machine a good file can run past the time limit, and its error must
 * not stand until the file changes; a hostile file costs a parse at most that often.
 */
const NO_ANSWER_RETRY_MS = 10_000;
const NO_ANSWER_RETRY_MAX_MS = 600_000;

/** A directory with more entries than this is listed only up to it, with an error for the rest. */
export const MAX_JOB_FILES = 10_000;
/** Files read at once: enough to hide the thread pool's latency, few enough open fds. */
const READ_LANES = 16;

/**
 * The longest the listing reads and parses without a turn of the event loop. A plain HCL2
 * file is parsed in this thread (jobspec's fast path) and a small one read synchronously, so
 * a listing of 1,000 new files would otherwise be one stretch of the loop (~0.3–1 ms a file).
 */
const LIST_STRETCH_MS = 5;

/**
 * Turns of the event loop for lanes of work that share one thread: once the stretch since the
 * last turn is over its budget, every lane awaits the same turn (one lane yielding alone
 * would let the others go on in the same stretch).
 */
class LoopTurns {
  private since = performance.now();
  private turn: Promise<void> | null = null;

  constructor(private readonly budgetMs: number) {}

  /** A turn to await when the budget is spent, else undefined (no await, no microtask). */
  due(): Promise<void> | undefined {
    if (this.turn !== null) return this.turn;
    if (performance.now() - this.since < this.budgetMs) return undefined;
    this.turn = new Promise<void>((resolve) =>
      setImmediate(() => {
        this.turn = null;
        this.since = performance.now();
        resolve();
      }),
    );
    return this.turn;
  }
}

/**
 * Lists and parses the jobs directory (kubelet's file source, STYLE §5). It only reads: it
 * knows nothing of scheduling or the database. Parsing is cached by content hash, so a
 * rescan of unchanged files costs a read and a hash each.
 */
export class JobsSource {
  private readonly cache = new Map<string, CacheEntry>();
  /** Job file names as of the last listing; null until the directory has been listed whole. */
  private known: Set<string> | null = null;

  constructor(
    private readonly dir: string,
    private readonly parser: JobParser,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Seeds the parse cache with what the database says each file held when its job was
   * registered: after a restart an unchanged file is read and hashed, but not parsed again.
   */
  prime(entries: readonly { readonly file: string; readonly sha: string; readonly job: Job; readonly hash: string }[]): void {
    for (const e of entries) {
      if (!this.cache.has(e.file)) this.cache.set(e.file, { contentHash: e.sha, stamp: '', result: { kind: 'job', job: e.job, hash: e.hash, sha: e.sha } });
    }
  }

  /**
   * The jobs directory as a snapshot. `changed`: the names an fs.watch event reported since
   * the last listing; only those are looked at again (one lstat, and a read and a parse if
   * it changed), and every other file keeps the result of the last full listing. Null, or
   * no full listing yet, lists and stats the whole directory (the periodic rescan does, and
   * catches anything the events missed). Measured: with 300 files, an event's listing took
   * 3–4 ms of the agent's loop as a full one and ~1 ms by name.
   */
  /** Whether the directory has been listed whole: until then a listing by name lists it all. */
  get listedWhole(): boolean {
    return this.known !== null;
  }

  /** Whether the last listing had this file. */
  knows(name: string): boolean {
    return this.known?.has(name) ?? false;
  }

  async list(changed: ReadonlySet<string> | null = null): Promise<JobSnapshot> {
    let names: string[];
    if (changed !== null && this.known !== null) {
      const known = this.known;
      for (const n of changed) if (isJobFileName(n) || isApiJobFileName(n)) known.add(n);
      names = [...known].sort();
    } else {
      try {
        // `*.nomad.json`: jobs in Nomad's API JSON, as the HTTP API writes them.
        names = (await readdir(this.dir)).filter((n) => isJobFileName(n) || isApiJobFileName(n)).sort();
      } catch (err) {
        this.log.warn({ err, dir: this.dir }, 'jobs directory could not be listed');
        return { complete: false, files: new Map() };
      }
      changed = null;
    }
    const files = new Map<string, FileResult>();
    const overflow = names.slice(MAX_JOB_FILES);
    // Reads of new or changed files overlap (the parser queues its own work), so 1,000 files
    // dropped at once are not read one thread-pool round trip after another.
    const wanted = names.slice(0, MAX_JOB_FILES);
    const results = new Array<FileResult | null>(wanted.length).fill(null);
    const fresh: number[] = [];
    wanted.forEach((name, i) => {
      const hit = changed === null || changed.has(name) ? undefined : this.cache.get(name);
      if (hit) results[i] = hit.result;
      else fresh.push(i);
    });
    let next = 0;
    const turns = new LoopTurns(LIST_STRETCH_MS);
    const lane = async (): Promise<void> => {
      for (let k = next++; k < fresh.length; k = next++) {
        results[fresh[k]] = await this.readOne(wanted[fresh[k]]);
        const turn = turns.due();
        if (turn) await turn;
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_LANES, fresh.length) }, lane));
    const seen = new Set<string>();
    wanted.forEach((name, i) => {
      const result = results[i];
      if (result) files.set(name, result);
      if (result) seen.add(name);
    });
    for (const name of overflow) {
      files.set(name, errorResult(`${name}: not read: the jobs directory holds more than ${MAX_JOB_FILES} job files`));
      seen.add(name);
    }
    for (const name of this.cache.keys()) if (!files.has(name)) this.cache.delete(name);
    this.known = seen;
    return { complete: true, files };
  }

  /** null: the entry vanished or is not a regular file, so it is not a job file at all. */
  private async readOne(name: string): Promise<FileResult | null> {
    const path = join(this.dir, name);
    let text: Buffer;
    let stamp: string;
    try {
      // Sync: the promise API costs ~50 µs of main thread per call, a rescan of 1,000 files 50 ms.
      const st = lstatSync(path, { bigint: true });
      if (!st.isFile()) return null;
      if (st.size > BigInt(MAX_JOB_FILE_BYTES)) return errorResult(`${name}: file is ${st.size} bytes; job files are limited to ${MAX_JOB_FILE_BYTES} bytes`);
      // Same inode, size, mtime and ctime (nanoseconds): the file was not touched, so the
      // cached result stands without a read. Any write or replacement changes one of them.
      stamp = `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
      const hit = this.cache.get(name);
      if (hit && hit.stamp === stamp && !this.due(hit)) return hit.result;
      text = st.size <= BigInt(SYNC_READ_BYTES) ? readSmall(path, Number(st.size)) : await readCapped(path, Number(st.size));
      // More than the stat's size plus readCapped's slack: the file is being written now.
      // Not cached, so the write's own fs event (or the next rescan) reads it whole.
      if (text.length > Number(st.size) + 4096 && text.length <= MAX_JOB_FILE_BYTES) return errorResult(`${name}: file changed while being read`);
    } catch (err) {
      if (isMissing(err)) return null;
      return errorResult(`${name}: cannot read: ${(err as Error).message}`);
    }
    if (text.length > MAX_JOB_FILE_BYTES) return errorResult(`${name}: file grew past ${MAX_JOB_FILE_BYTES} bytes while being read`);
    const contentHash = createHash('sha256').update(text).digest('hex');
    const cached = this.cache.get(name);
    if (cached && cached.contentHash === contentHash && !this.due(cached)) {
      this.cache.set(name, { ...cached, stamp });
      return cached.result;
    }
    const result = await this.parseOne(name, text, contentHash);
    if (noAnswer(result)) {
      const failures = (cached?.contentHash === contentHash ? (cached.failures ?? 0) : 0) + 1;
      const retryAt = this.now() + Math.min(NO_ANSWER_RETRY_MS * 2 ** (failures - 1), NO_ANSWER_RETRY_MAX_MS);
      this.log.warn({ file: name, failures, retryAt: new Date(retryAt).toISOString() }, 'the HCL parser gave no answer on a job file; parsing it again later');
      this.cache.set(name, { contentHash, stamp, result, retryAt, failures });
    } else {
      this.cache.set(name, { contentHash, stamp, result });
    }
    return result;
  }

  /** A cached parser failure whose retry time has come. */
  private due(e: CacheEntry): boolean {
    return e.retryAt !== undefined && this.now() >= e.retryAt;
  }

  private async parseOne(name: string, text: Buffer, sha: string): Promise<FileResult> {
    const decoded = decodeUtf8(text);
    if (decoded === null) return errorResult(`${name}: not valid UTF-8 text`);
    try {
      const r = await this.parser.parse(name, decoded);
      if (r.job) return { kind: 'job', job: r.job, hash: this.parser.hash(r.job), sha };
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      return {
        kind: 'error',
        message: errors.map((d) => this.parser.format(d)).join('; ') || `${name}: invalid job file`,
        diagnostics: r.diagnostics,
      };
    } catch (err) {
      // The parser promises diagnostics, not throws; one that throws anyway is a bug we log
      // loudly, but one bad file must never take the agent down.
      this.log.error({ err, file: name }, 'job parser threw');
      return errorResult(`${name}: internal parser error: ${(err as Error).message}`);
    }
  }
}

/**
 * Job files up to this size are read synchronously: a regular file's read cannot wait on
 * anything, and four syscalls cost the loop ~20 µs against ~0.2–0.4 ms of promise and
 * FileHandle work for the async read (measured in the agent's profile with 1,000 files).
 */
const SYNC_READ_BYTES = 64 * 1024;

/** As readCapped: up to the stat's size plus room to notice that the file grew. */
function readSmall(path: string, size: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(size + 4096 + 1);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

function errorResult(message: string): FileResult {
  return { kind: 'error', message, diagnostics: [] };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
function decodeUtf8(b: Buffer): string | null {
  try {
    return utf8.decode(b);
  } catch {
    // fatal decoding throws on invalid bytes; that is the answer we asked for.
    return null;
  }
}

function isMissing(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: string }).code === 'ENOENT';
}

/** The parser gave no answer on the file (PARSER_LIMIT: time limit or crash), not a verdict on it. */
function noAnswer(r: FileResult): boolean {
  return r.kind === 'error' && r.diagnostics.some((d) => d.code === 'PARSER_LIMIT');
}
