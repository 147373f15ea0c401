import type { Fingerprinter, FingerprintContext } from './context.js';
import type { Attributes } from './types.js';
import { fingerprintCpu } from './cpu.js';
import { fingerprintHostOs } from './host.js';
import { fingerprintKernel } from './kernel.js';
import { fingerprintMemory } from './memory.js';
import { fingerprintNetwork } from './network.js';
import { fingerprintStorage } from './storage.js';
import { mergeAttributes } from './merge.js';

/** Nomad's host fingerprinters that bivouac has, by name (the names appear in logs). */
export const hostFingerprinters: Readonly<Record<string, Fingerprinter>> = {
  host: fingerprintHostOs,
  cpu: fingerprintCpu,
  memory: fingerprintMemory,
  kernel: fingerprintKernel,
  storage: fingerprintStorage,
  network: fingerprintNetwork,
};

/**
 * Runs every host fingerprinter and merges what they find, the context's overrides last.
 * One that fails is logged and contributes nothing; the others still count.
 */
export async function fingerprintHost(
  ctx: FingerprintContext,
  fingerprinters: Readonly<Record<string, Fingerprinter>> = hostFingerprinters,
): Promise<Attributes> {
  const names = Object.keys(fingerprinters);
  const results = await Promise.allSettled(names.map((n) => fingerprinters[n](ctx)));
  const parts: Attributes[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') parts.push(r.value);
    else ctx.log.warn({ fingerprinter: names[i], err: r.reason }, 'fingerprinter failed');
  });
  return mergeAttributes(parts, ctx.overrides);
}
