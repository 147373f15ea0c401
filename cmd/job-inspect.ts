/**
 * `bivouac job inspect FILE`: the job as Nomad's API JSON (`nomad job run -output`), two-space
 * indented, so it can be posted to a Nomad cluster as is. Errors read as `job validate`'s.
 */
import { parseArgs } from './args.js';
import type { Command } from './io.js';
import { errorReport, extractVars, readJobFile } from './job-validate.js';
import { BivouacError } from '../src/util/errors.js';

export const jobInspectCommand: Command = async (argv, io) => {
  const { vars, rest } = extractVars(argv);
  const args = parseArgs(rest, { help: 'bool' });
  if (args.flags.help === true) {
    io.stdout.write(`Usage: bivouac job inspect [options] <path>

  Prints the job file as Nomad's API JSON ({"Job": {...}}, durations in
  nanoseconds), as \`nomad job run -output\` does: the body a Nomad cluster takes
  at PUT /v1/jobs (see job push).

Inspect Options:

  -var 'key=value'
    Variable for template, can be used multiple times.
`);
    return 0;
  }
  if (args.positional.length !== 1) throw new BivouacError('USAGE', 'usage: bivouac job inspect [-var k=v]… FILE');
  const file = args.positional[0];
  const text = await readJobFile(file, io.cwd);
  const { parseJobFile, toApiJson, formatDiagnostic, kindOf } = await import('../src/jobspec/index.js');
  const result = await parseJobFile(file, text, { vars });
  if (result.job === null) {
    io.stderr.write(errorReport(file, result.diagnostics.filter((d) => d.severity === 'error'), formatDiagnostic, kindOf));
    return 1;
  }
  io.stdout.write(`${JSON.stringify(toApiJson(result.job), null, 2)}\n`);
  return 0;
};
