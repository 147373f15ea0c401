/**
 * Schema 007: rkt pods whose `rkt rm` failed after their task was over. The task's handle
 * (and so the pod's UUID) goes when the task is marked exited; this row keeps the UUID until
 * a later `rkt rm` succeeds, so an agent restart retries it instead of forgetting the pod.
 */
export const migration007 = `
CREATE TABLE rkt_pod_removals (
  uuid        TEXT PRIMARY KEY,
  task_id     TEXT NOT NULL,
  failed_at   INTEGER NOT NULL
) STRICT;
`;
