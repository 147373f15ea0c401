/**
 * Runtime interpolation of `${…}` in env values, args and driver config (reference
 * nomad.md §2.1). Names match Nomad's `\${[a-zA-Z0-9_\-\.]+}`; `${env["any key"]}` reaches
 * task env keys that rule cannot spell (HCL2's indexing form). An unknown environment name is
 * left exactly as written (shell-like); an unknown node variable (`attr.*`, `node.*`, `meta.*`)
 * is a mistake the runner reports before start (see unknownNodeVariables). A substituted value
 * is never scanned again.
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

const NODE_NAMESPACES = ['attr.', 'node.', 'meta.'];

/**
 * The `${attr.*}`, `${node.*}` and `${meta.*}` names in a value (strings inside lists and maps
 * too, keys included) that neither the task env nor the node defines, in order, without
 * repeats. A task whose config names an attribute this node lacks would otherwise run with
 * the literal text `${attr.x}` as an argument.
 */
export function unknownNodeVariables(value: unknown, ctx: InterpolationContext): string[] {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (!v.includes('${')) return;
      for (const m of v.matchAll(PATTERN)) {
        const name = m[1];
        if (name === undefined || !NODE_NAMESPACES.some((ns) => name.startsWith(ns))) continue;
        if (own(ctx.env, name) === undefined && own(ctx.node, name) === undefined) found.add(name);
      }
    } else if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        walk(k);
        walk(inner);
      }
    }
  };
  walk(value);
  return [...found];
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
