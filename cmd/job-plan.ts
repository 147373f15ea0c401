/**
 * `bivouac job plan [-verbose] [-diff=false] [-var k=v]… [--data-dir DIR] FILE`: a dry run
 * of the file on this node. It diffs the job against its current version in the data
 * dir's state (when there is one), reconciles it against the job's allocations and places
 * it on the node (the agent's recorded node, or a live fingerprint) beside every live
 * allocation. Nothing is written. Exit codes as Nomad's: 0 nothing would be created or
 * destroyed, 1 something would, 255 an error (a file that does not parse or validate, too).
 *
 * Nomad ends with "Job Modify Index: N" and the `job run -check-index` advice; bivouac has
 * no check-index (the agent takes whatever file is in its jobs dir), so that part is left out.
 */
import type { Command, CommandIO } from './io.js';
import { flagBool, parseArgs } from './args.js';
import { extractVars, readJobFile, errorReport } from './job-validate.js';
import { loadNode } from './node-status.js';
import { getCurrentJobVersion, getJob, getJobVersion, listAllocsForJob, listLiveAllocs } from '../src/state/index.js';
import { toExisting } from '../src/agent/schedule.js';
import { listeningPorts } from '../src/node/index.js';
import { BivouacError } from '../src/util/errors.js';

const USAGE = `Usage: bivouac job plan [options] <path>

  Plan invokes a dry-run of the scheduler on this node to determine the effects
  of submitting either a new or updated version of a job: the annotated diff
  against the version the agent runs, then the scheduler's dry-run. Nothing is
  written.

  Exit codes: 0 no allocations created or destroyed, 1 allocations created or
  destroyed, 255 an error.

Plan Options:

  -diff
    Determines whether the diff between the remote job and planned job is shown.
    Defaults to true.

  -verbose
    Increase diff verbosity.

  -var 'key=value'
    Variable for template, can be used multiple times.

  -data-dir <dir>
    The agent's data directory (env BIVOUAC_DATA_DIR; default .bivouac).
`;

/** Nomad's exit code for every failure of `job plan`. */
const PLAN_ERROR = 255;

export const jobPlanCommand: Command = async (argv, io) => {
  try {
    return await plan(argv, io);
  } catch (err) {
    if (err instanceof BivouacError) {
      io.stderr.write(`Error: ${err.userMessage}\n`);
      return PLAN_ERROR;
    }
    throw err;
  }
};

async function plan(argv: readonly string[], io: CommandIO): Promise<number> {
  const { vars, rest } = extractVars(argv);
  const args = parseArgs(rest, { 'data-dir': 'string', verbose: 'bool', diff: 'bool', help: 'bool' });
  if (flagBool(args, 'help')) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (args.positional.length !== 1) {
    io.stderr.write(`This command takes one argument: <path>\n${USAGE}`);
    return PLAN_ERROR;
  }
  const file = args.positional[0];
  const text = await readJobFile(file, io.cwd);
  const { parseJobFile, formatDiagnostic, kindOf, canonicalHash } = await import('../src/jobspec/index.js');
  const parsed = await parseJobFile(file, text, { vars });
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (parsed.job === null || errors.length > 0) {
    io.stderr.write(errorReport(file, errors, formatDiagnostic, kindOf));
    return PLAN_ERROR;
  }
  const job = parsed.job;
  const { planJob, planExitCode, renderPlan } = await import('../src/status/render-plan.js');
  const source = await loadNode(args, io);
  try {
    const db = source.db;
    const current = db ? getCurrentJobVersion(db, job.id) : null;
    const result = planJob({
      job,
      current: current && { job: current.job, version: current.version, hash: current.hash, stopped: db ? (getJob(db, job.id)?.stopped ?? false) : false },
      hash: canonicalHash(job),
      allocsOfJob: db ? listAllocsForJob(db, job.id).map(toExisting) : [],
      allocsOnNode: db ? listLiveAllocs(db).map(toExisting) : [],
      jobAt: (v) => (db ? (getJobVersion(db, job.id, v)?.job ?? null) : null),
      node: source.node,
      hostPorts: listeningPorts('/proc'),
      rand: Math.random,
    });
    io.stdout.write(renderPlan(result, { verbose: flagBool(args, 'verbose'), diff: args.flags.diff !== false }));
    const warnings = parsed.diagnostics.filter((d) => d.severity === 'warning');
    if (warnings.length > 0) {
      io.stdout.write(`Job Warnings:\n${warnings.length} warning(s):\n\n${warnings.map((w) => `* ${formatDiagnostic(w)}\n`).join('')}\n`);
    }
    return planExitCode(result);
  } finally {
    source.db?.close();
  }
}
