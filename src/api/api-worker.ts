/**
 * The API thread: serves the HTTP API (Unix socket and TCP) from its own read-only SQLite
 * connection, so no read — a 10,000-allocation list, a blocking query, a log stream — ever
 * waits on the agent's loop or makes it wait. The agent posts what reads need from its memory
 * (task usage samples); routes that need the agent are passed to it by message (api-bridge.ts).
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openState } from '../state/index.js';
import { systemClock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { TaskResourceUsage } from '../status/stats.js';
import { createApiServer, RemoteError, type AgentBridge } from './server.js';
import type { AgentCall, AgentReply, ReadDeps, ToAgent, ToApi } from './types.js';

/** What the agent tells the API thread at its start. */
export interface ApiWorkerData {
  readonly dbPath: string;
  readonly jobsDir: string;
  readonly dataDir: string;
  readonly region: string;
  readonly datacenter: string;
  readonly token: string | null;
  readonly socketPath: string;
  /** host and port to listen on over TCP, or null. */
  readonly tcp: { readonly host: string; readonly port: number } | null;
  readonly startedAt: number;
}

/**
 * The thread's nice value: on a busy machine the agent's passes win the CPU over reads (a
 * pass is what starts and restarts tasks). Linux gives each thread its own nice value.
 */
const API_NICE = 10;

/** Lowers this thread's priority alone (its TID from /proc/thread-self); elsewhere it keeps the agent's. */
function yieldToAgent(): void {
  try {
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), API_NICE);
  } catch {
    // No /proc/thread-self (not Linux): reads run at the agent's priority.
  }
}

/** Request observations go to the agent's metrics in batches: one message a second, not one per request. */
const OBSERVE_FLUSH_MS = 1000;
const OBSERVE_MAX_ROWS = 2000;

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('api-worker runs as a worker thread');
  const data = workerData as ApiWorkerData;
  yieldToAgent();
  const post = (m: ToAgent): void => port.postMessage(m);
  const log = postingLogger(post);
  const usage = new Map<string, TaskResourceUsage>();
  const readDb = openState(data.dbPath, { readonly: true });
  const deps: ReadDeps = {
    readDb, jobsDir: data.jobsDir, dataDir: data.dataDir, region: data.region, datacenter: data.datacenter, log, clock: systemClock,
    token: data.token, httpAddr: '', startedAt: data.startedAt, taskUsage: (allocId, task) => usage.get(`${allocId}\u0000${task}`) ?? null,
  };
  const pending = new Map<number, { resolve: (r: AgentReply) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let rows: [string, string, number, number][] = [];
  // Armed by the first request after a flush: an idle thread wakes for nothing.
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (rows.length === 0) return;
    post({ type: 'observe', rows });
    rows = [];
  };
  const bridge: AgentBridge = {
    call(call: AgentCall, signal: AbortSignal): Promise<AgentReply> {
      // The metrics the agent is about to serve include every request so far.
      flush();
      const id = nextId++;
      const onAbort = (): void => post({ type: 'abort', id });
      signal.addEventListener('abort', onAbort, { once: true });
      return new Promise<AgentReply>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        post({ type: 'call', id, ...call });
      }).finally(() => signal.removeEventListener('abort', onAbort));
    },
    observe(method, route, status, seconds) {
      rows.push([method, route, status, seconds]);
      if (rows.length >= OBSERVE_MAX_ROWS) flush();
      else if (timer === null) {
        timer = setTimeout(flush, OBSERVE_FLUSH_MS);
        timer.unref();
      }
    },
  };
  const server = createApiServer(deps, bridge);
  port.on('message', (m: ToApi) => {
    if (m.type === 'usage') {
      usage.clear();
      for (const [k, v] of m.entries) usage.set(k, v);
    } else if (m.type === 'reply') {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if ('reply' in m) p.resolve(m.reply);
      else p.reject(new RemoteError(m.status, m.message));
    } else if (m.type === 'close') {
      void server.close().then(() => {
        flush();
        readDb.close();
        port.close();
      });
    }
  });
  try {
    await server.listenUnix(data.socketPath);
    if (data.tcp !== null) deps.httpAddr = await server.listenTcp(data.tcp.host, data.tcp.port);
  } catch (err) {
    post({ type: 'failed', message: (err as Error).message });
    await server.close();
    readDb.close();
    port.close();
    return;
  }
  post({ type: 'listening', httpAddr: deps.httpAddr });
}

/** The API thread has no pino of its own (it would cost the thread its memory): its few log lines go to the agent's. */
function postingLogger(post: (m: ToAgent) => void): Logger {
  const drop = (): void => {};
  const logger: Logger = {
    trace: drop,
    debug: drop,
    info: drop,
    warn: (obj, msg) => post({ type: 'log', level: 'warn', obj: plain(obj), msg }),
    error: (obj, msg) => post({ type: 'log', level: 'error', obj: plain(obj), msg }),
    fatal: (obj, msg) => post({ type: 'log', level: 'error', obj: plain(obj), msg }),
    child: () => logger,
  };
  return logger;
}

/** A log object that survives the structured clone (an error's class and stack included). */
function plain(obj: object | string): object | string {
  if (typeof obj === 'string') return obj;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = v instanceof Error ? { type: v.name, message: v.message, stack: v.stack } : v;
  return out;
}

void main();
