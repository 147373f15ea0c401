import type { Command } from './io.js';
import { flagBool, parseArgs } from './args.js';
import { READ_FLAGS, allocOrReport, openReadonly, writeJson } from './common.js';
import { apiAlloc } from '../src/status/api.js';
import { AllocReads } from '../src/status/alloc.js';
import { renderAllocStatus } from '../src/status/render-alloc.js';
import { getNodeBrief } from '../src/state/index.js';
import { allocResourceUsage } from '../src/status/stats.js';

const HELP = `Usage: bivouac alloc status [options] <allocation>

  Display information about existing allocations and their tasks. This command can
  be used to inspect the current status of an allocation, including its running
  status, metadata, and verbose failure messages reported by internal subsystems.

Alloc Status Options:

  -verbose
    Show full information.

  -json
    Output the allocation in its JSON format.

  -data-dir <dir>
    The agent's data directory (env BIVOUAC_DATA_DIR; default .bivouac).
`;

/** `bivouac alloc status ID`: a full ID or a prefix of two characters or more, as Nomad's. */
export const allocStatusCommand: Command = async (argv, io) => {
  const args = parseArgs(argv, READ_FLAGS);
  if (flagBool(args, 'help')) {
    io.stdout.write(HELP);
    return 0;
  }
  if (args.positional.length !== 1) {
    io.stderr.write(`This command takes one of the following argument conditions:\n * A single <allocation>\n${HELP}`);
    return 1;
  }
  const verbose = flagBool(args, 'verbose');
  const db = await openReadonly(args, io);
  try {
    const alloc = allocOrReport(db, args.positional[0], io, 'Identifier', verbose);
    if (alloc === null) return 1;
    const json = flagBool(args, 'json');
    const api = apiAlloc(db, alloc, true, new AllocReads(db, { embedJob: json }));
    if (json) {
      writeJson(io, api);
      return 0;
    }
    const hostIP = getNodeBrief(db)?.ipAddress ?? '127.0.0.1';
    io.stdout.write(renderAllocStatus({ alloc: api, hostIP, usage: allocResourceUsage(db, alloc.id), now: Date.now(), verbose }));
    return 0;
  } finally {
    db.close();
  }
};
