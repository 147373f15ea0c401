import type { Attributes, DriverInfo, NodeInfo } from './types.js';
import type { NodeConfig } from './config.js';
import { configOverrides } from './config.js';
import { mergeAttributes } from './merge.js';

/**
 * The node as the scheduler and `node status` see it. Attributes are the host's, then each
 * detected driver's (an undetected driver's attributes are dropped, as Nomad drops them),
 * then the config's overrides. The name is the hostname.
 */
export function buildNodeInfo(
  id: string,
  config: NodeConfig,
  hostAttrs: Attributes,
  drivers: Readonly<Record<string, DriverInfo>>,
): NodeInfo {
  const driverAttrs = Object.keys(drivers)
    .sort()
    .filter((name) => drivers[name].detected)
    .map((name) => drivers[name].attributes);
  return {
    id,
    name: hostAttrs['unique.hostname'] ?? '',
    datacenter: config.datacenter,
    region: config.region,
    nodeClass: config.nodeClass,
    meta: config.meta,
    attributes: mergeAttributes([hostAttrs, ...driverAttrs], configOverrides(config)),
    drivers,
    reserved: config.reserved,
    portRange: config.portRange,
  };
}
