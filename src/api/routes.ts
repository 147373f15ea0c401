/** The route table: every URL bivouac's API answers, its handler, and how the server treats it. */
import * as jobs from './read-jobs.js';
import * as allocs from './read-allocs.js';
import * as nodes from './read-nodes.js';
import * as agent from './read-agent.js';
import { streamLogs } from './logs.js';
import { fsCat, fsList, fsStat } from './fs.js';
import { deregisterJob, registerJob } from './write-jobs.js';
import { parseHandler, planHandler, validateHandler } from './write-plan.js';
import { restartAlloc, signalAlloc, stopAlloc } from './write-allocs.js';
import { dispatchHandler, periodicForceHandler } from './write-dispatch.js';
import { metricsHandler } from './metrics-route.js';
import type { AgentHandler, ReadHandler } from './types.js';
import { badRequest } from './errors.js';

interface RouteBase {
  readonly name: string;
  readonly method: string;
  readonly pattern: RegExp;
  /** Needs the management token. */
  readonly write?: boolean;
  /** Honours `?index=&wait=`. */
  readonly blocking?: boolean;
  /** Index headers: a query's three, a write's index, or none (Nomad's agent and client endpoints). */
  readonly meta?: 'query' | 'write' | 'none';
}

/**
 * Where a route's handler runs: reads in the API thread from SQLite; what needs the agent
 * (writes that wait on its pass, alloc restart/signal/stop, the parser, its metrics) on the
 * agent's thread, reached by message.
 */
export type Route = (RouteBase & { readonly on: 'api'; readonly handler: ReadHandler }) | (RouteBase & { readonly on: 'agent'; readonly handler: AgentHandler });
type Opts = Omit<RouteBase, 'name' | 'method' | 'pattern'>;

const ID = '([^/]+)';
const base = (method: string, path: string, opts: Opts): RouteBase => ({ name: `${method} ${path}`, method, pattern: new RegExp(`^${path.replace(/:id/g, ID)}$`), ...opts });
const r = (method: string, path: string, handler: ReadHandler, opts: Opts = {}): Route => ({ ...base(method, path, opts), on: 'api', handler });
const a = (method: string, path: string, handler: AgentHandler, opts: Opts = {}): Route => ({ ...base(method, path, opts), on: 'agent', handler });
const query = { blocking: true, meta: 'query' } as const;
const write = { write: true, meta: 'write' } as const;

export const ROUTES: readonly Route[] = [
  r('GET', '/v1/jobs', jobs.listJobs, query),
  a('PUT', '/v1/jobs', registerJob, write),
  a('POST', '/v1/jobs', registerJob, write),
  a('POST', '/v1/jobs/parse', parseHandler),
  a('PUT', '/v1/jobs/parse', parseHandler),
  r('GET', '/v1/job/:id', jobs.getJobHandler, query),
  a('PUT', '/v1/job/:id', registerJob, write),
  a('POST', '/v1/job/:id', registerJob, write),
  a('DELETE', '/v1/job/:id', deregisterJob, write),
  a('PUT', '/v1/job/:id/dispatch', dispatchHandler, write),
  a('POST', '/v1/job/:id/dispatch', dispatchHandler, write),
  a('PUT', '/v1/job/:id/periodic/force', periodicForceHandler, write),
  a('POST', '/v1/job/:id/periodic/force', periodicForceHandler, write),
  r('GET', '/v1/job/:id/allocations', jobs.jobAllocations, query),
  r('GET', '/v1/job/:id/evaluations', jobs.jobEvaluations, query),
  r('GET', '/v1/job/:id/deployment', jobs.jobDeployment, query),
  r('GET', '/v1/job/:id/summary', jobs.jobSummaryHandler, query),
  r('GET', '/v1/job/:id/versions', jobs.jobVersions, query),
  a('PUT', '/v1/job/:id/plan', planHandler, { meta: 'write' }),
  a('POST', '/v1/job/:id/plan', planHandler, { meta: 'write' }),
  a('PUT', '/v1/validate/job', validateHandler),
  a('POST', '/v1/validate/job', validateHandler),
  r('GET', '/v1/deployments', jobs.listDeployments, query),
  r('GET', '/v1/allocations', allocs.listAllocations, query),
  r('GET', '/v1/allocation/:id', allocs.getAllocation, query),
  a('PUT', '/v1/allocation/:id/stop', stopAlloc, write),
  a('POST', '/v1/allocation/:id/stop', stopAlloc, write),
  r('GET', '/v1/evaluations', allocs.listEvaluations, query),
  r('GET', '/v1/evaluation/:id', allocs.getEvaluation, query),
  r('GET', '/v1/evaluation/:id/allocations', allocs.evaluationAllocations, query),
  r('GET', '/v1/nodes', nodes.listNodes, query),
  r('GET', '/v1/node/:id', nodes.getNodeHandler, query),
  r('GET', '/v1/node/:id/allocations', nodes.nodeAllocations, query),
  r('GET', '/v1/client/fs/logs/:id', streamLogs),
  r('GET', '/v1/client/fs/ls/:id', fsList),
  r('GET', '/v1/client/fs/stat/:id', fsStat),
  r('GET', '/v1/client/fs/cat/:id', fsCat),
  r('GET', '/v1/client/allocation/:id/stats', allocs.allocationStats),
  r('GET', '/v1/client/stats', allocs.clientStats),
  a('PUT', '/v1/client/allocation/:id/restart', restartAlloc, { write: true }),
  a('POST', '/v1/client/allocation/:id/restart', restartAlloc, { write: true }),
  a('PUT', '/v1/client/allocation/:id/signal', signalAlloc, { write: true }),
  a('POST', '/v1/client/allocation/:id/signal', signalAlloc, { write: true }),
  r('GET', '/v1/agent/self', agent.agentSelf),
  r('GET', '/v1/agent/health', agent.agentHealth),
  r('GET', '/v1/agent/members', agent.agentMembers),
  r('GET', '/v1/status/leader', agent.statusLeader),
  r('GET', '/v1/status/peers', agent.statusPeers),
  r('GET', '/v1/regions', agent.regions),
  r('PUT', '/v1/search', agent.search, { meta: 'query' }),
  r('POST', '/v1/search', agent.search, { meta: 'query' }),
  a('GET', '/v1/metrics', metricsHandler),
];

/** The route and its path parameters; `{allowed}` when the path exists under other methods. */
const BY_NAME = new Map(ROUTES.map((route) => [route.name, route]));
export const routeByName = (name: string): Route | undefined => BY_NAME.get(name);

export function matchRoute(method: string, path: string): { route: Route; params: string[] } | { allowed: string[] } | null {
  const allowed: string[] = [];
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    return { route, params: m.slice(1).map(decodeParam) };
  }
  return allowed.length > 0 ? { allowed } : null;
}

function decodeParam(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    // A malformed escape is the client's error, not ours.
    throw badRequest(`invalid URL escape in "${p}"`);
  }
}
