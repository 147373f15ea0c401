/**
 * Schema 006: Nomad's indexes for the HTTP API. One counter (`state_index`) goes up with every
 * change a client can see — jobs, allocations, task states and events, the node,
 * evaluations — and the changed job or allocation takes its value as ModifyIndex (and
 * CreateIndex when new). Triggers keep it so in the same transaction as the change, so the
 * writers (the agent's passes and runners) need not know the API exists, and a blocking query
 * (`?index=N`) wakes when the counter passes N. `evaluations` holds the synthetic, already
 * complete evaluations the API answers for each registration or stop, so `nomad job run`'s
 * monitor ends.
 */
export const migration006 = `
CREATE TABLE state_index (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  idx  INTEGER NOT NULL
) STRICT;
INSERT INTO state_index (id, idx) VALUES (1, 1);

ALTER TABLE jobs ADD COLUMN create_index INTEGER NOT NULL DEFAULT 1;
ALTER TABLE jobs ADD COLUMN modify_index INTEGER NOT NULL DEFAULT 1;
ALTER TABLE jobs ADD COLUMN job_modify_index INTEGER NOT NULL DEFAULT 1;
ALTER TABLE allocs ADD COLUMN create_index INTEGER NOT NULL DEFAULT 1;
ALTER TABLE allocs ADD COLUMN modify_index INTEGER NOT NULL DEFAULT 1;

CREATE TABLE evaluations (
  id                TEXT PRIMARY KEY,
  job_id            TEXT NOT NULL,
  namespace         TEXT NOT NULL,
  priority          INTEGER NOT NULL,
  type              TEXT NOT NULL,
  triggered_by      TEXT NOT NULL,
  status            TEXT NOT NULL,
  job_modify_index  INTEGER NOT NULL,
  create_index      INTEGER NOT NULL DEFAULT 0,
  create_time       INTEGER NOT NULL
) STRICT;
CREATE INDEX evaluations_job ON evaluations (job_id, create_time);

-- Job files the API wrote, with the sha256 of what it wrote: a purge deletes such a file only
-- while it is still the API's (an operator's edit makes it theirs).
CREATE TABLE api_job_files (
  file  TEXT PRIMARY KEY,
  sha   TEXT NOT NULL
) STRICT;

CREATE TRIGGER idx_jobs_ins AFTER INSERT ON jobs BEGIN
  UPDATE state_index SET idx = idx + 1;
  UPDATE jobs SET create_index = (SELECT idx FROM state_index), modify_index = (SELECT idx FROM state_index),
    job_modify_index = (SELECT idx FROM state_index) WHERE id = NEW.id;
END;
CREATE TRIGGER idx_jobs_upd AFTER UPDATE OF version, source_file, stopped, placement_json ON jobs
WHEN NEW.version IS NOT OLD.version OR NEW.source_file IS NOT OLD.source_file OR NEW.stopped IS NOT OLD.stopped
  OR NEW.placement_json IS NOT OLD.placement_json BEGIN
  UPDATE state_index SET idx = idx + 1;
  UPDATE jobs SET modify_index = (SELECT idx FROM state_index),
    job_modify_index = CASE WHEN NEW.version IS NOT OLD.version OR NEW.stopped IS NOT OLD.stopped
      THEN (SELECT idx FROM state_index) ELSE job_modify_index END WHERE id = NEW.id;
END;
CREATE TRIGGER idx_jobs_del AFTER DELETE ON jobs BEGIN
  UPDATE state_index SET idx = idx + 1;
END;

CREATE TRIGGER idx_allocs_ins AFTER INSERT ON allocs BEGIN
  UPDATE state_index SET idx = idx + 1;
  UPDATE allocs SET create_index = (SELECT idx FROM state_index), modify_index = (SELECT idx FROM state_index) WHERE id = NEW.id;
END;
CREATE TRIGGER idx_allocs_upd AFTER UPDATE OF desired_status, desired_description, client_status, client_description, job_version ON allocs
WHEN NEW.desired_status IS NOT OLD.desired_status OR NEW.desired_description IS NOT OLD.desired_description
  OR NEW.client_status IS NOT OLD.client_status OR NEW.client_description IS NOT OLD.client_description
  OR NEW.job_version IS NOT OLD.job_version BEGIN
  UPDATE state_index SET idx = idx + 1;
  UPDATE allocs SET modify_index = (SELECT idx FROM state_index) WHERE id = NEW.id;
END;
CREATE TRIGGER idx_allocs_del AFTER DELETE ON allocs BEGIN
  UPDATE state_index SET idx = idx + 1;
END;

CREATE TRIGGER idx_task_states_ins AFTER INSERT ON task_states BEGIN
  UPDATE state_index SET idx = idx + 1;
END;
CREATE TRIGGER idx_task_states_upd AFTER UPDATE OF state, failed, restarts, started_at, finished_at ON task_states
WHEN NEW.state IS NOT OLD.state OR NEW.failed IS NOT OLD.failed OR NEW.restarts IS NOT OLD.restarts
  OR NEW.started_at IS NOT OLD.started_at OR NEW.finished_at IS NOT OLD.finished_at BEGIN
  UPDATE state_index SET idx = idx + 1;
  UPDATE allocs SET modify_index = (SELECT idx FROM state_index) WHERE id = NEW.alloc_id;
END;
CREATE TRIGGER idx_task_events_ins AFTER INSERT ON task_events BEGIN
  UPDATE state_index SET idx = idx + 1;
  UPDATE allocs SET modify_index = (SELECT idx FROM state_index) WHERE id = NEW.alloc_id;
END;

CREATE TRIGGER idx_node_upd AFTER UPDATE OF status, info_json ON node
WHEN NEW.status IS NOT OLD.status OR NEW.info_json IS NOT OLD.info_json BEGIN
  UPDATE state_index SET idx = idx + 1;
END;
CREATE TRIGGER idx_node_ins AFTER INSERT ON node BEGIN
  UPDATE state_index SET idx = idx + 1;
END;

CREATE TRIGGER idx_node_events_ins AFTER INSERT ON node_events BEGIN
  UPDATE state_index SET idx = idx + 1;
END;

-- The API's job list counts every job's allocations by group and status from this index alone.
CREATE INDEX allocs_job_group_status ON allocs (job_id, task_group, client_status);

CREATE TRIGGER idx_evals_ins AFTER INSERT ON evaluations BEGIN
  UPDATE state_index SET idx = idx + 1;
  UPDATE evaluations SET create_index = (SELECT idx FROM state_index) WHERE id = NEW.id;
END;
`;
