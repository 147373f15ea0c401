import assert from 'node:assert/strict';
import { parseJobFile, type Diagnostic, type Job, type ParseResult } from '../../src/jobspec/index.js';

export async function parse(text: string, vars?: Readonly<Record<string, string>>): Promise<ParseResult> {
  return parseJobFile('job.hcl', text, vars ? { vars } : {});
}

/** The job, failing the test with every diagnostic when there is none. */
export async function job(text: string, vars?: Readonly<Record<string, string>>): Promise<Job> {
  const r = await parse(text, vars);
  assert.ok(r.job, `expected a job, got:\n${r.diagnostics.map((d) => `${d.code} ${d.path}: ${d.message}`).join('\n')}`);
  return r.job;
}

export function errors(r: ParseResult): Diagnostic[] {
  return r.diagnostics.filter((d) => d.severity === 'error');
}

export function errorCodes(r: ParseResult): string[] {
  return errors(r).map((d) => d.code);
}

/** A job with one raw_exec task and the given extra text in the job, group or task. */
export function wrap(parts: { job?: string; group?: string; task?: string }): string {
  return `job "j" {
  ${parts.job ?? ''}
  group "g" {
    ${parts.group ?? ''}
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/true"
      }
      ${parts.task ?? ''}
    }
  }
}
`;
}
