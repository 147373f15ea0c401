/**
 * Schema 009: jobs by their file. A pass that an fs.watch event caused plans only the files
 * the event named (and the files in error): it reads the jobs those files hold or held by
 * `source_file`, not every job (agent/apply-sync.ts).
 */
export const migration009 = `
CREATE INDEX jobs_source_file ON jobs (source_file);
`;
