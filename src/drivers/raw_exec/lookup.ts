/**
 * Where raw_exec finds a task's binary, in Nomad's order: the path as given when it exists,
 * then `<task>/local/`, then `<task>/`, then the task's own PATH (not the agent's: the task
 * env is what the command will run with).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { BivouacError } from '../../util/errors.js';

export function lookupBin(taskDir: string, bin: string, pathVar: string | undefined): string {
  const candidates: string[] = [];
  if (isAbsolute(bin)) candidates.push(bin);
  candidates.push(join(taskDir, 'local', bin), join(taskDir, bin));
  if (!bin.includes('/')) {
    for (const dir of (pathVar ?? '').split(':')) if (dir !== '') candidates.push(join(dir, bin));
  }
  for (const c of candidates) if (isExecutableFile(c)) return c;
  // Not recoverable: starting again will not make the binary appear (Nomad fails the task too).
  throw new BivouacError('DRIVER_START', `binary ${JSON.stringify(bin)} could not be found`, { recoverable: false });
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    // Absent or not executable: just not this candidate.
    return false;
  }
}
