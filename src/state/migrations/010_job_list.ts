/**
 * Schema 010: `job_list`, one short row per job holding exactly what `bivouac status`'s list
 * shows or derives a job's status from, so a cold `status` reads 1,000 short rows of one
 * table instead of joining each job to its version's summary (stored after the spec, in
 * overflow pages) and probing its allocations twice (~7 → ~2 ms at 1,000 jobs).
 *
 * Triggers keep it in the same transaction as every write that changes it, whatever the writer
 * (crash-safe by construction; no writer needs to know the table exists):
 * - a job's own columns and its current version's type, priority, periodic and parameterized
 *   are copied again when a version is inserted or the job's version, stop, submit time or
 *   placement failures change;
 * - `live` (allocations pending or running) and `allocs` (all of them) are counted up and down
 *   as allocations are inserted, change client status or are deleted: one update by primary
 *   key per such write, never a count over the job's allocations.
 * Rows from before schema 2 have no summary: their fields come from the spec, as `summarize`
 * derives them. A missing field takes Nomad's default, and the table is not STRICT: a trigger
 * must never fail the agent's write over a value the list only shows.
 */
/** Type, priority, periodic and parameterized of a version: from its summary, or its spec before schema 2. */
const fields = (v: string): string => `
  COALESCE(json_extract(${v}.summary_json, '$.type'), json_extract(${v}.spec_json, '$.type'), 'service'),
  COALESCE(json_extract(${v}.summary_json, '$.priority'), json_extract(${v}.spec_json, '$.priority'), 50),
  COALESCE(json_extract(${v}.summary_json, '$.periodic'), json_extract(${v}.spec_json, '$.periodic') IS NOT NULL),
  COALESCE(json_extract(${v}.summary_json, '$.parameterized'), json_extract(${v}.spec_json, '$.parameterized') IS NOT NULL)`;

const current = (job: string): string => `
  INSERT INTO job_list (id, type, priority, periodic, parameterized, stopped, submit_time, failures)
  SELECT j.id, ${fields('v')}, j.stopped, j.submit_time, j.placement_json IS NOT NULL
  FROM jobs j JOIN job_versions v ON v.job_id = j.id AND v.version = j.version WHERE j.id = ${job}
  ON CONFLICT (id) DO UPDATE SET type = excluded.type, priority = excluded.priority, periodic = excluded.periodic,
    parameterized = excluded.parameterized, stopped = excluded.stopped, submit_time = excluded.submit_time, failures = excluded.failures`;

const live = (a: string): string => `(${a}.client_status IN ('pending', 'running'))`;

export const migration010 = `
CREATE TABLE job_list (
  id             TEXT PRIMARY KEY,
  type           TEXT NOT NULL,
  priority       INTEGER NOT NULL,
  periodic       INTEGER NOT NULL,
  parameterized  INTEGER NOT NULL,
  stopped        INTEGER NOT NULL,
  submit_time    INTEGER NOT NULL,
  failures       INTEGER NOT NULL,
  live           INTEGER NOT NULL DEFAULT 0,
  allocs         INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO job_list
SELECT j.id, ${fields('v')}, j.stopped, j.submit_time, j.placement_json IS NOT NULL,
  (SELECT count(*) FROM allocs a WHERE a.job_id = j.id AND ${live('a')}), (SELECT count(*) FROM allocs a WHERE a.job_id = j.id)
FROM jobs j JOIN job_versions v ON v.job_id = j.id AND v.version = j.version;

CREATE TRIGGER job_list_version_ins AFTER INSERT ON job_versions BEGIN ${current('NEW.job_id')}; END;
CREATE TRIGGER job_list_version_upd AFTER UPDATE OF summary_json, spec_json ON job_versions BEGIN ${current('NEW.job_id')}; END;
CREATE TRIGGER job_list_job_upd AFTER UPDATE OF version, stopped, submit_time, placement_json ON jobs
WHEN NEW.version IS NOT OLD.version OR NEW.stopped IS NOT OLD.stopped OR NEW.submit_time IS NOT OLD.submit_time
  OR (NEW.placement_json IS NULL) IS NOT (OLD.placement_json IS NULL) BEGIN ${current('NEW.id')}; END;
CREATE TRIGGER job_list_job_del AFTER DELETE ON jobs BEGIN DELETE FROM job_list WHERE id = OLD.id; END;

CREATE TRIGGER job_list_alloc_ins AFTER INSERT ON allocs BEGIN
  UPDATE job_list SET allocs = allocs + 1, live = live + ${live('NEW')} WHERE id = NEW.job_id;
END;
CREATE TRIGGER job_list_alloc_upd AFTER UPDATE OF client_status, job_id ON allocs
WHEN ${live('NEW')} IS NOT ${live('OLD')} OR NEW.job_id IS NOT OLD.job_id BEGIN
  UPDATE job_list SET allocs = allocs - 1, live = live - ${live('OLD')} WHERE id = OLD.job_id;
  UPDATE job_list SET allocs = allocs + 1, live = live + ${live('NEW')} WHERE id = NEW.job_id;
END;
CREATE TRIGGER job_list_alloc_del AFTER DELETE ON allocs BEGIN
  UPDATE job_list SET allocs = allocs - 1, live = live - ${live('OLD')} WHERE id = OLD.job_id;
END;
`;
