/**
 * Schema version 5 (issue 12): rescheduling, periodic and dispatched jobs.
 * - jobs.parent_id: a periodic or dispatched child names its parent; children belong to no
 *   job file, so the file sync leaves them alone.
 * - reschedules: one row per failed allocation once the agent has decided its fate: due
 *   (with the time), none (policy exhausted or disabled), done (replaced by next_alloc) or
 *   cancelled (job updated or stopped). The row is the intent; the replacement is placed in
 *   the same transaction that marks it done, so a crash never places two.
 * - alloc_lineage: a replacement's PreviousAllocation and its RescheduleTracker events.
 * - periodic_launches: the last launch time of each periodic parent.
 * - dispatch_payloads: a dispatched child's payload, written to its tasks at start.
 */
export const migration005 = `
ALTER TABLE jobs ADD COLUMN parent_id TEXT;
CREATE INDEX jobs_parent ON jobs (parent_id, submit_time);

CREATE TABLE reschedules (
  alloc_id    TEXT PRIMARY KEY REFERENCES allocs(id) ON DELETE CASCADE,
  job_id      TEXT NOT NULL,
  state       TEXT NOT NULL,
  due_at      INTEGER,
  delay_ms    INTEGER NOT NULL DEFAULT 0,
  next_alloc  TEXT,
  decided_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX reschedules_state ON reschedules (state, due_at);

CREATE TABLE alloc_lineage (
  alloc_id        TEXT PRIMARY KEY REFERENCES allocs(id) ON DELETE CASCADE,
  previous_alloc  TEXT NOT NULL,
  tracker_json    TEXT NOT NULL
) STRICT;

CREATE TABLE periodic_launches (
  job_id       TEXT PRIMARY KEY,
  last_launch  INTEGER NOT NULL
) STRICT;

CREATE TABLE dispatch_payloads (
  job_id   TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  payload  BLOB NOT NULL
) STRICT;
`;
