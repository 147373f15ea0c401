/**
 * The spawner's wire format: one JSON object per line each way over the helper's stdin and
 * stdout. Requests carry an id; the helper answers each with `started` or `failed`, and
 * later reports every child's end with `exited`. Nothing else is said, so a reader can
 * trust the shape after checking `kind`.
 */

export interface SpawnRequest {
  readonly kind: 'spawn';
  readonly id: number;
  readonly file: string;
  readonly args: readonly string[];
  /** The helper's own (the agent's) when absent. */
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Both or neither: the task's user. */
  readonly uid?: number;
  readonly gid?: number;
  /** Opened append-only, never through a symlink, by the helper. */
  readonly stdoutPath: string;
  readonly stderrPath: string;
  /**
   * Keep the child's stdin open until a `release` for this id: the exit-status shim waits
   * on it for its go-ahead while the agent puts it in its cgroup.
   */
  readonly gated: boolean;
  /**
   * A gated child's cgroup: the helper writes its pid into these `cgroup.procs` files, reads
   * its start time while it still waits, then releases it itself. The join is off the
   * agent's event loop and a round trip shorter (the agent neither joins nor releases).
   */
  readonly join?: readonly string[];
  /**
   * With `join`: the task's cgroup directories to make first (each with one mkdir, never
   * recursive: it must not exist yet), on the helper's thread pool while it forks, and the
   * control files (limits) to write into them before the join, each skipped where its
   * hierarchy does not offer it. The agent planned them and removes them if the start fails.
   */
  readonly mkdirs?: readonly string[];
  readonly writes?: readonly ControlWrite[];
}

export interface ControlWrite {
  readonly file: string;
  readonly value: string;
}

/** The go-ahead for a gated child: `go` lets the shim run the task, false makes it exit unrun. */
export interface ReleaseRequest {
  readonly kind: 'release';
  readonly id: number;
  readonly go: boolean;
}

/**
 * Keep cgroup migrations cheap for `forMs` from now (spawner-warm.ts): a task's join into
 * its cgroup soon after then skips the kernel's RCU grace period.
 */
export interface WarmRequest {
  readonly kind: 'warm';
  /** The hierarchy's mount point, and how /proc/self/cgroup names it: '' for the unified one, else a v1 controller. */
  readonly mount: string;
  readonly controller: string;
  readonly forMs: number;
}

/**
 * Make a directory tree off the agent's thread (the spare allocation trees,
 * runner/spare-dirs.ts): each entry in order, a directory (mkdir, then chmod: the mode exact
 * whatever the umask) or an empty file (created exclusively), then the first entry renamed
 * to `renameTo`, so the tree appears there complete or not at all. Answered `made` or `failed`.
 */
export interface MakeTreeRequest {
  readonly kind: 'mktree';
  readonly id: number;
  readonly entries: readonly TreeEntry[];
  readonly renameTo: string;
}

export interface TreeEntry {
  readonly path: string;
  readonly mode: number;
  readonly file: boolean;
}

export type Request = SpawnRequest | ReleaseRequest | WarmRequest | MakeTreeRequest;

export type SpawnerMessage =
  /** `startTime`: /proc/<pid>/stat's, read before the release, for a request with `join`. */
  | { readonly kind: 'started'; readonly id: number; readonly pid: number; readonly startTime?: number }
  | { readonly kind: 'made'; readonly id: number }
  | { readonly kind: 'failed'; readonly id: number; readonly code: string; readonly message: string }
  | { readonly kind: 'exited'; readonly pid: number; readonly code: number | null; readonly signal: string | null };

