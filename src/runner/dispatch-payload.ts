/** Nomad's dispatch hook: a dispatched job's payload written into the task's local/ dir. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Database } from '../state/index.js';
import { getDispatchPayload } from '../state/index.js';
import { BivouacError } from '../util/errors.js';

export async function writeDispatchPayload(db: Database, jobId: string, localDir: string, file: string): Promise<void> {
  const payload = getDispatchPayload(db, jobId);
  if (payload === null) return;
  const to = join(localDir, file);
  // The jobspec refuses a path that escapes local/; this guards the write itself.
  if (relative(localDir, to).startsWith('..')) {
    throw new BivouacError('TASK_SETUP', `dispatch_payload file "${file}" escapes the task's local/ directory`, { recoverable: false });
  }
  await mkdir(dirname(to), { recursive: true });
  await writeFile(to, payload, { mode: 0o644 });
}
