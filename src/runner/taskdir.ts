/**
 * Allocation and task directories in Nomad's layout (reference nomad.md §2.3):
 *
 *   <dataDir>/alloc/<allocId>/alloc/{data,logs,tmp}
 *   <dataDir>/alloc/<allocId>/<task>/{local,secrets,tmp}
 *
 * Names come from job files, so each one is checked before it becomes a path, and every
 * directory is opened without following symlinks: a symlink planted where a directory
 * belongs is refused, never followed. Building is idempotent, so it is safe to repeat after
 * a crash halfway through.
 */
import { closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { BivouacError } from '../util/errors.js';
import type { SpareAllocDirs } from './spare-dirs.js';

export interface TaskDirPaths {
  /** The task's working directory. */
  readonly dir: string;
  /** NOMAD_TASK_DIR */
  readonly local: string;
  /** NOMAD_SECRETS_DIR */
  readonly secrets: string;
  readonly tmp: string;
}

export interface AllocDirPaths {
  /** <dataDir>/alloc/<allocId> */
  readonly root: string;
  /** The shared dir, NOMAD_ALLOC_DIR. */
  readonly allocDir: string;
  readonly dataDir: string;
  readonly logsDir: string;
  readonly tmpDir: string;
  readonly tasks: ReadonlyMap<string, TaskDirPaths>;
}

/** The shared dir's name, so no task may take it. */
const SHARED = 'alloc';

// Who needs what: the agent owns everything; tasks (rkt's run as nobody, raw_exec's as their
// job's user) must be able to pass through the root to their own dir but not list it, write
// to the shared data and tmp dirs (sticky, like /tmp, so none deletes another's files), and
// nobody but the owner may look into secrets/.
export const ALLOC_DIR_MODES = {
  root: 0o711,
  shared: 0o755,
  data: 0o1777,
  logs: 0o755,
  tmp: 0o1777,
  taskDir: 0o755,
  local: 0o755,
  secrets: 0o700,
} as const;

export function allocDirPaths(dataDir: string, allocId: string, tasks: readonly string[]): AllocDirPaths {
  checkName(allocId, 'allocation id');
  const root = join(dataDir, 'alloc', allocId);
  const allocDir = join(root, SHARED);
  const taskPaths = new Map<string, TaskDirPaths>();
  for (const name of tasks) {
    checkName(name, 'task name');
    if (name === SHARED) throw unsafe(`task name ${JSON.stringify(name)} is reserved for the shared alloc dir`);
    const dir = join(root, name);
    taskPaths.set(name, { dir, local: join(dir, 'local'), secrets: join(dir, 'secrets'), tmp: join(dir, 'tmp') });
  }
  return {
    root,
    allocDir,
    dataDir: join(allocDir, 'data'),
    logsDir: join(allocDir, 'logs'),
    tmpDir: join(allocDir, 'tmp'),
    tasks: taskPaths,
  };
}

/**
 * Creates (or checks and repairs the modes of) the whole tree. Throws UNSAFE_PATH. With
 * `spare`, an allocation's first start publishes a tree made ahead of need (spare-dirs.ts),
 * its task part named for `spare.task`, and makes only the group's other tasks' directories.
 */
export function buildAllocDir(
  dataDir: string,
  allocId: string,
  tasks: readonly string[],
  spare?: { readonly dirs: SpareAllocDirs; readonly path: string; readonly task: string },
): AllocDirPaths {
  const p = allocDirPaths(dataDir, allocId, tasks);
  try {
    // The data dir is the operator's; its alloc/ is ours and is checked like the rest.
    mkdirSync(dataDir, { recursive: true });
    ensureDir(join(dataDir, 'alloc'), 0o711);
    if (spare && !p.tasks.has(spare.task)) throw new BivouacError('TASK_SETUP', `task ${spare.task} is not in the group`, { recoverable: false });
  } catch (e) {
    // Unused, the spare goes back to the pool whole.
    spare?.dirs.giveBack(spare.path);
    throw e;
  }
  if (spare && spare.dirs.publish(spare.path, p.root, spare.task)) {
    for (const [name, t] of p.tasks) if (name !== spare.task) ensureTaskDirs(t);
    return p;
  }
  ensureDir(p.root, ALLOC_DIR_MODES.root);
  ensureDir(p.allocDir, ALLOC_DIR_MODES.shared);
  ensureDir(p.dataDir, ALLOC_DIR_MODES.data);
  ensureDir(p.logsDir, ALLOC_DIR_MODES.logs);
  ensureDir(p.tmpDir, ALLOC_DIR_MODES.tmp);
  for (const t of p.tasks.values()) ensureTaskDirs(t);
  return p;
}

function ensureTaskDirs(t: TaskDirPaths): void {
  ensureDir(t.dir, ALLOC_DIR_MODES.taskDir);
  ensureDir(t.local, ALLOC_DIR_MODES.local);
  ensureDir(t.secrets, ALLOC_DIR_MODES.secrets);
  ensureDir(t.tmp, ALLOC_DIR_MODES.tmp);
}

/** One path component from a job file: no separators, no dot names, nothing invisible. */
function checkName(name: string, what: string): void {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name) || name.length > 255) {
    throw unsafe(`${what} ${JSON.stringify(name)} cannot be used as a directory name`);
  }
}

/**
 * mkdir if absent, then open with O_NOFOLLOW|O_DIRECTORY and fix the mode through the fd:
 * a symlink fails the open (ELOOP), a file fails O_DIRECTORY (ENOTDIR), and the mode is set on
 * the directory we checked, not on whatever the name points at a moment later.
 */
function ensureDir(path: string, mode: number): void {
  try {
    mkdirSync(path, { mode });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new BivouacError('TASK_SETUP', `cannot create ${path}`, { cause: e });
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOTDIR') throw unsafe(`${path} is not a plain directory`, e);
    throw new BivouacError('TASK_SETUP', `cannot open ${path}`, { cause: e });
  }
  try {
    if (!fstatSync(fd).isDirectory()) throw unsafe(`${path} is not a plain directory`);
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

function unsafe(message: string, cause?: unknown): BivouacError {
  return new BivouacError('UNSAFE_PATH', message, { cause, recoverable: false });
}
