import type { AllocRecord, Database } from '../state/index.js';
import { findAllocsByPrefix } from '../state/index.js';
import { BivouacError } from '../util/errors.js';

/** Nomad's short IDs: a full ID, or a prefix of at least 8 characters that names one allocation. */
export function resolveAlloc(db: Database, idOrPrefix: string): AllocRecord {
  if (idOrPrefix.length < 8) throw new BivouacError('USAGE', `alloc ID "${idOrPrefix}" is too short: give at least 8 characters`);
  const found = findAllocsByPrefix(db, idOrPrefix, 10);
  if (found.length === 0) throw new BivouacError('NOT_FOUND', `No allocation(s) with prefix or id "${idOrPrefix}" found`);
  if (found.length > 1 && found[0].id !== idOrPrefix) {
    throw new BivouacError('USAGE', `Prefix "${idOrPrefix}" matched multiple allocations: ${found.map((a) => a.id.slice(0, 12)).join(', ')}; give more characters`);
  }
  return found[0];
}
