import { flagBool, parseArgs } from './args.js';
import { READ_FLAGS } from './read-flags.js';

/**
 * Which bundle `status` and `job status` need, decided by the dispatcher from the arguments:
 * the text list alone (cmd/status.ts's own small bundle), or anything more (status-detail's,
 * the whole command). A usage error goes to the list's, which reports it.
 */
export function wantsJobList(argv: readonly string[]): boolean {
  try {
    const args = parseArgs(argv, READ_FLAGS);
    return args.positional.length === 0 && !flagBool(args, 'json');
  } catch {
    return true;
  }
}
