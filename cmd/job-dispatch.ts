import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command, CommandIO } from './io.js';
import { flagBool, parseArgs } from './args.js';
import { dataDirOf } from './common.js';
import { BivouacError } from '../src/util/errors.js';
import type { Database } from '../src/state/index.js';

const USAGE = `Usage: bivouac job dispatch [-meta key=value]... [--data-dir DIR] JOB [INPUT_SOURCE]

  Dispatches an instance of a parameterized job. INPUT_SOURCE is a file whose
  contents become the payload, or "-" for stdin. Works with the agent down: the
  dispatched job starts when the agent runs.
`;

/** `bivouac job dispatch` (Nomad's `job dispatch`, without an evaluation to monitor). */
export const jobDispatchCommand: Command = async (argv, io) => {
  const meta: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let kv: string | undefined;
    if (a === '-meta' || a === '--meta') kv = argv[++i];
    else if (a.startsWith('-meta=') || a.startsWith('--meta=')) kv = a.slice(a.indexOf('=') + 1);
    else {
      rest.push(a);
      continue;
    }
    const eq = kv?.indexOf('=') ?? -1;
    if (kv === undefined || eq <= 0) throw new BivouacError('USAGE', `-meta takes key=value, got "${kv ?? ''}"`);
    meta[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const args = parseArgs(rest, { 'data-dir': 'string', help: 'bool' });
  if (flagBool(args, 'help')) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (args.positional.length < 1 || args.positional.length > 2) throw new BivouacError('USAGE', `job dispatch takes a job ID and an optional input source\n\n${USAGE}`);
  const [jobId, source] = args.positional;
  const payload = source === undefined ? null : source === '-' ? readFileSync(0) : readFileSync(resolve(io.cwd, source));
  const db = await openWritable(dataDirOf(args, io));
  try {
    const { dispatchJob } = await import('../src/agent/dispatch.js');
    const id = dispatchJob(db, jobId, meta, payload, Date.now());
    io.stdout.write(`Dispatched Job ID = ${id}\n`);
    return 0;
  } catch (err) {
    if (err instanceof BivouacError && err.code === 'DISPATCH') {
      io.stderr.write(`Failed to dispatch job: ${err.userMessage}\n`);
      return 1;
    }
    throw err;
  } finally {
    db.close();
  }
};

/** The agent's database, for the few commands that write a request into it. */
export async function openWritable(dataDir: string): Promise<Database> {
  const path = join(dataDir, 'state.db');
  if (!existsSync(path)) throw new BivouacError('STATE_NOT_FOUND', `no state database at ${path}: has the agent run with this data dir?`);
  const { openState } = await import('../src/state/db.js');
  return openState(path);
}

