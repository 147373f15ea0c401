import { BivouacError } from '../util/errors.js';
import type { Attributes } from './types.js';

/** The operator's settings for this node, validated and complete. */
export interface NodeConfig {
  readonly datacenter: string;
  readonly region: string;
  /** Empty when unset; `node status` prints `<none>`. */
  readonly nodeClass: string;
  readonly meta: Readonly<Record<string, string>>;
  /** Held back from jobs: MHz and MB. */
  readonly reserved: { readonly cpu: number; readonly memoryMB: number };
  /** Dynamic ports are picked from here, both ends included. */
  readonly portRange: { readonly min: number; readonly max: number };
  /** Replaces the detected cpu.totalcompute (Nomad's `cpu_total_compute`); null to detect. */
  readonly cpuTotalCompute: number | null;
}

export const DEFAULT_NODE_CONFIG: NodeConfig = {
  datacenter: 'dc1',
  region: 'global',
  nodeClass: '',
  meta: {},
  reserved: { cpu: 0, memoryMB: 0 },
  portRange: { min: 20000, max: 32000 },
  cpuTotalCompute: null,
};

/**
 * Validates the operator's settings as written (Nomad's client stanza names: `datacenter`,
 * `region`, `node_class`, `meta`, `reserved { cpu, memory }`, `port_range` as "20000-32000"
 * or `{ min, max }`, `cpu_total_compute`), filling defaults. Throws BivouacError('CONFIG').
 */
export function resolveNodeConfig(input: unknown): NodeConfig {
  if (input === undefined || input === null) return DEFAULT_NODE_CONFIG;
  const o = asRecord(input, 'node config');
  const d = DEFAULT_NODE_CONFIG;
  const reserved = o.reserved === undefined ? {} : asRecord(o.reserved, 'reserved');
  return {
    datacenter: str(o.datacenter, 'datacenter') ?? d.datacenter,
    region: str(o.region, 'region') ?? d.region,
    nodeClass: str(o.node_class, 'node_class') ?? d.nodeClass,
    meta: o.meta === undefined ? d.meta : stringMap(o.meta),
    reserved: {
      cpu: count(reserved.cpu, 'reserved.cpu') ?? 0,
      memoryMB: count(reserved.memory, 'reserved.memory') ?? 0,
    },
    portRange: o.port_range === undefined ? d.portRange : portRange(o.port_range),
    cpuTotalCompute: count(o.cpu_total_compute, 'cpu_total_compute'),
  };
}

/** The attributes the config sets outright; they win over fingerprinted ones. */
export function configOverrides(config: NodeConfig): Attributes {
  return config.cpuTotalCompute === null ? {} : { 'cpu.totalcompute': String(config.cpuTotalCompute) };
}

function fail(what: string): never {
  throw new BivouacError('CONFIG', `invalid node config: ${what}`, { recoverable: false });
}

function asRecord(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${what} must be an object`);
  return v as Record<string, unknown>;
}

function str(v: unknown, what: string): string | null {
  if (v === undefined) return null;
  if (typeof v !== 'string') fail(`${what} must be a string`);
  return v;
}

function count(v: unknown, what: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`${what} must be a whole number ≥ 0`);
  return v;
}

function stringMap(v: unknown): Readonly<Record<string, string>> {
  const o = asRecord(v, 'meta');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(o)) {
    if (typeof val !== 'string') fail(`meta.${k} must be a string`);
    out[k] = val;
  }
  return out;
}

function portRange(v: unknown): { readonly min: number; readonly max: number } {
  let min: number | null;
  let max: number | null;
  if (typeof v === 'string') {
    const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(v);
    if (!m) fail('port_range must look like "20000-32000"');
    [min, max] = [Number(m[1]), Number(m[2])];
  } else {
    const o = asRecord(v, 'port_range');
    [min, max] = [count(o.min, 'port_range.min'), count(o.max, 'port_range.max')];
  }
  if (min === null || max === null || min < 1 || max > 65535 || min > max) fail('port_range must be within 1-65535, min ≤ max');
  return { min, max };
}
