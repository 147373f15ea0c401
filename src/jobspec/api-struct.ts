/**
 * Blocks kept as the parser gave them (`connect`, `policy`) to Nomad's API structs, by a
 * table per struct: API field, the job file's key, how to read it, and what Go serialises
 * when the key is absent. Keys a table does not list (newer Nomad's) keep their value under
 * their Pascal-case name, so nothing written is lost.
 */
import type { ApiObject, ApiValue } from './api-json.js';
import { parseDuration } from '../util/duration.js';

export type Kind =
  | 'value'
  | 'duration'
  /** A block or a map attribute, as one map. */
  | 'map'
  | { readonly one: Struct }
  | { readonly many: Struct }
  | { readonly byLabel: Struct };

/** [API field, job file key, kind, value when absent]. */
export type Struct = readonly (readonly [string, string, Kind, ApiValue])[];

export function toStruct(raw: unknown, spec: Struct, apiName: (key: string) => string): ApiObject {
  const body = isRecord(raw) ? raw : {};
  const out: { [k: string]: ApiValue } = {};
  const known = new Set<string>();
  for (const [api, key, kind, absent] of spec) {
    known.add(key);
    const v = body[key];
    out[api] = v === undefined || v === null ? absent : convert(v, kind, apiName);
  }
  for (const [key, v] of Object.entries(body)) {
    if (!known.has(key)) out[apiName(key)] = plain(v);
  }
  return out;
}

function convert(v: unknown, kind: Kind, apiName: (key: string) => string): ApiValue {
  if (kind === 'value') return plain(v);
  if (kind === 'map') return mergedMap(v);
  if (kind === 'duration') {
    if (typeof v === 'number') return v;
    const ms = typeof v === 'string' ? parseDuration(v) : null;
    return ms === null ? plain(v) : Math.round(ms * 1e6);
  }
  const list = Array.isArray(v) ? v : [v];
  if ('one' in kind) return list.length === 0 ? null : toStruct(list[0], kind.one, apiName);
  if ('many' in kind) return list.length === 0 ? null : list.map((x) => toStruct(x, kind.many, apiName));
  // `name "label" { … }` blocks: the parser nests them under their label.
  const out: { [k: string]: ApiValue } = {};
  for (const m of list) {
    if (!isRecord(m)) continue;
    for (const [label, b] of Object.entries(m)) {
      const body = Array.isArray(b) ? b[0] : b;
      out[label] = { ...toStruct(body, kind.byLabel, apiName), Name: label };
    }
  }
  return out;
}

