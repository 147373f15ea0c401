/**
 * Runtime interpolation of `${…}` in env values, args and driver config (reference
 * nomad.md §2.1). Names match Nomad's `\${[a-zA-Z0-9_\-\.]+}`; `${env["any key"]}` reaches
 * task env keys that rule cannot spell (HCL2's indexing form). Unknown names are left exactly
 * as written, and a substituted value is never scanned again.
 */
import type { NodeInfo } from '../node/types.js';

export interface InterpolationContext {
  /** The task environment: NOMAD_* and the env block. */
  readonly env: Readonly<Record<string, string>>;
  /** `node.*`, `attr.*` and `meta.*` variables (see nodeVariables). */
  readonly node: Readonly<Record<string, string>>;
}

const PATTERN = /\$\{(?:([a-zA-Z0-9_\-.]+)|env\["([^"]*)"\])\}/g;

export function interpolateString(text: string, ctx: InterpolationContext): string {
  if (!text.includes('${')) return text;
  return text.replace(PATTERN, (whole: string, name: string | undefined, envKey: string | undefined) => {
    if (envKey !== undefined) return own(ctx.env, envKey) ?? whole;
    const n = name ?? '';
    return own(ctx.env, n) ?? own(ctx.node, n) ?? whole;
  });
}

/** Interpolates every string inside a decoded config value: lists, maps, nested. Keys stay. */
export function interpolateValue(value: unknown, ctx: InterpolationContext): unknown {
  if (typeof value === 'string') return interpolateString(value, ctx);
  if (Array.isArray(value)) return value.map((v) => interpolateValue(v, ctx));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateValue(v, ctx);
    return out;
  }
  return value;
}

/** Nomad's node variables for interpolation, from what the fingerprint found. */
export function nodeVariables(node: NodeInfo): Record<string, string> {
  const vars: Record<string, string> = {
    'node.unique.id': node.id,
    'node.unique.name': node.name,
    'node.datacenter': node.datacenter,
    'node.region': node.region,
    'node.class': node.nodeClass,
  };
  for (const [k, v] of Object.entries(node.attributes)) vars[`attr.${k}`] = v;
  for (const [k, v] of Object.entries(node.meta)) vars[`meta.${k}`] = v;
  return vars;
}

/** Own keys only: a job must not reach `constructor` or `__proto__` through a name. */
function own(map: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}
