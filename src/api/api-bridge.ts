/**
 * The agent's side of the API thread: runs the routes that need the agent (writes that wait on
 * its pass, alloc restart/signal/stop, the parser, its metrics) when the API thread passes
 * them over, and forwards the thread's log lines and request timings.
 */
import type { Worker } from 'node:worker_threads';
import { errorReply } from './server.js';
import { routeByName } from './routes.js';
import type { ApiDeps, ToAgent, ToApi } from './types.js';

export function serveAgentCalls(worker: Worker, deps: ApiDeps): void {
  const aborts = new Map<number, AbortController>();
  const post = (m: ToApi): void => worker.postMessage(m);
  worker.on('message', (m: ToAgent) => {
    switch (m.type) {
      case 'call': {
        const ac = new AbortController();
        aborts.set(m.id, ac);
        void run(m, ac.signal, deps).then((r) => {
          aborts.delete(m.id);
          post(r);
        });
        break;
      }
      case 'abort':
        aborts.get(m.id)?.abort();
        break;
      case 'observe':
        for (const [method, route, status, seconds] of m.rows) deps.metrics.observeRequest(method, route, status, seconds);
        break;
      case 'log':
        if (m.level === 'warn') deps.log.warn(m.obj, m.msg);
        else deps.log.error(m.obj, m.msg);
        break;
      default:
        break;
    }
  });
}

async function run(m: Extract<ToAgent, { type: 'call' }>, signal: AbortSignal, deps: ApiDeps): Promise<ToApi> {
  const route = routeByName(m.route);
  try {
    if (route === undefined || route.on !== 'agent') throw new Error(`route ${m.route} does not run on the agent's thread`);
    const reply = await route.handler({ method: m.method, path: m.path, query: new URLSearchParams(m.query), params: m.params, body: m.body, signal }, deps);
    return { type: 'reply', id: m.id, reply };
  } catch (err) {
    return { type: 'reply', id: m.id, ...errorReply(err, deps.log) };
  }
}
