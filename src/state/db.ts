// A static import, so the CLI's bundle carries the package's JavaScript (loading its ~12 files
// through require cost a cold `status` ~3 ms); the native addon still loads on the first open.
import BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BivouacError } from '../util/errors.js';
import { migration001 } from './migrations/001_initial.js';
import { migration002 } from './migrations/002_job_summary.js';
import { migration003 } from './migrations/003_alloc_counts.js';
import { migration004 } from './migrations/004_task_stats.js';
import { migration005 } from './migrations/005_job_lifecycle.js';
import { migration006 } from './migrations/006_change_index.js';
import { migration007 } from './migrations/007_rkt_pod_removals.js';
import { migration008 } from './migrations/008_job_evals.js';
import { migration009 } from './migrations/009_jobs_source_file.js';
import { migration010 } from './migrations/010_job_list.js';

export type Database = BetterSqlite3.Database;

/** Index i holds the migration that takes the schema from version i to i+1. */
// 005 (issue 12) was written beside 006 and merged after it: appended, so databases already at 006 still get it.
const MIGRATIONS: readonly string[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008, migration009, migration010];
export const SCHEMA_VERSION = MIGRATIONS.length;

export interface OpenOptions {
  /** Status commands open read-only: they must never write, nor create the file. */
  readonly readonly?: boolean;
}

type Binding = { nativeBinding?: string };
let binding: Binding | null = null;

/**
 * The addon, loaded from where `npm ci` builds it: without it better-sqlite3 asks the
 * `bindings` package to probe a dozen candidate paths, ~5 ms of every cold status. It is
 * looked for as Node resolves a package, in `node_modules/better-sqlite3` of this module's
 * directory and each one above (a stat a level: require.resolve of the package cost a cold
 * status ~0.5 ms), then by require.resolve (NODE_PATH and the like); and loaded with
 * process.dlopen, not require() of its path, which resolves and realpaths it again (0.8 vs 0.35 ms).
 */
function nativeBinding(): Binding {
  if (binding !== null) return binding;
  // import.meta.dirname: Node >= 20.11; the CommonJS bundles define it as __dirname.
  for (let dir = import.meta.dirname ?? dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    if (existsSync(file)) return (binding = loaded(file));
    if (dirname(dir) === dir) break;
  }
  try {
    const file = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
    binding = existsSync(file) ? loaded(file) : {};
  } catch {
    binding = {};
  }
  return binding;
}

/** better-sqlite3 takes the addon's exports as nativeBinding too (its types name only a path). */
function loaded(file: string): Binding {
  const addon = { exports: {} };
  process.dlopen(addon, file);
  return { nativeBinding: addon.exports as unknown as string };
}

/**
 * Opens the state database and brings its schema up to date.
 *
 * WAL with synchronous=NORMAL: a commit is durable against a crash of the agent process
 * (the case this project is built for: kill -9 at any instant), and the database stays
 * consistent across a power cut, which may lose the last few transactions. FULL would cost
 * ~5× the write rate (reference/deps.md §3) for that last case only.
 */
export function openState(path: string, opts: OpenOptions = {}): Database {
  const Ctor = BetterSqlite3;
  if (opts.readonly) {
    if (path !== ':memory:' && !existsSync(path)) {
      throw new BivouacError('STATE_NOT_FOUND', `no state database at ${path}: has the agent run with this data dir?`);
    }
    // timeout: SQLite's busy timeout, as the agent's busy_timeout pragma sets it (without a statement).
    const db = new Ctor(path, { readonly: true, fileMustExist: true, timeout: 5000, ...nativeBinding() });
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      db.close();
      throw new BivouacError('STATE_MIGRATION', `state database ${path} has schema ${version}, newer than this bivouac (${SCHEMA_VERSION}): upgrade bivouac`);
    }
    if (version === SCHEMA_VERSION) return db;
    // A database no agent of this version has opened yet (its agent migrates it on start): the
    // reads go to a copy in memory brought up to date, and the file is never written.
    // The image of a WAL database says so in its header (bytes 18 and 19 are 2), and a copy in
    // memory has no WAL file: it is marked a rollback-journal database, as SQLite advises for
    // a deserialized image (else every statement fails, "unable to open database file").
    const image = db.serialize();
    image[18] = 1;
    image[19] = 1;
    const copy = new Ctor(image, nativeBinding());
    db.close();
    migrate(copy, path);
    return copy;
  }
  const db = new Ctor(path, nativeBinding());
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, path);
  return db;
}

function migrate(db: Database, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    db.close();
    throw new BivouacError('STATE_MIGRATION', `state database ${path} has schema ${current}, newer than this bivouac (${SCHEMA_VERSION}): upgrade bivouac`);
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    const step = db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    });
    try {
      step();
    } catch (err) {
      throw new BivouacError('STATE_MIGRATION', `migrating ${path} from schema ${v} to ${v + 1} failed`, { cause: err });
    }
  }
}

type Statement = BetterSqlite3.Statement<unknown[], unknown>;
const statementCache = new WeakMap<Database, Map<string, Statement>>();

/** Prepared statements are cached per connection: preparing costs more than running. */
export function stmt(db: Database, sql: string): Statement {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}

/**
 * Runs fn in one transaction (nested calls join the outer one), begun IMMEDIATE: it takes the
 * write lock first, waiting out another writer under busy_timeout. A deferred one starts as a
 * reader, and in WAL mode a reader whose snapshot another process has since written past
 * cannot become a writer: SQLite answers SQLITE_BUSY at once, without waiting (seen: `job
 * periodic force` failing "database is locked" beside a busy agent).
 */
export function tx<T>(db: Database, fn: () => T): T {
  return db.transaction(fn).immediate();
}

/**
 * Closes the agent's connection, leaving the file in rollback-journal mode so that a
 * read-only `status` with the agent down creates no -wal or -shm files beside it (the next
 * agent turns WAL back on). If a reader holds the file at that moment the switch is
 * skipped: the file stays in WAL mode, which is just as correct.
 */
export function closeState(db: Database): void {
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
  } catch {
    // SQLITE_BUSY from a concurrent reader: the switch is an optimisation, not a need.
  }
  db.close();
}
