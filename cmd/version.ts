import type { Command } from './io.js';
import { BIVOUAC_VERSION } from '../src/version.js';

export const versionCommand: Command = async (_argv, io) => {
  io.stdout.write(`bivouac v${BIVOUAC_VERSION}\n`);
  return 0;
};
