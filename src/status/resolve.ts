/**
 * Short IDs as Nomad's CLI resolves them (command/helpers.go, job_status.go, alloc_status.go,
 * node_status.go), so a prefix that works with `nomad` works with bivouac and fails with the
 * same words:
 * - jobs: a plain prefix of the job ID; several matches are an error unless the first (in ID
 *   order) is the exact ID;
 * - allocations and nodes: at least two characters; an odd number of hex digits is cut to an
 *   even one (sanitizeUUIDPrefix), as the server matches UUIDs by whole bytes; several matches
 *   are an error.
 * The caller prints `message` on stderr and exits 1. Read-only.
 */
import type { AllocRecord, Database, JobRecord, JobSummary } from '../state/index.js';
import { findAllocsByPrefix, getJobSummary, getNode, listJobSummaries } from '../state/index.js';
import { formatAgo, formatTable, formatTime, shortId } from '../cli/format.js';

export type Resolved<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** Nomad's words for a one-character ID: `alloc status`/`node status` say Identifier, the alloc verbs say Alloc ID. */
export type IdWord = 'Identifier' | 'Alloc ID';

/** Hyphens do not count toward the length, as in Nomad's sanitizeUUIDPrefix. */
export function sanitizeUUIDPrefix(prefix: string): string {
  const digits = prefix.length - (prefix.match(/-/g)?.length ?? 0);
  return digits % 2 === 1 ? prefix.slice(0, -1) : prefix;
}

export function tooShort(arg: string, word: IdWord): string | null {
  return arg.length === 1 ? `${word} must contain at least two characters.` : null;
}

/** How many allocations an ambiguous prefix lists: enough to see the problem. */
const AMBIGUOUS_LIMIT = 20;

export function resolveAlloc(db: Database, arg: string, now: number, word: IdWord = 'Identifier', verbose = false): Resolved<AllocRecord> {
  const short = tooShort(arg, word);
  if (short !== null) return { ok: false, message: short };
  const prefix = sanitizeUUIDPrefix(arg);
  const found = findAllocsByPrefix(db, prefix, AMBIGUOUS_LIMIT);
  if (found.length === 0) return { ok: false, message: `No allocation(s) with prefix or id "${prefix}" found` };
  if (found.length > 1) return { ok: false, message: `Prefix matched multiple allocations\n\n${allocStubTable(found, getNode(db)?.info.id ?? '', now, verbose)}` };
  return { ok: true, value: found[0] };
}

/** Nomad's formatAllocListStubs, which lists the candidates of an ambiguous prefix. */
function allocStubTable(allocs: readonly AllocRecord[], nodeId: string, now: number, verbose: boolean): string {
  return formatTable(
    ['ID', 'Node ID', 'Task Group', 'Version', 'Desired', 'Status', 'Created', 'Modified'],
    allocs.map((a) => [
      shortId(a.id, verbose),
      shortId(nodeId, verbose),
      a.taskGroup,
      String(a.jobVersion),
      a.desiredStatus,
      a.clientStatus,
      verbose ? formatTime(a.createTime) : formatAgo(a.createTime, now),
      verbose ? formatTime(a.modifyTime) : formatAgo(a.modifyTime, now),
    ]),
  );
}

export interface ResolvedJob {
  readonly job: JobRecord;
  readonly summary: JobSummary;
}

/**
 * The exact ID is looked up first (one indexed read, the common case); only a prefix lists
 * the jobs. `describe` renders the candidates of an ambiguous prefix (Nomad prints its job
 * list table there), so this module stays free of the job list's columns.
 */
export function resolveJob(db: Database, arg: string, describe: (jobs: readonly ResolvedJob[]) => string): Resolved<ResolvedJob> {
  const exact = getJobSummary(db, arg);
  if (exact) return { ok: true, value: exact };
  const found = arg === '' ? [] : listJobSummaries(db)
          .filter((j) => j.job.id.startsWith(arg))
          .sort((a, b) => (a.job.id < b.job.id ? -1 : a.job.id > b.job.id ? 1 : 0));
  if (found.length === 0) return { ok: false, message: `No job(s) with prefix or id "${arg}" found` };
  if (found.length > 1) return { ok: false, message: `Prefix matched multiple jobs\n\n${describe(found)}` };
  return { ok: true, value: found[0] };
}

/** bivouac has one node: a prefix either names it or nothing. */
export function resolveNode(nodeId: string, arg: string, word: IdWord = 'Identifier'): Resolved<string> {
  const short = tooShort(arg, word);
  if (short !== null) return { ok: false, message: short };
  const prefix = sanitizeUUIDPrefix(arg);
  if (!nodeId.startsWith(prefix)) return { ok: false, message: `No node(s) with prefix "${prefix}" found` };
  return { ok: true, value: nodeId };
}
