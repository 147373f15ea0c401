import type { Database } from '../state/index.js';
import { clearFileError, listFileErrors, listJobsWithHash, putFileError, putJobVersion, setJobStopped, tx } from '../state/index.js';
import { formatJobWarning } from '../jobspec/support.js';
import { jobWarnings } from '../jobspec/template-check.js';
import { assertNever } from '../util/assert.js';
import type { Logger } from '../util/logger.js';
import type { JobSnapshot } from './jobs-source.js';
import { planJobSync, type SyncAction, type SyncPlan } from './job-sync.js';

/** What the snapshot means for the database's jobs (a read; nothing written). */
export function planSync(db: Database, snap: JobSnapshot): SyncPlan {
  return planJobSync(listJobsWithHash(db).map((j) => ({ id: j.id, sourceFile: j.sourceFile, hash: j.hash, stopped: j.stopped })), snap);
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
