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
import { openState, type Database } from '../state/index.js';
import { BivouacError } from '../util/errors.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { ApiError } from './errors.js';
import { createApiServer } from './server.js';
import type { ApiMetrics } from './metrics.js';
import type { AgentControl, ApiDeps } from './types.js';
import type { TaskUsageSource } from './stats.js';

export { createMetrics, type ApiMetrics } from './metrics.js';

export const API_SOCKET = 'api.sock';

export interface RunningApi {
  /** host:port of the TCP listener, '' when there is none. */
  readonly httpAddr: string;
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

export async function startApi(input: StartApiInput): Promise<RunningApi> {
  const { config, log } = input;
  const token = readToken(config);
  // Its own read-only connection: the API's reads see committed state and never hold the agent's.
  const readDb = openState(input.dbPath, { readonly: true });
  const deps: ApiDeps = {
    readDb,
    db: input.db,
    jobsDir: config.jobsDir,
    dataDir: config.dataDir,
    region: config.region,
    datacenter: config.datacenter,
    log: log.child({ component: 'api' }),
    clock: input.clock,
    agent: control(input.agent),
    token,
    parser: input.parser,
    metrics: input.metrics,
    httpAddr: '',
    startedAt: input.clock.now(),
    taskUsage: input.taskUsage ?? null,
  };
  const server = createApiServer(deps);
  try {
    await server.listenUnix(join(config.dataDir, API_SOCKET));
    if (config.httpAddr !== null) {
      const i = config.httpAddr.lastIndexOf(':');
      deps.httpAddr = await server.listenTcp(config.httpAddr.slice(0, i).replace(/^\[|\]$/g, ''), Number(config.httpAddr.slice(i + 1)));
    }
  } catch (err) {
    await server.close();
    readDb.close();
    throw new BivouacError('CONFIG', `the HTTP API cannot listen on ${config.httpAddr ?? join(config.dataDir, API_SOCKET)}: ${(err as Error).message}`, { cause: err });
  }
  log.info({ http: deps.httpAddr || null, socket: join(config.dataDir, API_SOCKET), acl: token !== null }, 'HTTP API serving');
  return {
    httpAddr: deps.httpAddr,
    async close() {
      await server.close();
      readDb.close();
    },
  };
}