/** A block given as a list of one map (HCL's block form) or as a map, merged into one map. */
export function mergedMap(v: unknown): ApiObject | null {
  if (v === undefined || v === null) return null;
  const list = Array.isArray(v) ? v : [v];
  const out: { [k: string]: ApiValue } = {};
  for (const m of list) if (isRecord(m)) Object.assign(out, plain(m));
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parsed values are JSON already (no undefined, no functions); this narrows `unknown` for the type checker. */
export function plain(v: unknown): ApiValue {
  return v === undefined ? null : (v as ApiValue);
}

const RESOURCES: Struct = [
  ['CPU', 'cpu', 'value', 100], ['MemoryMB', 'memory', 'value', 300], ['DiskMB', 'disk', 'value', null],
  ['Networks', 'network', 'value', null], ['Devices', 'device', 'value', null], ['IOPS', 'iops', 'value', null],
];
const LOGS: Struct = [['MaxFiles', 'max_files', 'value', 10], ['MaxFileSizeMB', 'max_file_size', 'value', 10]];

const SIDECAR_TASK: Struct = [
  ['Name', 'name', 'value', ''], ['Driver', 'driver', 'value', ''], ['User', 'user', 'value', ''],
  ['Config', 'config', 'map', null], ['Env', 'env', 'map', null],
  ['Resources', 'resources', { one: RESOURCES }, { CPU: 100, MemoryMB: 300, DiskMB: null, Networks: null, Devices: null, IOPS: null }],
  ['Meta', 'meta', 'map', null], ['KillTimeout', 'kill_timeout', 'duration', 5e9],
  ['LogConfig', 'logs', { one: LOGS }, { MaxFiles: 10, MaxFileSizeMB: 10 }],
  ['ShutdownDelay', 'shutdown_delay', 'duration', 0], ['KillSignal', 'kill_signal', 'value', ''],
];
const UPSTREAM: Struct = [
  ['DestinationName', 'destination_name', 'value', ''], ['LocalBindPort', 'local_bind_port', 'value', 0],
  ['Datacenter', 'datacenter', 'value', ''],
];
const EXPOSE_PATH: Struct = [
  ['Path', 'path', 'value', ''], ['Protocol', 'protocol', 'value', ''], ['LocalPathPort', 'local_path_port', 'value', 0],
  ['ListenerPort', 'listener_port', 'value', ''],
];
const PROXY: Struct = [
  ['LocalServiceAddress', 'local_service_address', 'value', ''], ['LocalServicePort', 'local_service_port', 'value', 0],
  ['ExposeConfig', 'expose', { one: [['Path', 'path', { many: EXPOSE_PATH }, null]] }, null],
  ['Upstreams', 'upstreams', { many: UPSTREAM }, null], ['Config', 'config', 'map', null],
];
const SIDECAR_SERVICE: Struct = [
  ['Tags', 'tags', 'value', null], ['Port', 'port', 'value', ''], ['Proxy', 'proxy', { one: PROXY }, null],
];
const GATEWAY_PROXY: Struct = [
  ['ConnectTimeout', 'connect_timeout', 'duration', 5e9],
  ['EnvoyGatewayBindTaggedAddresses', 'envoy_gateway_bind_tagged_addresses', 'value', false],
  ['EnvoyGatewayBindAddresses', 'envoy_gateway_bind_addresses', { byLabel: [['Address', 'address', 'value', ''], ['Port', 'port', 'value', 0]] }, null],
  ['EnvoyGatewayNoDefaultBind', 'envoy_gateway_no_default_bind', 'value', false],
  ['EnvoyDNSDiscoveryType', 'envoy_dns_discovery_type', 'value', ''], ['Config', 'config', 'map', null],
];
const INGRESS: Struct = [
  ['TLS', 'tls', { one: [['Enabled', 'enabled', 'value', false]] }, null],
  ['Listeners', 'listener', {
    many: [
      ['Port', 'port', 'value', 0], ['Protocol', 'protocol', 'value', 'tcp'],
      ['Services', 'service', { many: [['Name', 'name', 'value', ''], ['Hosts', 'hosts', 'value', null]] }, null],
    ],
  }, null],
];
const TERMINATING: Struct = [
  ['Services', 'service', {
    many: [
      ['Name', 'name', 'value', ''], ['CAFile', 'ca_file', 'value', ''], ['CertFile', 'cert_file', 'value', ''],
      ['KeyFile', 'key_file', 'value', ''], ['SNI', 'sni', 'value', ''],
    ],
  }, null],
];
const GATEWAY: Struct = [
  ['Proxy', 'proxy', { one: GATEWAY_PROXY }, null], ['Ingress', 'ingress', { one: INGRESS }, null],
  ['Terminating', 'terminating', { one: TERMINATING }, null],
];

/** `api.ConsulConnect` after its `Canonicalize`. */
export const CONNECT: Struct = [
  ['Native', 'native', 'value', false], ['Gateway', 'gateway', { one: GATEWAY }, null],
  ['SidecarService', 'sidecar_service', { one: SIDECAR_SERVICE }, null],
  ['SidecarTask', 'sidecar_task', { one: SIDECAR_TASK }, null],
];

/**
 * A task's driver `config` as Nomad's HCL decoding hands it to a driver: every map (a nested
 * block or a map attribute) becomes a list of maps, labelled blocks `b "l" { … }` become
 * `b = [{ l = [{ … }] }]`, lists of values stay lists. HCL1 produced this shape and Nomad's
 * HCL2 reader copies it (jobspec2's config-compatibility fixture); drivers decode it so.
 * Applying it to a tree already in that shape changes nothing.
 */
export function driverConfigShape(config: Readonly<Record<string, unknown>>): ApiObject {
  const out: { [k: string]: ApiValue } = {};
  for (const [k, v] of Object.entries(config)) out[k] = configValue(v);
  return out;
}

function configValue(v: unknown): ApiValue {
  if (Array.isArray(v)) return v.map((x) => (isRecord(x) ? driverConfigShape(x) : configValue(x)));
  if (!isRecord(v)) return plain(v);
  const values = Object.values(v);
  const labelled = values.length > 0 && values.every((x) => Array.isArray(x) && x.length > 0 && x.every(isRecord));
  if (labelled) {
    // hcl2json groups `b "l" {…}` blocks under their label; HCL1 kept one list item per block.
    return Object.entries(v).flatMap(([label, bodies]) => (bodies as unknown[]).map((b) => ({ [label]: [driverConfigShape(b as Record<string, unknown>)] })));
  }
  return [driverConfigShape(v)];
}
