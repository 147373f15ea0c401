/**
 * Decodes the rkt task config handed over as `unknown`. The jobspec decoder produces
 * RktConfig (camelCase); Nomad's own key names (snake_case) are accepted too, so a raw
 * `config` block decodes the same. Everything is checked here, once.
 */
import type { RktConfig } from '../../jobspec/types.js';
import { BivouacError } from '../../util/errors.js';

type Raw = Readonly<Record<string, unknown>>;

function bad(msg: string): BivouacError {
  return new BivouacError('DRIVER_START', `invalid rkt config: ${msg}`, { recoverable: false });
}

function pick(o: Raw, camel: string, snake: string): unknown {
  return o[camel] !== undefined ? o[camel] : o[snake];
}

function str(v: unknown, key: string, required = false): string | null {
  if (v === undefined || v === null || v === '') {
    if (required) throw bad(`${key} is required`);
    return null;
  }
  if (typeof v !== 'string') throw bad(`${key} must be a string`);
  return v;
}

function strList(v: unknown, key: string): readonly string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) throw bad(`${key} must be a list of strings`);
  return v;
}

function bool(v: unknown, key: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw bad(`${key} must be a boolean`);
  return v;
}

/** `port_map` as a map, or Nomad's list-of-maps form (merged, later entries winning). */
function portMap(v: unknown): Readonly<Record<string, string>> {
  if (v === undefined || v === null) return {};
  const maps: readonly unknown[] = Array.isArray(v) ? v : [v];
  const out: Record<string, string> = {};
  for (const m of maps) {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) throw bad('port_map must map port labels to port names');
    for (const [k, name] of Object.entries(m)) {
      if (typeof name !== 'string' && typeof name !== 'number') throw bad(`port_map.${k} must be a port name`);
      out[k] = String(name);
    }
  }
  return out;
}

export function decodeRktConfig(v: unknown): RktConfig {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('config must be an object');
  const o = v as Raw;
  return {
    image: str(o.image, 'image', true) ?? '',
    command: str(o.command, 'command'),
    args: strList(o.args, 'args'),
    trustPrefix: str(pick(o, 'trustPrefix', 'trust_prefix'), 'trust_prefix'),
    dnsServers: strList(pick(o, 'dnsServers', 'dns_servers'), 'dns_servers'),
    dnsSearchDomains: strList(pick(o, 'dnsSearchDomains', 'dns_search_domains'), 'dns_search_domains'),
    net: strList(o.net, 'net'),
    portMap: portMap(pick(o, 'portMap', 'port_map')),
    volumes: strList(o.volumes, 'volumes'),
    insecureOptions: strList(pick(o, 'insecureOptions', 'insecure_options'), 'insecure_options'),
    noOverlay: bool(pick(o, 'noOverlay', 'no_overlay'), 'no_overlay'),
    debug: bool(o.debug, 'debug'),
    group: str(o.group, 'group'),
  };
}
