import type { Command } from './io.js';
import { BivouacError } from '../src/util/errors.js';

// Placeholder until this command's issue lands; replaced, not extended.
export const statusCommand: Command = async () => {
  throw new BivouacError('USAGE', 'this command is not built yet');
};
