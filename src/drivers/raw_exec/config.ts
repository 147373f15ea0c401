/** raw_exec's `config` block, decoded at the driver's edge and trusted after. */
import { BivouacError } from '../../util/errors.js';

export interface RawExecTaskConfig {
  readonly command: string;
  readonly args: readonly string[];
}

export function decodeRawExecConfig(raw: unknown): RawExecTaskConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('config must be a block');
  const o = raw as Readonly<Record<string, unknown>>;
  if (typeof o.command !== 'string' || o.command === '') throw bad('"command" must be a non-empty string');
  const args = o.args ?? [];
  if (!Array.isArray(args) || !args.every((a): a is string => typeof a === 'string')) {
    throw bad('"args" must be a list of strings');
  }
  return { command: o.command, args };
}

function bad(what: string): BivouacError {
  return new BivouacError('DRIVER_START', `raw_exec: ${what}`, { recoverable: false });
}
