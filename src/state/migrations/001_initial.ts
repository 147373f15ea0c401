/**
 * Schema version 1. Migrations are TypeScript strings rather than .sql files so that the
 * compiled package carries them without a copy step. A released migration is never edited;
 * a change is a new file.
 */
export const migration001 = `
CREATE TABLE node (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  status      TEXT NOT NULL,
  info_json   TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE node_events (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  time        INTEGER NOT NULL,
  subsystem   TEXT NOT NULL,
  message     TEXT NOT NULL,
  details     TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE jobs (
  id              TEXT PRIMARY KEY,
  version         INTEGER NOT NULL,
  source_file     TEXT NOT NULL,
  stopped         INTEGER NOT NULL DEFAULT 0,
  submit_time     INTEGER NOT NULL,
  modify_time     INTEGER NOT NULL,
  placement_json  TEXT
) STRICT;

CREATE TABLE job_versions (
  job_id       TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  version      INTEGER NOT NULL,
  spec_json    TEXT NOT NULL,
  spec_hash    TEXT NOT NULL,
  source_file  TEXT NOT NULL,
  submit_time  INTEGER NOT NULL,
  PRIMARY KEY (job_id, version)
) STRICT;

CREATE TABLE file_errors (
  file              TEXT PRIMARY KEY,
  job_id            TEXT,
  message           TEXT NOT NULL,
  diagnostics_json  TEXT NOT NULL,
  seen_at           INTEGER NOT NULL
) STRICT;

CREATE TABLE allocs (
  id                   TEXT PRIMARY KEY,
  job_id               TEXT NOT NULL REFERENCES jobs(id),
  job_version          INTEGER NOT NULL,
  task_group           TEXT NOT NULL,
  alloc_index          INTEGER NOT NULL,
  name                 TEXT NOT NULL,
  desired_status       TEXT NOT NULL,
  desired_description  TEXT NOT NULL DEFAULT '',
  client_status        TEXT NOT NULL,
  client_description   TEXT NOT NULL DEFAULT '',
  resources_json       TEXT NOT NULL,
  ports_json           TEXT NOT NULL,
  create_time          INTEGER NOT NULL,
  modify_time          INTEGER NOT NULL
) STRICT;
CREATE INDEX allocs_job ON allocs (job_id, create_time);
CREATE INDEX allocs_live ON allocs (client_status, desired_status, job_id);

CREATE TABLE task_states (
  alloc_id      TEXT NOT NULL REFERENCES allocs(id) ON DELETE CASCADE,
  task          TEXT NOT NULL,
  driver        TEXT NOT NULL,
  state         TEXT NOT NULL,
  failed        INTEGER NOT NULL DEFAULT 0,
  restarts      INTEGER NOT NULL DEFAULT 0,
  attempt       INTEGER NOT NULL DEFAULT 0,
  starting      INTEGER NOT NULL DEFAULT 0,
  started_at    INTEGER,
  finished_at   INTEGER,
  last_restart  INTEGER,
  restart_at    INTEGER,
  PRIMARY KEY (alloc_id, task)
) STRICT;

CREATE TABLE task_handles (
  alloc_id     TEXT NOT NULL,
  task         TEXT NOT NULL,
  attempt      INTEGER NOT NULL,
  driver       TEXT NOT NULL,
  handle_json  TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (alloc_id, task),
  FOREIGN KEY (alloc_id, task) REFERENCES task_states(alloc_id, task) ON DELETE CASCADE
) STRICT;

CREATE TABLE task_events (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  alloc_id      TEXT NOT NULL REFERENCES allocs(id) ON DELETE CASCADE,
  task          TEXT NOT NULL,
  time          INTEGER NOT NULL,
  type          TEXT NOT NULL,
  message       TEXT NOT NULL,
  details_json  TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX task_events_alloc ON task_events (alloc_id, task, id);
`;
