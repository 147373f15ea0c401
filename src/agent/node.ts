import type { Driver } from '../drivers/types.js';
import { buildNodeInfo } from '../node/node-info.js';
import { containmentAttributes, fingerprintHost, loadOrCreateNodeId, systemOs, DEFAULT_NODE_CONFIG, configOverrides, type ContainmentFacts, type NodeConfig } from '../node/index.js';
import type { DriverInfo, NodeInfo } from '../node/types.js';
import type { Database } from '../state/index.js';
import { appendNodeEvent, getNode, putNode } from '../state/index.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { BIVOUAC_VERSION } from '../version.js';
import type { AgentConfig } from './config.js';

export interface NodeFingerprintDeps {
  readonly config: AgentConfig;
  readonly drivers: ReadonlyMap<string, Driver>;
  readonly log: Logger;
  readonly clock: Clock;
  readonly procRoot?: string;
  /** Whether tasks run in cgroups here (the agent knows once it has made its own). */
  readonly containment?: ContainmentFacts;
}

export function nodeConfigOf(c: AgentConfig): NodeConfig {
  return {
    ...DEFAULT_NODE_CONFIG,
    datacenter: c.datacenter,
    region: c.region,
    nodeClass: c.nodeClass,
    meta: c.meta,
    reserved: c.reserved,
    portRange: c.portRange,
  };
}

/** Fingerprints the host and every driver and builds the node (no I/O on the database). */
export async function fingerprintNode(deps: NodeFingerprintDeps): Promise<NodeInfo> {
  const nodeConfig = nodeConfigOf(deps.config);
  const host = await fingerprintHost({
    procRoot: deps.procRoot ?? '/proc',
    sysRoot: '/sys',
    etcRoot: '/etc',
    dataDir: deps.config.dataDir,
    log: deps.log,
    overrides: {
      ...configOverrides(nodeConfig),
      'bivouac.version': BIVOUAC_VERSION,
      ...(deps.containment ? containmentAttributes(deps.containment) : {}),
    },
    os: systemOs,
  });
  const now = new Date(deps.clock.now()).toISOString();
  const drivers: Record<string, DriverInfo> = {};
  for (const [name, driver] of deps.drivers) {
    try {
      const fp = await driver.fingerprint();
      drivers[name] = {
        name,
        detected: fp.detected,
        healthy: fp.healthy,
        healthState: !fp.detected ? 'undetected' : fp.healthy ? 'healthy' : 'unhealthy',
        message: fp.message,
        attributes: fp.attributes,
        updatedAt: now,
      };
    } catch (err) {
      deps.log.error({ err, driver: name }, 'driver fingerprint failed');
      drivers[name] = { name, detected: false, healthy: false, healthState: 'undetected', message: `fingerprint failed: ${(err as Error).message}`, attributes: {}, updatedAt: now };
    }
  }
  return buildNodeInfo(loadOrCreateNodeId(deps.config.dataDir), nodeConfig, host, drivers);
}

/**
 * Writes the node row, and a node event for each driver whose health changed (Nomad's
 * "Driver rkt is not detected" node events).
 */
export function recordNode(db: Database, node: NodeInfo, now: number): void {
  const prev = getNode(db);
  for (const d of Object.values(node.drivers)) {
    const before = prev?.info.drivers[d.name];
    if (before && before.healthState === d.healthState && before.message === d.message) continue;
    const msg = d.healthState === 'healthy' ? `Driver ${d.name} is healthy` : d.healthState === 'undetected' ? `Driver ${d.name} is not detected` : `Driver ${d.name} is unhealthy`;
    appendNodeEvent(db, now, 'Driver', msg, d.message);
  }
  if (!prev) appendNodeEvent(db, now, 'Cluster', 'Node registered');
  putNode(db, node, prev?.status ?? 'initializing', now);
}
