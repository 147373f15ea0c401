import type { Command } from './io.js';
import { BIVOUAC_VERSION } from '../src/version.js';

export const versionCommand: Command = async (argv, io) => {
  if (argv.includes('-h') || argv.includes('-help') || argv.includes('--help')) {
    io.stdout.write('Usage: bivouac version\n\n  Prints the bivouac version.\n');
    return 0;
  }
  io.stdout.write(`bivouac v${BIVOUAC_VERSION}\n`);
  return 0;
};
