import type { Database } from '../state/index.js';
import { clearFileError, listFileErrors, listJobsWithHash, putFileError, putJobVersion, setJobStopped, tx } from '../state/index.js';
import { formatJobWarning } from '../jobspec/support.js';
import { jobWarnings } from '../jobspec/template-check.js';
import { assertNever } from '../util/assert.js';
import type { Logger } from '../util/logger.js';
import type { JobSnapshot } from './jobs-source.js';
import { planJobSync, type KnownJob } from './job-sync.js';

/**
 * Plans the snapshot against the database and writes the outcome in one transaction.
 * Returns the jobs it registered or stopped: a targeted schedule reconciles these.
 */
export function applyJobSync(db: Database, snap: JobSnapshot, now: number, log: Logger): Set<string> {
  const touched = new Set<string>();
  tx(db, () => {
    const known: KnownJob[] = listJobsWithHash(db).map((j) => ({ id: j.id, sourceFile: j.sourceFile, hash: j.hash, stopped: j.stopped }));
    const plan = planJobSync(known, snap);
    for (const a of plan.actions) {
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
    if (snap.complete) {
      for (const e of listFileErrors(db)) if (!plan.errorFiles.has(e.file)) clearFileError(db, e.file);
    }
  });
  return touched;
}
