/** /v1/agent/self|health|members, /v1/status/leader|peers, /v1/regions, PUT /v1/search. */
import { arch, cpus } from 'node:os';
import { countAllocsByJob, findAllocsByPrefix, getNode, getStateIndex, listEvals, listJobSummaries } from '../state/index.js';
import { BIVOUAC_VERSION } from '../version.js';
import { badRequest } from './errors.js';
import { evenPrefix } from './read-allocs.js';
import type { ReadDeps, Reply, Request } from './types.js';

const q = (body: unknown): Reply => ({ kind: 'json', body });

/** bivouac is its own one server: its "RPC address" is the HTTP address it serves. */
function selfAddr(deps: ReadDeps): string {
  return deps.httpAddr || '127.0.0.1:4646';
}

function member(deps: ReadDeps, name: string): Record<string, unknown> {
  const [host, port] = splitAddr(selfAddr(deps));
  return {
    Name: `${name}.${deps.region}`, Addr: host, Port: port, Status: 'alive',
    Tags: { region: deps.region, dc: deps.datacenter, role: 'nomad', build: BIVOUAC_VERSION, port: String(port), rpc_addr: host, bootstrap: '1', expect: '1', vsn: '1', mvn: '1', raft_vsn: '2', id: '' },
    ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4,
  };
}

function splitAddr(a: string): [string, number] {
  const i = a.lastIndexOf(':');
  return [a.slice(0, i).replace(/^\[|\]$/g, ''), Number(a.slice(i + 1))];
}

export function agentSelf(_req: Request, deps: ReadDeps): Reply {
  const node = getNode(deps.readDb);
  let allocs = 0;
  for (const c of countAllocsByJob(deps.readDb).values()) allocs += c.total;
  const name = node?.info.name ?? '';
  return q({
    config: {
      Region: deps.region, Datacenter: deps.datacenter, DataDir: deps.dataDir, NodeName: name, Version: { Version: BIVOUAC_VERSION, VersionPrerelease: '', VersionMetadata: '', Revision: '' },
      ACL: { Enabled: deps.token !== null }, Addresses: { HTTP: splitAddr(selfAddr(deps))[0] }, Ports: { HTTP: splitAddr(selfAddr(deps))[1] },
      Client: { Enabled: true }, Server: { Enabled: false },
    },
    member: member(deps, name),
    stats: {
      client: { node_id: node?.info.id ?? '', known_servers: selfAddr(deps), num_allocations: String(allocs), last_heartbeat: '0s', heartbeat_ttl: '0s' },
      nomad: { server: 'false', leader: 'true', leader_addr: selfAddr(deps), bootstrap: 'true', known_regions: '1' },
      runtime: { 'kernel.name': 'linux', arch: arch() === 'x64' ? 'amd64' : arch(), version: process.version, max_procs: String(cpus().length), cpu_count: String(cpus().length), goroutines: '0' },
    },
  });
}

export function agentHealth(_req: Request, deps: ReadDeps): Reply {
  const node = getNode(deps.readDb);
  const ok = node !== null && node.status === 'ready';
  return q({ client: { message: ok ? 'ok' : 'node is not ready', ok } });
}

export function agentMembers(_req: Request, deps: ReadDeps): Reply {
  const name = getNode(deps.readDb)?.info.name ?? '';
  return q({ ServerName: name, ServerRegion: deps.region, ServerDC: deps.datacenter, Members: [member(deps, name)] });
}

export const statusLeader = (_req: Request, deps: ReadDeps): Reply => q(selfAddr(deps));
export const statusPeers = (_req: Request, deps: ReadDeps): Reply => q([selfAddr(deps)]);
export const regions = (_req: Request, deps: ReadDeps): Reply => q([deps.region]);

const CONTEXTS = ['jobs', 'evals', 'allocs', 'nodes', 'deployment', 'plugins', 'volumes', 'scaling_policy', 'namespaces', 'all'];
/** Nomad's truncateLimit. */
const LIMIT = 20;

export function search(req: Request, deps: ReadDeps): Reply {
  const body = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('search request must be a JSON object with Prefix and Context');
  const { Prefix: prefix, Context: context } = body as { Prefix?: unknown; Context?: unknown };
  if (typeof prefix !== 'string') throw badRequest('search request: Prefix must be a string');
  const ctx = context === undefined || context === '' ? 'all' : context;
  if (typeof ctx !== 'string' || !CONTEXTS.includes(ctx)) throw badRequest(`search request: Context must be one of ${CONTEXTS.join(', ')}`);
  const db = deps.readDb;
  const matches: Record<string, string[] | null> = {};
  const truncations: Record<string, boolean> = {};
  const put = (name: string, ids: string[]): void => {
    matches[name] = ids.length === 0 ? null : ids.slice(0, LIMIT);
    truncations[name] = ids.length > LIMIT;
  };
  const want = (c: string): boolean => ctx === 'all' || ctx === c;
  if (want('jobs')) put('jobs', listJobSummaries(db).map((s) => s.job.id).filter((id) => id.startsWith(prefix)));
  // Nomad leaves out the UUID contexts when the prefix is not hex.
  if (/^[0-9a-f-]*$/.test(prefix)) {
    const p = evenPrefix(prefix);
    if (want('allocs')) put('allocs', findAllocsByPrefix(db, p, LIMIT + 1).map((a) => a.id));
    if (want('nodes')) {
      const n = getNode(db);
      put('nodes', n && n.info.id.startsWith(p) ? [n.info.id] : []);
    }
    if (want('evals')) put('evals', listEvals(db).map((e) => e.id).filter((id) => id.startsWith(p)));
    if (want('deployment')) put('deployment', []);
  }
  for (const c of ['plugins', 'volumes', 'scaling_policy', 'namespaces']) {
    if (!want(c)) continue;
    put(c, c === 'namespaces' && 'default'.startsWith(prefix) && prefix !== '' ? ['default'] : []);
  }
  return { kind: 'json', body: { Matches: matches, Truncations: truncations, Index: getStateIndex(db), LastContact: 0, KnownLeader: true } };
}