/** Splits a byte stream into lines and hands each complete one on; a partial tail waits for the rest. */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer | string) => void {
  let rest = '';
  return (chunk) => {
    rest += chunk.toString();
    let nl = rest.indexOf('\n');
    while (nl >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (line !== '') onLine(line);
      nl = rest.indexOf('\n');
    }
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The helper's side: a request as sent by our own client, or null for anything else. */
export function decodeRequest(line: string): Request | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isRecord(v)) return null;
  if (v.kind === 'release') return typeof v.id === 'number' && typeof v.go === 'boolean' ? { kind: 'release', id: v.id, go: v.go } : null;
  if (v.kind === 'warm') {
    const { mount, controller, forMs } = v;
    return typeof mount === 'string' && typeof controller === 'string' && typeof forMs === 'number' ? { kind: 'warm', mount, controller, forMs } : null;
  }
  if (v.kind === 'mktree') {
    const { id, entries, renameTo } = v;
    if (typeof id !== 'number' || typeof renameTo !== 'string' || !Array.isArray(entries) || entries.length === 0) return null;
    if (!entries.every((e) => isRecord(e) && typeof e.path === 'string' && typeof e.mode === 'number' && typeof e.file === 'boolean')) return null;
    return { kind: 'mktree', id, renameTo, entries: (entries as TreeEntry[]).map((e) => ({ path: e.path, mode: e.mode, file: e.file })) };
  }
  const { kind, id, file, args, cwd, env, uid, gid, stdoutPath, stderrPath, gated, join, mkdirs, writes } = v;
  if (kind !== 'spawn' || typeof gated !== 'boolean') return null;
  if (typeof id !== 'number' || typeof file !== 'string' || (cwd !== undefined && typeof cwd !== 'string')) return null;
  if (typeof stdoutPath !== 'string' || typeof stderrPath !== 'string') return null;
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) return null;
  if (env !== undefined && (!isRecord(env) || !Object.values(env).every((x) => typeof x === 'string'))) return null;
  if ((uid === undefined) !== (gid === undefined)) return null;
  if (join !== undefined && (!gated || !Array.isArray(join) || !join.every((f) => typeof f === 'string'))) return null;
  if (uid !== undefined && (typeof uid !== 'number' || typeof gid !== 'number')) return null;
  if (mkdirs !== undefined && (join === undefined || !Array.isArray(mkdirs) || !mkdirs.every((d) => typeof d === 'string'))) return null;
  if (writes !== undefined && (join === undefined || !Array.isArray(writes) || !writes.every((w) => isRecord(w) && typeof w.file === 'string' && typeof w.value === 'string'))) return null;
  return {
    kind: 'spawn',
    id,
    file,
    args: args as string[],
    ...(cwd !== undefined ? { cwd } : {}),
    ...(env !== undefined ? { env: env as Record<string, string> } : {}),
    stdoutPath,
    stderrPath,
    gated,
    ...(uid !== undefined ? { uid, gid: gid as number } : {}),
    ...(join !== undefined ? { join: join as string[] } : {}),
    ...(mkdirs !== undefined ? { mkdirs: mkdirs as string[] } : {}),
    ...(writes !== undefined ? { writes: (writes as ControlWrite[]).map((w) => ({ file: w.file, value: w.value })) } : {}),
  };
}

/** The client's side: a message from the helper, or null for anything else. */
export function decodeMessage(line: string): SpawnerMessage | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isRecord(v)) return null;
  if (v.kind === 'started' && typeof v.id === 'number' && typeof v.pid === 'number') {
    if (v.startTime !== undefined && typeof v.startTime !== 'number') return null;
    return { kind: 'started', id: v.id, pid: v.pid, ...(typeof v.startTime === 'number' ? { startTime: v.startTime } : {}) };
  }
  if (v.kind === 'made' && typeof v.id === 'number') return { kind: 'made', id: v.id };
  if (v.kind === 'failed' && typeof v.id === 'number' && typeof v.code === 'string' && typeof v.message === 'string') {
    return { kind: 'failed', id: v.id, code: v.code, message: v.message };
  }
  if (v.kind === 'exited' && typeof v.pid === 'number' && (v.code === null || typeof v.code === 'number') && (v.signal === null || typeof v.signal === 'string')) {
    return { kind: 'exited', pid: v.pid, code: v.code, signal: v.signal };
  }
  return null;
}
