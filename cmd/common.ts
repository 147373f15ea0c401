import { join, resolve } from 'node:path';
import type { CommandIO } from './io.js';
import type { ParsedArgs } from './args.js';
import { flagString } from './args.js';
import type { AllocRecord, Database } from '../src/state/index.js';
import { resolveAlloc, type IdWord } from '../src/status/resolve.js';

export { READ_FLAGS } from './read-flags.js';

export function dataDirOf(args: ParsedArgs, io: CommandIO): string {
  return resolve(io.cwd, flagString(args, 'data-dir') ?? io.env.BIVOUAC_DATA_DIR ?? '.bivouac');
}

/** Opens the state read-only: status commands never write, and work with the agent down. */
export async function openReadonly(args: ParsedArgs, io: CommandIO): Promise<Database> {
  const { openState } = await import('../src/state/db.js');
  return openState(join(dataDirOf(args, io), 'state.db'), { readonly: true });
}

export function writeJson(io: CommandIO, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/**
 * An allocation by ID or prefix (Nomad's rules, src/status/resolve.ts), or null after printing
 * Nomad's message on stderr: the caller exits 1.
 */
export function allocOrReport(db: Database, arg: string, io: CommandIO, word: IdWord, verbose = false): AllocRecord | null {
  const r = resolveAlloc(db, arg, Date.now(), word, verbose);
  if (r.ok) return r.value;
  io.stderr.write(`${r.message.trimEnd()}\n`);
  return null;
}
