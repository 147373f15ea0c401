import { BivouacError } from '../util/errors.js';

/**
 * A failed artifact: bad source, HTTP error, checksum mismatch, unsafe archive entry. Most
 * are worth a retry by the restart policy (a server hiccup); a refused source or an unsafe
 * archive never gets better, but Nomad retries those too, and so does bivouac.
 */
export function artifactError(message: string, cause?: unknown): BivouacError {
  return new BivouacError('ARTIFACT', message, { cause, recoverable: true });
}
