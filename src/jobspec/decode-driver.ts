/**
 * A task's `config` block, typed for the drivers bivouac runs (raw_exec, rkt: every key of
 * Nomad's rkt `taskConfigSpec`, reference/rkt.md §2) and kept as given for every other
 * driver, so a docker or exec job still validates and can be submitted to Nomad as is.
 */
import { bool, checkKeys, isObject, oneBlock, optStr, report, str, strList, type Node } from './decode-ctx.js';
import type { HclObject } from './parse.js';
import type { RawExecConfig, RktConfig, TaskDriverConfig } from './types.js';

const RAW_EXEC_KEYS = ['command', 'args'];
const RKT_KEYS = [
  'image', 'command', 'args', 'trust_prefix', 'dns_servers', 'dns_search_domains', 'net',
  'port_map', 'volumes', 'insecure_options', 'no_overlay', 'debug', 'group',
];

export interface DecodedConfig {
  readonly typed: TaskDriverConfig;
  readonly raw: Readonly<Record<string, unknown>>;
}

export function decodeDriverConfig(task: Node, driver: string): DecodedConfig {
  const node = oneBlock(task, 'config');
  const raw: HclObject = node?.body ?? {};
  const cfg: Node = node ?? { body: raw, path: `${task.path} → config`, ob: null, sink: task.sink };
  switch (driver) {
    case 'raw_exec':
      return { typed: { driver: 'raw_exec', config: rawExec(cfg, task) }, raw };
    case 'rkt':
      return { typed: { driver: 'rkt', config: rkt(cfg, task) }, raw };
    default:
      return { typed: { driver: 'other', name: driver, config: raw }, raw };
  }
}

function required(cfg: Node, task: Node, key: string): string {
  const v = str(cfg, key, '');
  if (v !== '') return v;
  if (cfg.ob === null && task.body['config'] === undefined) report(task, 'MISSING_REQUIRED', { key: `config.${key}` });
  else report(cfg, 'MISSING_REQUIRED', { key }, undefined);
  return v;
}

function rawExec(cfg: Node, task: Node): RawExecConfig {
  checkKeys(cfg, RAW_EXEC_KEYS);
  return { command: required(cfg, task, 'command'), args: strList(cfg, 'args') };
}

function rkt(cfg: Node, task: Node): RktConfig {
  checkKeys(cfg, RKT_KEYS);
  return {
    image: required(cfg, task, 'image'),
    command: optStr(cfg, 'command'),
    args: strList(cfg, 'args'),
    trustPrefix: optStr(cfg, 'trust_prefix'),
    dnsServers: strList(cfg, 'dns_servers'),
    dnsSearchDomains: strList(cfg, 'dns_search_domains'),
    net: strList(cfg, 'net'),
    portMap: portMap(cfg),
    volumes: strList(cfg, 'volumes'),
    insecureOptions: strList(cfg, 'insecure_options'),
    noOverlay: bool(cfg, 'no_overlay', false),
    debug: bool(cfg, 'debug', false),
    group: optStr(cfg, 'group'),
  };
}

/**
 * `port_map { http = "8080-tcp" }` (block), `port_map = [{ http = "8080-tcp" }]` (the old
 * list-of-maps form Nomad 0.9 still took) and `port_map = { … }` all merge into one map.
 */
function portMap(cfg: Node): Record<string, string> {
  const out: Record<string, string> = {};
  const v = cfg.body['port_map'];
  if (v === undefined || v === null) return out;
  const maps = Array.isArray(v) ? v : [v];
  for (const m of maps) {
    if (!isObject(m)) {
      report(cfg, 'WRONG_TYPE', { key: 'port_map', expected: 'a map of port label to port name', got: 'a list' }, 'port_map');
      continue;
    }
    for (const [label, name] of Object.entries(m)) {
      if (typeof name === 'string' || typeof name === 'number') out[label] = String(name);
      else report(cfg, 'WRONG_TYPE', { key: `port_map.${label}`, expected: 'a string', got: typeof name }, 'port_map');
    }
  }
  return out;
}
