import type { Attributes } from './types.js';

/** Later parts win over earlier ones, and the operator's overrides win over all. */
export function mergeAttributes(parts: readonly Attributes[], overrides: Attributes = {}): Attributes {
  const out: Record<string, string> = {};
  for (const part of parts) Object.assign(out, part);
  Object.assign(out, overrides);
  return out;
}
