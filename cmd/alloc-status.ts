import type { Command } from './io.js';
import { flagBool, parseArgs } from './args.js';
import { READ_FLAGS, openReadonly, writeJson } from './common.js';
import { apiAlloc } from '../src/status/api.js';
import { renderAllocStatus } from '../src/status/render-alloc.js';
import { resolveAlloc } from '../src/status/resolve.js';
import { allocResourceUsage } from '../src/status/stats.js';

/** `bivouac alloc status ID` — ID or a unique prefix of at least 8 characters. */
export const allocStatusCommand: Command = async (argv, io) => {
  const args = parseArgs(argv, READ_FLAGS);
  if (flagBool(args, 'help') || args.positional.length !== 1) {
    (flagBool(args, 'help') ? io.stdout : io.stderr).write('Usage: bivouac alloc status [-verbose] [--json] [--data-dir DIR] ALLOC_ID\n');
    return flagBool(args, 'help') ? 0 : 1;
  }
  const db = await openReadonly(args, io);
  try {
    const alloc = resolveAlloc(db, args.positional[0]);
    if (flagBool(args, 'json')) writeJson(io, apiAlloc(db, alloc));
    else io.stdout.write(renderAllocStatus(apiAlloc(db, alloc), Date.now(), flagBool(args, 'verbose'), allocResourceUsage(db, alloc.id)));
    return 0;
  } finally {
    db.close();
  }
};

