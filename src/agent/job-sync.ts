import type { Diagnostic, Job } from '../jobspec/types.js';
import type { JobSnapshot } from './jobs-source.js';

/** What the database knows of a job, as far as files are concerned. */
export interface KnownJob {
  readonly id: string;
  readonly sourceFile: string;
  readonly hash: string;
  readonly stopped: boolean;
}

export type SyncAction =
  /** Register the job from this file: new, changed, or re-claimed. State decides if it is a new version. */
  | { readonly kind: 'put'; readonly file: string; readonly job: Job; readonly hash: string; readonly sha: string }
  | { readonly kind: 'stop'; readonly jobId: string; readonly reason: string }
  | {
      readonly kind: 'fileError';
      readonly file: string;
      /** The job this file keeps running on its last good version, if any. */
      readonly jobId: string | null;
      readonly message: string;
      readonly diagnostics: readonly Diagnostic[];
    };

export interface SyncPlan {
  readonly actions: readonly SyncAction[];
  /** Files whose errors should remain; every other recorded error is cleared (only when complete). */
  readonly errorFiles: ReadonlySet<string>;
}

/**
 * Compares a snapshot of the jobs directory with what the database holds and says what to
 * do (STYLE §5's diffJobSets, against the database rather than the previous snapshot, so
 * that a restart of the agent converges the same way). Pure.
 *
 * - A file that stops parsing keeps its job on the last good version; the error is recorded.
 * - Two files declaring one job: the file that already owns it keeps it; among new claims,
 *   the first in name order wins. The other file is an error.
 * - A job whose file is gone (or no longer declares it) is stopped, but only when the
 *   listing is complete: an unreadable directory stops nothing.
 * - An unchanged hash yields no `put` unless the job was stopped or moved files.
 *
 * `only`: plan these files alone (a pass on the files an fs.watch event named, plus every
 * file in error, whose fate may turn on them); `known` then needs only the jobs these files
 * hold or declare. Every other file's result is what the last plan already applied, and a
 * file outside `only` is still read for whether an owner declares its job.
 */
export function planJobSync(known: readonly KnownJob[], snap: JobSnapshot, only: ReadonlySet<string> | null = null): SyncPlan {
  const byId = new Map(known.map((k) => [k.id, k]));
  const ownerOf = new Map<string, string>();
  for (const k of known) if (!k.stopped) ownerOf.set(k.id, k.sourceFile);

  const actions: SyncAction[] = [];
  const errorFiles = new Set<string>();
  const claimed = new Map<string, string>();

  const ownerStillDeclares = (jobId: string, owner: string): boolean => {
    const r = snap.files.get(owner);
    if (!r) return false;
    return r.kind === 'error' || r.job.id === jobId;
  };

  for (const [file, r] of snap.files) {
    if (only !== null && !only.has(file)) continue;
    if (r.kind === 'error') {
      const kept = known.find((k) => !k.stopped && k.sourceFile === file)?.id ?? null;
      if (kept !== null && !claimed.has(kept)) claimed.set(kept, file);
      actions.push({ kind: 'fileError', file, jobId: kept, message: r.message, diagnostics: r.diagnostics });
      errorFiles.add(file);
      continue;
    }
    const id = r.job.id;
    const owner = ownerOf.get(id);
    const rival = claimed.get(id) ?? (owner !== undefined && owner !== file && ownerStillDeclares(id, owner) ? owner : undefined);
    if (rival !== undefined) {
      actions.push({
        kind: 'fileError',
        file,
        jobId: null,
        message: `${file}: job "${id}" is already defined in ${rival}; rename the job or remove one of the files`,
        diagnostics: [],
      });
      errorFiles.add(file);
      continue;
    }
    claimed.set(id, file);
    const k = byId.get(id);
    if (!k || k.hash !== r.hash || k.stopped || k.sourceFile !== file) actions.push({ kind: 'put', file, job: r.job, hash: r.hash, sha: r.sha });
  }

  if (snap.complete) {
    for (const k of known) {
      if (k.stopped || claimed.has(k.id) || (only !== null && !only.has(k.sourceFile))) continue;
      const r = snap.files.get(k.sourceFile);
      const reason = r === undefined ? `job file ${k.sourceFile} was removed` : `job file ${k.sourceFile} no longer defines job "${k.id}"`;
      actions.push({ kind: 'stop', jobId: k.id, reason });
    }
  }
  return { actions, errorFiles };
}
