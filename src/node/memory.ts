import type { FingerprintContext } from './context.js';
import { readOptional } from './context.js';
import { BivouacError } from '../util/errors.js';

/** memory.totalbytes from MemTotal in /proc/meminfo (which counts kB of 1024 bytes). */
export async function fingerprintMemory(ctx: FingerprintContext): Promise<Record<string, string>> {
  const text = await readOptional(ctx.procRoot, 'meminfo');
  const m = text === null ? null : /^MemTotal:\s+(\d+)\s*kB/m.exec(text);
  if (!m) throw new BivouacError('NOT_FOUND', `no MemTotal in ${ctx.procRoot}/meminfo`);
  return { 'memory.totalbytes': String(Number(m[1]) * 1024) };
}
