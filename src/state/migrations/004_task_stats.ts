/**
 * Schema version 4: the latest resource sample of each running task, written by the
 * agent's stats sampler every ~10 s in one transaction (never per sample), read by
 * `alloc status` and the API. `sample_json` is the sampler's TaskUsage (Nomad's
 * TaskResourceUsage fields); a row goes when its task stops running.
 */
export const migration004 = `
CREATE TABLE task_stats (
  alloc_id     TEXT NOT NULL,
  task         TEXT NOT NULL,
  sampled_at   INTEGER NOT NULL,
  sample_json  TEXT NOT NULL,
  PRIMARY KEY (alloc_id, task),
  FOREIGN KEY (alloc_id, task) REFERENCES task_states(alloc_id, task) ON DELETE CASCADE
) STRICT;
`;
