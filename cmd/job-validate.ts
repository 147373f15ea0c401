/**
 * `bivouac job validate FILE|DIR…`, in Nomad's words: `Job validation successful`, or
 * `Job validation errors:` with one `* …` line per error, or, for a file that does not
 * parse, `Error getting job struct: …` with positions. Exit 0 only when every file passes.
 *
 * It also holds the job-file reading that `job inspect` shares: capped reads, directory
 * listing in the agent's manner, and `-var` flags, which may repeat.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from './args.js';
import type { Command } from './io.js';
import { BivouacError } from '../src/util/errors.js';
import type { Diagnostic } from '../src/jobspec/index.js';
import { MAX_JOB_FILE_BYTES, isJobFileName, readCapped } from '../src/jobspec/files.js';


export const jobValidateCommand: Command = async (argv, io) => {
  const { vars, rest } = extractVars(argv);
  const args = parseArgs(rest, { help: 'bool' });
  const usage = `Usage: bivouac job validate [options] <path>...

  Checks the job files for syntax and validity: each <path> is a job file or a
  directory of them (*.nomad, *.hcl). Errors are positioned file:line:col. Exit 0
  when all are valid, 1 otherwise.

Validate Options:

  -var 'key=value'
    Variable for template, can be used multiple times.
`;
  if (args.flags.help === true) {
    io.stdout.write(usage);
    return 0;
  }
  if (args.positional.length === 0) throw new BivouacError('USAGE', 'usage: bivouac job validate [-var k=v]… FILE|DIR…');
  const files = await expandPaths(args.positional, io.cwd);
  const { parseJobFile, formatDiagnostic, kindOf } = await import('../src/jobspec/index.js');
  let failed = false;
  for (const file of files) {
    if (files.length > 1) io.stdout.write(`==> ${file}\n`);
    const text = await readJobFile(file, io.cwd);
    const result = await parseJobFile(file, text, { vars });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
    if (warnings.length > 0) io.stdout.write(`Job Warnings:\n${warnings.length} warning(s):\n\n${bullets(warnings, formatDiagnostic)}\n`);
    if (errors.length === 0) {
      io.stdout.write('Job validation successful\n');
      continue;
    }
    failed = true;
    io.stderr.write(errorReport(file, errors, formatDiagnostic, kindOf));
  }
  return failed ? 1 : 0;
};

type Format = (d: Diagnostic) => string;

function bullets(ds: readonly Diagnostic[], format: Format): string {
  return ds.map((d) => `\t* ${format(d)}\n`).join('');
}

/** Nomad's two failure forms: the file did not parse, or the job it holds is invalid. */
export function errorReport(file: string, errors: readonly Diagnostic[], format: Format, kindOf: (code: string) => string | null): string {
  const syntax = errors.filter((d) => kindOf(d.code) === 'syntax');
  if (syntax.length > 0) {
    return `Error getting job struct: Error parsing job file from ${file}:\n${syntax.map((d) => `${format(d)}\n`).join('')}`;
  }
  const count = errors.length === 1 ? '1 error occurred:' : `${errors.length} errors occurred:`;
  return `Job validation errors:\n${count}\n${bullets(errors, format)}\n`;
}

/** Files named on the command line, with each directory replaced by its job files, sorted. */
export async function expandPaths(paths: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const st = await stat(resolve(cwd, p)).catch((err: unknown) => {
      throw new BivouacError('NOT_FOUND', `cannot read ${p}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
    if (!st.isDirectory()) {
      out.push(p);
      continue;
    }
    const names = (await readdir(resolve(cwd, p))).filter(isJobFileName).sort();
    if (names.length === 0) throw new BivouacError('NOT_FOUND', `no job files (*.nomad, *.hcl) in ${p}`);
    out.push(...names.map((n) => join(p, n)));
  }
  return out;
}

/** The file's text, refusing anything over the cap without reading it whole. */
export async function readJobFile(path: string, cwd: string): Promise<string> {
  const buf = await readCapped(resolve(cwd, path)).catch((err: unknown) => {
    throw new BivouacError('NOT_FOUND', `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  });
  if (buf.length > MAX_JOB_FILE_BYTES) {
    throw new BivouacError('JOBSPEC_INVALID', `${path} is larger than 1 MiB (${MAX_JOB_FILE_BYTES} bytes), the cap for job files`);
  }
  return buf.toString('utf8');
}

/** Takes `-var k=v` / `-var=k=v` (repeatable) out of argv; the rest goes to parseArgs. */
export function extractVars(argv: readonly string[]): { vars: Record<string, string>; rest: string[] } {
  const vars: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    let spec: string | undefined;
    if (a === '-var' || a === '--var') spec = argv[++i];
    else if (a.startsWith('-var=') || a.startsWith('--var=')) spec = a.slice(a.indexOf('=') + 1);
    else {
      rest.push(a);
      continue;
    }
    const eq = spec?.indexOf('=') ?? -1;
    if (spec === undefined || eq <= 0) throw new BivouacError('USAGE', `-var takes name=value, got "${spec ?? ''}"`);
    vars[spec.slice(0, eq)] = spec.slice(eq + 1);
  }
  return { vars, rest };
}

