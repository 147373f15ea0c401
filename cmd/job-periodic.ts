import type { Command } from './io.js';
import { flagBool, parseArgs } from './args.js';
import { dataDirOf } from './common.js';
import { openWritable } from './job-dispatch.js';
import { BivouacError } from '../src/util/errors.js';

const USAGE = `Usage: bivouac job periodic force [--data-dir DIR] JOB

  Launches a periodic job's child now, whatever its schedule (and whether the agent
  runs: the child starts when it does).
`;

/** `bivouac job periodic force JOB` (Nomad's `job periodic force`). */
export const jobPeriodicCommand: Command = async (argv, io) => {
  const args = parseArgs(argv, { 'data-dir': 'string', help: 'bool' });
  if (flagBool(args, 'help') || args.positional[0] !== 'force' || args.positional.length !== 2) {
    (flagBool(args, 'help') ? io.stdout : io.stderr).write(USAGE);
    return flagBool(args, 'help') ? 0 : 1;
  }
  const db = await openWritable(dataDirOf(args, io));
  try {
    const { forcePeriodicLaunch } = await import('../src/agent/dispatch.js');
    const id = forcePeriodicLaunch(db, args.positional[1], Date.now());
    io.stdout.write(`Dispatched Job ID = ${id}\n`);
    return 0;
  } catch (err) {
    if (err instanceof BivouacError && err.code === 'DISPATCH') {
      io.stderr.write(`Error forcing periodic launch: ${err.userMessage}\n`);
      return 1;
    }
    throw err;
  } finally {
    db.close();
  }
};
