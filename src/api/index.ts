/**
 * The HTTP API's public surface: started by the agent process after recovery, served on the
 * Unix socket `<data dir>/api.sock` (0600) always and on TCP when configured, stopped before
 * the agent lets go of its tasks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from '../agent/agent.js';
import type { AgentConfig } from '../agent/config.js';
import type { JobParser } from '../agent/jobs-source.js';
import { Worker } from 'node:worker_threads';
import type { Database } from '../state/index.js';
import type { TaskResourceUsage } from '../status/stats.js';
import type { ApiWorkerData } from './api-worker.js';
import { serveAgentCalls } from './api-bridge.js';
import { BivouacError } from '../util/errors.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { ApiError } from './errors.js';
import type { ApiMetrics } from './metrics.js';
import type { AgentControl, ApiDeps, ToAgent, ToApi } from './types.js';

/** Young generation of the API thread's heap (V8's default is 16 MB a semi-space). */
const WORKER_YOUNG_MB = 4;
import type { TaskUsageSource } from './stats.js';

export { createMetrics, type ApiMetrics } from './metrics.js';

export const API_SOCKET = 'api.sock';

export interface RunningApi {
  /** host:port of the TCP listener, '' when there is none. */
  readonly httpAddr: string;
  /** The agent's latest usage of every task (key `alloc\0task`), for the API thread's stats reads. */
  publishUsage(entries: readonly (readonly [string, TaskResourceUsage])[]): void;
  close(): Promise<void>;
}

export interface StartApiInput {
  readonly agent: Agent;
  readonly config: AgentConfig;
  readonly db: Database;
  readonly dbPath: string;
  readonly log: Logger;
  readonly clock: Clock;
  readonly parser: JobParser;
  readonly metrics: ApiMetrics;
  readonly taskUsage?: TaskUsageSource;
}

/** The management token from the ACL token file; null when ACLs are off (every write is then refused). */
export function readToken(config: AgentConfig): string | null {
  if (!config.acl.enabled || config.acl.tokenFile === null) return null;
  let token: string;
  try {
    token = readFileSync(config.acl.tokenFile, 'utf8').trim();
  } catch (err) {
    throw new BivouacError('CONFIG', `acl token_file ${config.acl.tokenFile} cannot be read: ${(err as Error).message}`);
  }
  if (token.length < 8) throw new BivouacError('CONFIG', `acl token_file ${config.acl.tokenFile} holds no usable token (at least 8 characters)`);
  return token;
}

function control(agent: Agent): AgentControl {
  const runner = (allocId: string, task: string | null): NonNullable<ReturnType<Agent['runnerOf']>> => {
    const r = agent.runnerOf(allocId);
    if (r === null) throw new ApiError(500, 'Task not running');
    if (task !== null && !r.hasTask(task)) throw new ApiError(400, `unknown task name "${task}"`);
    return r;
  };
  return {
    requestPass: () => agent.requestPass(),
    nextPass: () => agent.nextPass(),
    async restartAlloc(allocId, task) {
      if (!(await runner(allocId, task).restart(task, 'User requested restart'))) throw new ApiError(500, 'Task not running');
    },
    async signalAlloc(allocId, task, sig) {
      if (!(await runner(allocId, task).signal(task, sig))) throw new ApiError(500, 'Task not running');
    },
    stopAlloc: (allocId) => agent.stopAlloc(allocId),
    node: () => agent.currentNode(),
  };
}

/** How long the API thread may take to let go of its listeners at shutdown before it is ended. */
const CLOSE_WAIT_MS = 5_000;

export async function startApi(input: StartApiInput): Promise<RunningApi> {
  const { config, log } = input;
  const token = readToken(config);
  const socketPath = join(config.dataDir, API_SOCKET);
  let tcp: ApiWorkerData['tcp'] = null;
  if (config.httpAddr !== null) {
    const i = config.httpAddr.lastIndexOf(':');
    tcp = { host: config.httpAddr.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(config.httpAddr.slice(i + 1)) };
  }
  const startedAt = input.clock.now();
  const data: ApiWorkerData = {
    dbPath: input.dbPath, jobsDir: config.jobsDir, dataDir: config.dataDir, region: config.region, datacenter: config.datacenter, token, socketPath, tcp, startedAt,
  };
  // Under tsx (a single test file while developing) the entry is TypeScript too.
  const here = new URL(import.meta.url);
  const ts = here.pathname.endsWith('.ts');
  const worker = new Worker(new URL(ts ? './api-worker.ts' : './api-worker.js', here), {
    workerData: data,
    execArgv: ts ? ['--import', 'tsx'] : [],
    // The thread's heap is small by design: answers are built and sent, nothing is kept.
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
    stdout: false,
    stderr: false,
  });
  const deps: ApiDeps = {
    readDb: input.db, db: input.db, jobsDir: config.jobsDir, dataDir: config.dataDir, region: config.region, datacenter: config.datacenter,
    log: log.child({ component: 'api' }), clock: input.clock, agent: control(input.agent), token, parser: input.parser, metrics: input.metrics,
    httpAddr: '', startedAt, taskUsage: input.taskUsage ?? null,
  };
  serveAgentCalls(worker, deps);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const ready = await new Promise<ToAgent>((resolve) => {
    worker.on('message', (m: ToAgent) => {
      if (m.type === 'listening' || m.type === 'failed') resolve(m);
    });
    worker.once('error', (err) => resolve({ type: 'failed', message: err.message }));
    void exited.then(() => resolve({ type: 'failed', message: 'the API thread exited while starting' }));
  });
  if (ready.type !== 'listening') {
    await worker.terminate();
    throw new BivouacError('CONFIG', `the HTTP API cannot listen on ${config.httpAddr ?? socketPath}: ${ready.type === 'failed' ? ready.message : ''}`);
  }
  deps.httpAddr = ready.httpAddr;
  worker.on('error', (err) => log.error({ err }, 'the HTTP API thread failed'));
  log.info({ http: ready.httpAddr || null, socket: socketPath, acl: token !== null }, 'HTTP API serving');
  return {
    httpAddr: ready.httpAddr,
    publishUsage(entries) {
      worker.postMessage({ type: 'usage', entries } satisfies ToApi);
    },
    async close() {
      worker.postMessage({ type: 'close' } satisfies ToApi);
      const timer = setTimeout(() => void worker.terminate(), CLOSE_WAIT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
