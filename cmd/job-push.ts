/**
 * `bivouac job push [-address URL] [-token T] [-check-index N] [-dry-run] [-var k=v]… [FILE|DIR]`:
 * graduation to a Nomad cluster. Each job file (a file, or every `*.nomad`/`*.hcl` of a
 * directory, the jobs dir by default) is parsed here and registered with the cluster through
 * `PUT /v1/jobs` with the exported JSON (`job inspect`'s), printing Nomad's evaluation ID;
 * `-dry-run` asks the cluster for its plan (`PUT /v1/job/:id/plan`) and prints the diff.
 * Settings as Nomad's CLI: NOMAD_ADDR, NOMAD_TOKEN, NOMAD_CACERT, NOMAD_CLIENT_CERT,
 * NOMAD_CLIENT_KEY, NOMAD_SKIP_VERIFY, NOMAD_REGION, NOMAD_NAMESPACE. Cluster errors verbatim.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command, CommandIO } from './io.js';
import { flagBool, flagString, parseArgs } from './args.js';
import { errorReport, extractVars, readJobFile } from './job-validate.js';
import { BivouacError } from '../src/util/errors.js';

const HELP = `Usage: bivouac job push [options] [<path>]

  Register job files with a Nomad cluster through its HTTP API: the same jobs,
  unchanged, run on the cluster. <path> is a job file or a directory of them
  (*.nomad, *.hcl, and the *.nomad.json the agent's API writes); the default is
  the jobs directory (env BIVOUAC_JOBS_DIR, or
  ./jobs). For each job the evaluation ID the cluster created is printed.

General Options:

  -address=<addr>
    The address of the Nomad server. Overrides the NOMAD_ADDR environment
    variable if set. Default = http://127.0.0.1:4646

  -token=<token>
    The SecretID of an ACL token to use to authenticate API requests with.
    Overrides the NOMAD_TOKEN environment variable if set.

  NOMAD_CACERT, NOMAD_CLIENT_CERT, NOMAD_CLIENT_KEY, NOMAD_SKIP_VERIFY,
  NOMAD_REGION and NOMAD_NAMESPACE are read as the nomad CLI reads them.

Push Options:

  -check-index <index>
    If set, the job is only registered if the passed job modify index matches
    the server side version (as printed by -dry-run).

  -dry-run
    Print the cluster's plan for each job (its diff and the scheduler's dry-run)
    instead of registering it. Exit code 1 when allocations would be created or
    destroyed, 0 when not.

  -var 'key=value'
    Variable for the job file, as job plan takes it.
`;

const FLAGS = { address: 'string', token: 'string', 'check-index': 'string', 'dry-run': 'bool', help: 'bool' } as const;

export const jobPushCommand: Command = async (argv, io) => {
  const { vars, rest } = extractVars(argv);
  const args = parseArgs(rest, FLAGS);
  if (flagBool(args, 'help')) {
    io.stdout.write(HELP);
    return 0;
  }
  if (args.positional.length > 1) {
    io.stderr.write(`This command takes at most one argument: <path>\n${HELP}`);
    return 1;
  }
  const checkIndexText = flagString(args, 'check-index');
  const checkIndex = checkIndexText === undefined ? null : Number(checkIndexText);
  if (checkIndex !== null && !(Number.isInteger(checkIndex) && checkIndex >= 0)) throw new BivouacError('USAGE', `-check-index takes a job modify index, not "${checkIndexText}"`);
  const { clientConfig, nomadRequest, NomadApiError } = await import('../src/cli/nomad-client.js');
  const cfg = clientConfig({ address: flagString(args, 'address'), token: flagString(args, 'token') }, io.env);
  const dryRun = flagBool(args, 'dry-run');
  const { parseJobFile, toApiJson, formatDiagnostic, kindOf } = await import('../src/jobspec/index.js');
  const { isApiJobFileName, parseApiJobFile } = await import('../src/jobspec/api-decode.js');
  const files = jobFiles(args.positional[0] ?? io.env.BIVOUAC_JOBS_DIR ?? 'jobs', io, isApiJobFileName);
  let code = 0;
  for (const file of files) {
    if (files.length > 1) io.stdout.write(`==> ${file}\n`);
    const text = await readJobFile(file, io.cwd);
    // A job the agent's API wrote (`<id>.nomad.json`, Nomad's API JSON) goes through the same decoder as HCL's output.
    const parsed = isApiJobFileName(file) ? parseApiJobFile(file, text) : await parseJobFile(file, text, { vars });
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    if (parsed.job === null || errors.length > 0) {
      io.stderr.write(errorReport(file, errors, formatDiagnostic, kindOf));
      code = Math.max(code, dryRun ? 255 : 1);
      continue;
    }
    const job = toApiJson(parsed.job).Job;
    try {
      if (dryRun) {
        const { planFromApi } = await import('../src/cli/remote-plan.js');
        const { renderPlan, planExitCode } = await import('../src/status/render-plan.js');
        const r = await nomadRequest<import('../src/cli/remote-plan.js').ApiPlanResponse>(cfg, 'PUT', `/v1/job/${encodeURIComponent(parsed.job.id)}/plan`, { Job: job, Diff: true, PolicyOverride: false });
        const plan = planFromApi(parsed.job.id, parsed.job.type, r);
        io.stdout.write(renderPlan(plan, { verbose: false, diff: true }));
        io.stdout.write(checkIndexAdvice(r.JobModifyIndex, file));
        if (r.Warnings) io.stdout.write(`\nJob Warnings:\n${r.Warnings}\n`);
        code = Math.max(code, planExitCode(plan));
      } else {
        const body = { Job: job, ...(checkIndex === null ? {} : { EnforceIndex: true, JobModifyIndex: checkIndex }) };
        const r = await nomadRequest<{ EvalID: string; Warnings: string }>(cfg, 'PUT', '/v1/jobs', body);
        if (r.Warnings) io.stdout.write(`Job Warnings:\n${r.Warnings}\n\n`);
        io.stdout.write(`Job registration successful\n${r.EvalID ? `Evaluation ID: ${r.EvalID}\n` : ''}`);
      }
    } catch (err) {
      if (!(err instanceof NomadApiError)) throw err;
      io.stderr.write(`${dryRun ? 'Error during plan' : 'Error submitting job'}: ${err.userMessage}\n`);
      code = Math.max(code, dryRun ? 255 : 1);
    }
  }
  return code;
};

/** Nomad's closing words of `job plan`, pointing at this command. */
function checkIndexAdvice(index: number, file: string): string {
  return `Job Modify Index: ${index}
To submit the job with version verification run:

bivouac job push -check-index ${index} ${file}

When running the job with the check-index flag, the job will only be run if the
job modify index given matches the server-side version. If the index has
changed, another user has modified the job and the plan's results are
potentially invalid.
`;
}

/** A file, or a directory's job files in name order (dotfiles and editor leftovers skipped). */
function jobFiles(path: string, io: CommandIO, isApiJobFileName: (name: string) => boolean): string[] {
  const abs = resolve(io.cwd, path);
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch (err) {
    throw new BivouacError('NOT_FOUND', `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (!isDir) return [path];
  const names = readdirSync(abs)
    .filter((n) => !n.startsWith('.') && (/\.(nomad|hcl)$/.test(n) || isApiJobFileName(n)))
    .sort();
  if (names.length === 0) throw new BivouacError('NOT_FOUND', `no job files (*.nomad, *.hcl, *.nomad.json) in ${path}`);
  return names.map((n) => join(path, n));
}
