/**
 * `bivouac status` and `job status` for what is not the text list: `--json` and one job (or an
 * allocation or the node by ID prefix). A module of its own: the list (cmd/status.ts) is what
 * a cold `status` runs; the dispatcher loads this bundle, the whole command, when the
 * arguments ask for more (one bundle loaded, not the list's and then this one).
 */
import type { Command, CommandIO } from './io.js';
import { flagBool, type ParsedArgs } from './args.js';
import { writeJson } from './common.js';
import { BivouacError } from '../src/util/errors.js';
import { renderJobList, renderJobStatus, jobStatusJson } from '../src/status/render-jobs.js';
import { jobStub, listJobStubs } from '../src/status/api.js';
import { resolveJob, sanitizeUUIDPrefix } from '../src/status/resolve.js';
import { findAllocsByPrefix, getNode, listFileErrors, type Database } from '../src/state/index.js';
import { status } from './status.js';

/** The commands with everything bundled in: the dispatcher's choice when the arguments ask for more than the list. */
export const statusCommand: Command = (argv, io) => status(argv, io, true, async () => statusDetail);
export const jobStatusCommand: Command = (argv, io) => status(argv, io, false, async () => statusDetail);

/** Which other kind of object an ID prefix names: Nomad's search rounds odd hex prefixes down. */
function otherContext(db: Database, arg: string): 'alloc' | 'node' | null {
  const prefix = sanitizeUUIDPrefix(arg);
  if (arg.length < 2 || !/^[0-9a-f-]+$/.test(arg)) return null;
  if (findAllocsByPrefix(db, prefix, 1).length > 0) return 'alloc';
  if (getNode(db)?.info.id.startsWith(prefix)) return 'node';
  return null;
}

/** `argv` as the command was given: a hand-over to `alloc status` or `node status` parses it again. */
export async function statusDetail(db: Database, argv: readonly string[], args: ParsedArgs, io: CommandIO, general: boolean): Promise<number> {
  const json = flagBool(args, 'json');
  const verbose = flagBool(args, 'verbose');
  const now = Date.now();
  if (args.positional.length === 0) {
    const errors = listFileErrors(db);
    writeJson(io, listJobStubs(db).map((j) => ({ ...j, FileErrors: errors.filter((e) => e.jobId === j.ID).map((e) => e.message) })));
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
}
