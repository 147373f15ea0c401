import type { Command, CommandIO } from './io.js';
import { flagBool, parseArgs } from './args.js';
import { READ_FLAGS, openReadonly, writeJson } from './common.js';
import { BivouacError } from '../src/util/errors.js';
import { renderJobList, renderJobStatus, renderJobTable, jobStatusJson } from '../src/status/render-jobs.js';
import { jobStub, listJobCells, listJobStubs } from '../src/status/api.js';
import { resolveJob, sanitizeUUIDPrefix } from '../src/status/resolve.js';
import { findAllocsByPrefix, getNode, listFileErrors, type Database } from '../src/state/index.js';

const help = (name: string): string => `Usage: bivouac ${name} [options] [${name === 'status' ? 'id' : 'job'}]

  Display status information about jobs. If no job ID is given, a list of all
  known jobs will be displayed, with the job files that do not parse. A job ID
  or a unique prefix of one shows that job: its task group summary, placement
  failures and allocations.${name === 'status' ? ' An allocation or node ID (or prefix) shows\n  that allocation or the node.' : ''}

Status Options:

  -verbose
    Display full information (full IDs, exact times).

  -json
    Output the job(s) in their JSON format.

  -data-dir <dir>
    The agent's data directory (env BIVOUAC_DATA_DIR; default .bivouac).
`;

/** `bivouac status [JOB]` and `bivouac job status [JOB]`; JOB may be a prefix, as Nomad's. */
export const statusCommand: Command = (argv, io) => status(argv, io, true);
export const jobStatusCommand: Command = (argv, io) => status(argv, io, false);

/** Which other kind of object an ID prefix names: Nomad's search rounds odd hex prefixes down. */
function otherContext(db: Database, arg: string): 'alloc' | 'node' | null {
  const prefix = sanitizeUUIDPrefix(arg);
  if (arg.length < 2 || !/^[0-9a-f-]+$/.test(arg)) return null;
  if (findAllocsByPrefix(db, prefix, 1).length > 0) return 'alloc';
  if (getNode(db)?.info.id.startsWith(prefix)) return 'node';
  return null;
}

async function status(argv: readonly string[], io: CommandIO, general: boolean): Promise<number> {
  const args = parseArgs(argv, READ_FLAGS);
  if (flagBool(args, 'help')) {
    io.stdout.write(help(general ? 'status' : 'job status'));
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
      const errors = listFileErrors(db);
      if (json) writeJson(io, listJobStubs(db).map((j) => ({ ...j, FileErrors: errors.filter((e) => e.jobId === j.ID).map((e) => e.message) })));
      // The text list needs five cells a job, not a JobStub: listJobCells reads only those.
      else io.stdout.write(renderJobTable(listJobCells(db), errors));
      return 0;
    }
    const arg = args.positional[0];
    const found = resolveJob(db, arg, (jobs) => renderJobList(jobs.map((j) => jobStub(j.job, j.summary)), []));
    if (!found.ok) {
      // `bivouac status ID` (not `job status`) also finds allocations and the node, as
      // `nomad status` does through its prefix search; a job still wins when both match.
      const other = general ? otherContext(db, arg) : null;
      if (other !== null) {
        db.close();
        // Only the command handed over to is loaded: node status is an ESM bundle with execa.
        if (other === 'alloc') return (await import('./alloc-status.js')).allocStatusCommand(argv, io);
        return (await import('./node-status.js')).nodeStatusCommand(argv, io);
      }
      io.stderr.write(general && !found.message.startsWith('Prefix matched') ? `Unable to resolve ID: "${arg}"\n` : `${found.message.trimEnd()}\n`);
      return 1;
    }
    const out = jobStatusJson(db, found.value.job.id, { embedJob: json });
    if (!out) throw new BivouacError('NOT_FOUND', `job "${found.value.job.id}" vanished while being read`);
    if (json) writeJson(io, out);
    else io.stdout.write(renderJobStatus(out, now, verbose));
    return 0;
  } finally {
    if (db.open) db.close();
  }
}
