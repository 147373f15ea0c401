import type { Database } from '../state/index.js';
import { clearFileError, listFileErrorFiles, listFileErrors, listJobsWithHash, listJobsWithHashFor, putFileError, putJobVersion, setJobStopped, tx } from '../state/index.js';
import { formatJobWarning } from '../jobspec/support.js';
import { jobWarnings } from '../jobspec/template-check.js';
import { assertNever } from '../util/assert.js';
import type { Logger } from '../util/logger.js';
import type { JobSnapshot } from './jobs-source.js';
import { planJobSync, type KnownJob, type SyncAction, type SyncPlan } from './job-sync.js';

/**
 * What the snapshot means for the database's jobs (a read; nothing written). `changed`: the
 * files an fs.watch event named; only they and the files in error are planned, against the
 * jobs they hold or declare (job-sync.ts), so a drop beside 1,000 jobs reads a few rows, not
 * every job (7 ms here). Null plans every file against every job.
 */
export function planSync(db: Database, snap: JobSnapshot, changed: ReadonlySet<string> | null = null): SyncPlan {
  const known = (rows: readonly { id: string; sourceFile: string; hash: string; stopped: boolean }[]): KnownJob[] =>
    rows.map((j) => ({ id: j.id, sourceFile: j.sourceFile, hash: j.hash, stopped: j.stopped }));
  if (changed === null) return planJobSync(known(listJobsWithHash(db)), snap);
  const only = new Set(changed);
  for (const f of listFileErrorFiles(db)) only.add(f);
  const ids = new Set<string>();
  for (const f of only) {
    const r = snap.files.get(f);
    if (r?.kind === 'job') ids.add(r.job.id);
  }
  return planJobSync(known(listJobsWithHashFor(db, only, ids)), snap, only);
}

/**
 * Writes some of a plan's actions in one transaction (a pass of many files writes them in
 * chunks, so no one transaction holds the loop long); returns the jobs registered or
 * stopped. `clearErrors`: the plan of a complete listing, whose other recorded file errors
 * are gone (given with the last chunk).
 */
export function applySyncActions(db: Database, actions: readonly SyncAction[], now: number, log: Logger, clearErrors: SyncPlan | null): Set<string> {
  const touched = new Set<string>();
  tx(db, () => {
    for (const a of actions) {
      switch (a.kind) {
        case 'put': {
          const r = putJobVersion(db, a.job, a.hash, a.file, now, a.sha);
          touched.add(a.job.id);
          if (r.changed) {
            log.info({ jobId: a.job.id, version: r.version, file: a.file }, 'job registered');
            // Once per registered version: what the job asks for that bivouac will not do.
            for (const w of jobWarnings(a.job)) log.warn({ jobId: a.job.id, version: r.version, warning: formatJobWarning(w) }, 'job warning');
          }
          break;
        }
        case 'stop':
          setJobStopped(db, a.jobId, now);
          touched.add(a.jobId);
          log.info({ jobId: a.jobId, reason: a.reason }, 'job stopped');
          break;
        case 'fileError':
          if (putFileError(db, a.file, a.jobId, a.message, a.diagnostics, now)) {
            log.warn({ file: a.file, jobId: a.jobId, error: a.message }, 'job file rejected');
          }
          break;
        default:
          assertNever(a, 'sync action');
      }
    }
    if (clearErrors !== null) {
      for (const e of listFileErrors(db)) if (!clearErrors.errorFiles.has(e.file)) clearFileError(db, e.file);
    }
  });
  return touched;
}
