import type { FingerprintContext } from './context.js';
import { readOptional } from './context.js';
import { BIVOUAC_VERSION } from '../version.js';

/**
 * unique.hostname, os.name and os.version (ID and VERSION_ID of os-release; rolling
 * distributions have no VERSION_ID and get no os.version), and bivouac.version.
 */
export async function fingerprintHostOs(ctx: FingerprintContext): Promise<Record<string, string>> {
  const fromProc = (await readOptional(ctx.procRoot, 'sys/kernel/hostname'))?.trim();
  const attrs: Record<string, string> = {
    'unique.hostname': fromProc || ctx.os.hostname(),
    'bivouac.version': BIVOUAC_VERSION,
  };
  const release = await readOptional(ctx.etcRoot, 'os-release');
  if (release === null) {
    ctx.log.debug({ etcRoot: ctx.etcRoot }, 'no os-release; os.name and os.version not set');
    return attrs;
  }
  const fields = parseOsRelease(release);
  if (fields.ID) attrs['os.name'] = fields.ID;
  if (fields.VERSION_ID) attrs['os.version'] = fields.VERSION_ID;
  return attrs;
}

/** os-release is shell-style `KEY=value` with optional quotes (os-release(5)). */
export function parseOsRelease(text: string): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let value = line.slice(eq + 1);
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    }
    out[line.slice(0, eq)] = value;
  }
  return out;
}
