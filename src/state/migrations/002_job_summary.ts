/**
 * Schema version 2: each job version carries the few fields `status` lists (so the job
 * list needs no spec JSON parsed per job) and the sha256 of the file bytes it came from
 * (so a restarted agent need not parse unchanged files again). Rows from schema 1 keep
 * NULL here and are read the slow way.
 */
export const migration002 = `
ALTER TABLE job_versions ADD COLUMN summary_json TEXT;
ALTER TABLE job_versions ADD COLUMN source_sha TEXT;
`;
