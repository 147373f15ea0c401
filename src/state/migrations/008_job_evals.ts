/**
 * Schema 008: one synthetic, complete evaluation per job registration and per stop, however
 * the job came — a dropped file, an edit, the API, a dispatch or a periodic launch — so
 * `/v1/job/:id/evaluations` and `/v1/evaluation/:id[/allocations]` answer as Nomad's would for
 * every job. Kept by triggers in the pass's own transaction (the writers need not know): a new
 * job's version 0 (`job_versions` insert), and on `jobs` a new version or a stop/restart
 * (`idx_jobs_upd`, recreated with the insert after its own statements so the evaluation
 * carries the job's new JobModifyIndex). Times are the writer's own (`modify_time`,
 * `submit_time`), so they agree with the allocations the same pass creates. As Nomad
 * collects old evaluations, a job keeps its newest EVALS_PER_JOB (by insertion order) and a
 * job's rows go with it (a collected dispatch or periodic child, a purge).
 */
export const EVALS_PER_JOB = 50;
const uuid = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
    || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;

/** Namespace, priority and type from a version's summary, with Nomad's defaults for rows from before schema 2. */
const fromSummary = (summary: string): string => `
    COALESCE(json_extract(${summary}, '$.namespace'), 'default'), COALESCE(json_extract(${summary}, '$.priority'), 50),
    COALESCE(json_extract(${summary}, '$.type'), 'service')`;

/** A job's evaluations beyond its newest EVALS_PER_JOB (rowid is insertion order). */
export const pruneEvalsSql = (job: string): string =>
  `DELETE FROM evaluations WHERE job_id = ${job} AND rowid <= (
    SELECT rowid FROM evaluations WHERE job_id = ${job} ORDER BY rowid DESC LIMIT 1 OFFSET ${EVALS_PER_JOB})`;

// A new job has no evaluation to prune: only a new version or a stop (and the API's own
// register of an unchanged job, state/evals.ts) can take a job past the cap.
export const migration008 = `
CREATE TRIGGER evals_job_new AFTER INSERT ON job_versions WHEN NEW.version = 0 BEGIN
  INSERT INTO evaluations (id, job_id, namespace, priority, type, triggered_by, status, job_modify_index, create_time)
  SELECT ${uuid}, NEW.job_id, ${fromSummary('NEW.summary_json')}, 'job-register', 'complete', j.job_modify_index, NEW.submit_time
  FROM jobs j WHERE j.id = NEW.job_id;
END;

DROP TRIGGER idx_jobs_upd;
CREATE TRIGGER idx_jobs_upd AFTER UPDATE OF version, source_file, stopped, placement_json ON jobs
WHEN NEW.version IS NOT OLD.version OR NEW.source_file IS NOT OLD.source_file OR NEW.stopped IS NOT OLD.stopped
  OR NEW.placement_json IS NOT OLD.placement_json BEGIN
  UPDATE state_index SET idx = idx + 1;
  UPDATE jobs SET modify_index = (SELECT idx FROM state_index),
    job_modify_index = CASE WHEN NEW.version IS NOT OLD.version OR NEW.stopped IS NOT OLD.stopped
      THEN (SELECT idx FROM state_index) ELSE job_modify_index END WHERE id = NEW.id;
  INSERT INTO evaluations (id, job_id, namespace, priority, type, triggered_by, status, job_modify_index, create_time)
  SELECT ${uuid}, NEW.id, ${fromSummary('v.summary_json')}, CASE WHEN NEW.stopped THEN 'job-deregister' ELSE 'job-register' END,
    'complete', j.job_modify_index, NEW.modify_time
  FROM jobs j LEFT JOIN job_versions v ON v.job_id = j.id AND v.version = NEW.version
  WHERE j.id = NEW.id AND (NEW.version IS NOT OLD.version OR NEW.stopped IS NOT OLD.stopped);
  ${pruneEvalsSql('NEW.id')} AND (NEW.version IS NOT OLD.version OR NEW.stopped IS NOT OLD.stopped);
END;

CREATE TRIGGER evals_job_gone AFTER DELETE ON jobs BEGIN
  DELETE FROM evaluations WHERE job_id = OLD.id;
END;
`;
