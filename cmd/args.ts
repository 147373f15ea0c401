/**
 * A small argument parser in Nomad's manner: flags take one dash or two (`-verbose`,
 * `--json`), values as `-n 5` or `-n=5`, and `--` ends the flags. Each command declares
 * its flags; anything else is a usage error that names the flag.
 */
import { BivouacError } from '../src/util/errors.js';

export type FlagSpec = Readonly<Record<string, 'bool' | 'string'>>;

export interface ParsedArgs {
  readonly flags: Readonly<Record<string, string | boolean>>;
  readonly positional: readonly string[];
}

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const flags: Record<string, string | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const given = eq >= 0 ? body.slice(0, eq) : body;
    const name = given === 'h' && spec.help !== undefined ? 'help' : given;
    const kind = spec[name];
    if (kind === undefined) {
      throw new BivouacError('USAGE', `unknown flag "${arg}"`);
    }
    if (kind === 'bool') {
      if (eq >= 0) {
        const v = body.slice(eq + 1);
        if (v !== 'true' && v !== 'false') throw new BivouacError('USAGE', `flag "-${name}" takes true or false, not "${v}"`);
        flags[name] = v === 'true';
      } else {
        flags[name] = true;
      }
      continue;
    }
    if (eq >= 0) {
      flags[name] = body.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw new BivouacError('USAGE', `flag "-${name}" needs a value`);
      flags[name] = next;
      i++;
    }
  }
  return { flags, positional };
}

export function flagString(a: ParsedArgs, name: string): string | undefined {
  const v = a.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function flagBool(a: ParsedArgs, name: string): boolean {
  return a.flags[name] === true;
}
