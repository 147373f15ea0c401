/** GET /v1/nodes, /v1/node/:id, /v1/node/:id/allocations: the one node bivouac is. */
import type { Database } from '../state/index.js';
import { getNode, getStateIndex, listAllAllocs, listNodeEvents } from '../state/index.js';
import { apiNodeFull, apiNodeStub, type ApiNodeFull } from '../status/node.js';
import { AllocReads, apiAlloc } from '../status/alloc.js';
import { notFound } from './errors.js';
import { evenPrefix } from './read-allocs.js';
import type { ReadDeps, Reply, Request } from './types.js';

const q = (body: unknown): Reply => ({ kind: 'json', body });

export function nodeObject(db: Database, httpAddr: string): ApiNodeFull | null {
  const rec = getNode(db);
  if (!rec) return null;
  const view = { node: rec.info, status: rec.status, updatedAt: rec.updatedAt, events: listNodeEvents(db, 50), allocs: [] };
  return apiNodeFull(view, httpAddr, getStateIndex(db));
}

export function listNodes(req: Request, deps: ReadDeps): Reply {
  const n = nodeObject(deps.readDb, deps.httpAddr);
  const prefix = evenPrefix(req.query.get('prefix') ?? '');
  return q(n && n.ID.startsWith(prefix) ? [apiNodeStub(n)] : []);
}

function requireNode(req: Request, deps: ReadDeps): ApiNodeFull {
  const n = nodeObject(deps.readDb, deps.httpAddr);
  if (!n || n.ID !== req.params[0]) throw notFound('node not found');
  return n;
}

export function getNodeHandler(req: Request, deps: ReadDeps): Reply {
  return q(requireNode(req, deps));
}

export function nodeAllocations(req: Request, deps: ReadDeps): Reply {
  requireNode(req, deps);
  const reads = new AllocReads(deps.readDb);
  return q(listAllAllocs(deps.readDb).map((a) => apiAlloc(deps.readDb, a, true, reads)));
}
