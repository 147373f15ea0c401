/**
 * Task `resources` and the two places a `network` block can sit: inside task resources
 * (Nomad ≤ 0.12, still common) and at group level (`network { mode = "bridge" … }`).
 * `port "x" { static = N }` is reserved, `port "x" {}` is dynamic.
 */
import { blocks, checkKeys, int, isObject, labelled, oneBlock, remember, report, str, strList, type Node } from './decode-ctx.js';
import { DEFAULTS } from './defaults.js';
import type { NetworkResource, Port, Resources } from './types.js';

const RESOURCE_KEYS = ['cpu', 'cores', 'memory', 'memory_max', 'network', 'device', 'disk', 'iops', 'numa'];
const TASK_NETWORK_KEYS = ['mbits', 'port', 'mode'];
const GROUP_NETWORK_KEYS = ['mbits', 'port', 'mode', 'dns', 'hostname'];
const PORT_KEYS = ['static', 'to', 'host_network'];
const DNS_KEYS = ['servers', 'searches', 'options'];
const PORT_LABEL = /^[a-zA-Z0-9_]+$/;

export function decodeResources(task: Node): Resources {
  const node = oneBlock(task, 'resources');
  if (node === null) {
    return { cpu: DEFAULTS.cpu, cores: 0, memoryMB: DEFAULTS.memoryMB, memoryMaxMB: 0, diskMB: null, networks: [] };
  }
  checkKeys(node, RESOURCE_KEYS);
  for (const k of ['cpu', 'memory', 'cores', 'memory_max']) remember(node, k);
  const networks = blocks(node, 'network');
  if (networks.length > 1) report(node, 'DUPLICATE_BLOCK', { key: 'network' }, 'network');
  const cores = int(node, 'cores', 0);
  return {
    // Nomad leaves CPU at 0 when `cores` is set: the cores are the reservation.
    cpu: int(node, 'cpu', cores > 0 ? 0 : DEFAULTS.cpu),
    cores,
    memoryMB: int(node, 'memory', DEFAULTS.memoryMB),
    memoryMaxMB: int(node, 'memory_max', 0),
    diskMB: node.body['disk'] === undefined || node.body['disk'] === null ? null : int(node, 'disk', 0),
    networks: networks.map((n) => decodeNetwork(n, TASK_NETWORK_KEYS)),
  };
}

export function decodeGroupNetworks(group: Node): NetworkResource[] {
  const networks = blocks(group, 'network');
  if (networks.length > 1) report(group, 'DUPLICATE_BLOCK', { key: 'network' }, 'network');
  return networks.map((n) => decodeNetwork(n, GROUP_NETWORK_KEYS));
}

function decodeNetwork(node: Node, keys: readonly string[]): NetworkResource {
  checkKeys(node, keys);
  const dnsBlocks = blocks(node, 'dns');
  for (const dns of dnsBlocks) checkKeys(dns, DNS_KEYS);
  const d = dnsBlocks[0];
  const reservedPorts: Port[] = [];
  const dynamicPorts: Port[] = [];
  const v = node.body['port'];
  if (Array.isArray(v)) report(node, 'MISSING_LABEL', { key: 'port', hint: ' (the port label)' }, 'port');
  if (isObject(v)) {
    for (const { label, node: p } of labelled(node, 'port')) {
      checkKeys(p, PORT_KEYS);
      remember(p);
      if (!PORT_LABEL.test(label)) report(p, 'INVALID_PORT_LABEL', { label });
      const hasStatic = p.body['static'] !== undefined;
      const value = int(p, 'static', 0);
      const to = int(p, 'to', 0);
      if (value < 0 || value > 65535) report(p, 'OUT_OF_RANGE', { message: `Port "${label}" has invalid static port ${value}: must be 0–65535` }, 'static');
      if (to < -1 || to > 65535) report(p, 'OUT_OF_RANGE', { message: `Port "${label}" has invalid mapped port ${to}: must be -1–65535` }, 'to');
      const port: Port = { label, value, to, hostNetwork: str(p, 'host_network', '') };
      (hasStatic ? reservedPorts : dynamicPorts).push(port);
    }
  }
  return {
    mode: str(node, 'mode', ''),
    mbits: node.body['mbits'] === undefined || node.body['mbits'] === null ? null : int(node, 'mbits', 0),
    reservedPorts,
    dynamicPorts,
    dns: d === undefined ? null : { servers: strList(d, 'servers'), searches: strList(d, 'searches'), options: strList(d, 'options') },
  };
}
