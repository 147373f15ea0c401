import type { Command } from './io.js';
import { flagBool, parseArgs } from './args.js';
import { READ_FLAGS, openReadonly, writeJson } from './common.js';
import { BivouacError } from '../src/util/errors.js';
import { renderJobList, renderJobStatus, jobStatusJson } from '../src/status/render-jobs.js';
import { listJobStubs } from '../src/status/api.js';
import { listFileErrors } from '../src/state/index.js';

/** `bivouac status [JOB]` and `bivouac job status [JOB]`. */
export const statusCommand: Command = async (argv, io) => {
  const args = parseArgs(argv, READ_FLAGS);
  if (flagBool(args, 'help')) {
    io.stdout.write('Usage: bivouac status [-verbose] [--json] [--data-dir DIR] [JOB]\n\n  Lists jobs, or shows one job with its allocations.\n');
    return 0;
  }
  if (args.positional.length > 1) throw new BivouacError('USAGE', 'status takes at most one job ID');
  let db;
  try {
    db = await openReadonly(args, io);
  } catch (err) {
    if (err instanceof BivouacError && err.code === 'STATE_NOT_FOUND' && args.positional.length === 0) {
      if (flagBool(args, 'json')) writeJson(io, []);
      else io.stdout.write('No running jobs\n');
      return 0;
    }
    throw err;
  }
  try {
    const json = flagBool(args, 'json');
    const verbose = flagBool(args, 'verbose');
    const now = Date.now();
    if (args.positional.length === 0) {
      const jobs = listJobStubs(db);
      const errors = listFileErrors(db);
      if (json) writeJson(io, jobs.map((j) => ({ ...j, FileErrors: errors.filter((e) => e.jobId === j.ID).map((e) => e.message) })));
      else io.stdout.write(renderJobList(jobs, errors));
      return 0;
    }
    const id = args.positional[0];
    const out = jobStatusJson(db, id);
    if (!out) {
      io.stderr.write(`No job(s) with prefix or id "${id}" found\n`);
      return 1;
    }
    if (json) writeJson(io, out);
    else io.stdout.write(renderJobStatus(out, now, verbose));
    return 0;
  } finally {
    db.close();
  }
};
