import type { Command, CommandIO } from './io.js';
import { flagBool, parseArgs } from './args.js';
import { READ_FLAGS, openReadonly, writeJson } from './common.js';
import { BivouacError } from '../src/util/errors.js';
// The text list's modules only: anything else is status-detail's, loaded when asked for.
import { jobListTable } from '../src/status/job-list.js';
import { renderJobListTable } from '../src/status/render-list.js';
import { listFileErrors } from '../src/state/jobs.js';
import type { Database } from '../src/state/db.js';
import type { ParsedArgs } from './args.js';

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

/** What status-detail does: `--json`, and one job (or an allocation or the node by ID prefix). */
export type StatusDetail = (db: Database, argv: readonly string[], args: ParsedArgs, io: CommandIO, general: boolean) => Promise<number>;

const loadDetail = async (): Promise<StatusDetail> => (await import('./status-detail.js')).statusDetail;

/**
 * `bivouac status [JOB]` and `bivouac job status [JOB]`; JOB may be a prefix, as Nomad's. This
 * module's bundle has the text list only; the dispatcher loads status-detail's commands (this
 * with the rest bundled in) when the arguments ask for more (status-route.ts).
 */
export const statusCommand: Command = (argv, io) => status(argv, io, true, loadDetail);
export const jobStatusCommand: Command = (argv, io) => status(argv, io, false, loadDetail);

export async function status(argv: readonly string[], io: CommandIO, general: boolean, detail: () => Promise<StatusDetail>): Promise<number> {
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
    if (args.positional.length === 0 && !flagBool(args, 'json')) {
      // The text list needs five cells a job, not a JobStub: jobListTable reads only those.
      io.stdout.write(renderJobListTable(jobListTable(db), listFileErrors(db)));
      return 0;
    }
    return await (await detail())(db, argv, args, io, general);
  } finally {
    if (db.open) db.close();
  }
}
