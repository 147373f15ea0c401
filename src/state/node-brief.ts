import { stmt, type Database } from './db.js';

/** The node as an allocation names it, and the address `alloc status` shows its ports at. */
export interface NodeBrief {
  readonly id: string;
  readonly name: string;
  readonly datacenter: string;
  /** Its `unique.network.ip-address` attribute, when fingerprinted. */
  readonly ipAddress: string | null;
}

/**
 * What the allocation layouts read of the node, without parsing its whole fingerprint
 * (info_json: every attribute, driver and resource; its JSON.parse was ~0.5 ms of a cold
 * `status JOB` or `alloc status`). Null before the agent has written the node.
 */
export function getNodeBrief(db: Database): NodeBrief | null {
  const r = stmt(
    db,
    `SELECT id, name, json_extract(info_json, '$.datacenter'), json_extract(info_json, '$.attributes."unique.network.ip-address"') FROM node LIMIT 1`,
  )
    .raw(true)
    .get() as [string, string, string | null, string | null] | undefined;
  return r ? { id: r[0], name: r[1], datacenter: r[2] ?? '', ipAddress: r[3] } : null;
}
