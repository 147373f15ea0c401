import type { Database } from '../state/index.js';
import type { Logger } from '../util/logger.js';
import type { Clock } from '../util/clock.js';
import type { JobParser } from '../agent/jobs-source.js';
import type { NodeInfo } from '../node/types.js';
import type { ApiMetrics } from './metrics.js';
import type { TaskUsageSource } from './stats.js';
import type { TaskResourceUsage } from '../status/stats.js';

/** A call of a route that runs on the agent's thread, as it crosses over. */
export interface AgentCall {
  readonly route: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly params: readonly string[];
  readonly body: unknown;
}

/** What the API may ask of the running agent: the agent owns the runners and the passes. */
export interface AgentControl {
  /** Runs a pass soon (after a job file was written or moved). */
  requestPass(): void;
  /** Resolves after the next pass that starts from now has finished. */
  nextPass(): Promise<void>;
  /** Restarts the alloc's tasks (or one), recording Nomad's events; resolves when done. */
  restartAlloc(allocId: string, task: string | null): Promise<void>;
  /** Sends a signal to the alloc's running tasks (or one); throws ApiError 500 `Task not running`. */
  signalAlloc(allocId: string, task: string | null, signal: string): Promise<void>;
  /** Stops the alloc (desired stop); the next pass places a replacement. */
  stopAlloc(allocId: string): void;
  /** The node as last fingerprinted. */
  node(): NodeInfo | null;
}

/**
 * What a read handler may use: everything is in SQLite or posted by the agent, so reads are
 * served in the API's own thread (api-worker.ts) and never wait on the agent's loop.
 */
export interface ReadDeps {
  /** A read-only connection of the API's own: reads never queue behind the agent's writes. */
  readonly readDb: Database;
  readonly jobsDir: string;
  readonly dataDir: string;
  readonly region: string;
  readonly datacenter: string;
  readonly log: Logger;
  readonly clock: Clock;
  /** The management token (ACLs enabled), or null: every write is then refused. */
  readonly token: string | null;
  /** host:port the TCP listener is bound to ('' when there is none), advertised as Node.HTTPAddr. */
  httpAddr: string;
  readonly startedAt: number;
  /** The agent's stats sampler: a task's latest usage, as the agent last posted it. */
  readonly taskUsage: TaskUsageSource | null;
}

/** What the handlers that run on the agent's thread (writes, plan, metrics) use besides. */
export interface ApiDeps extends ReadDeps {
  /** The agent's connection, for the API's few writes (evaluations, purge). */
  readonly db: Database;
  readonly agent: AgentControl;
  readonly parser: JobParser;
  readonly metrics: ApiMetrics;
}

export interface Request {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: readonly string[];
  /** The body parsed as JSON (PUT/POST), undefined when empty. */
  readonly body: unknown;
  /** Aborted when the client goes away: streams and blocking queries stop. */
  readonly signal: AbortSignal;
}

/** A handler's answer: a JSON value with Nomad's index headers, or a stream it writes itself. */
export type Reply =
  | { readonly kind: 'json'; readonly body: unknown; readonly index?: number; readonly meta?: boolean }
  | { readonly kind: 'text'; readonly body: string; readonly contentType: string }
  | { readonly kind: 'stream'; readonly run: (res: import('node:http').ServerResponse) => Promise<void> };

/** What a handler on the agent's thread answers: it crosses to the API thread as a message, so no stream. */
export type AgentReply = Exclude<Reply, { kind: 'stream' }>;

export type ReadHandler = (req: Request, deps: ReadDeps) => Reply | Promise<Reply>;
export type AgentHandler = (req: Request, deps: ApiDeps) => AgentReply | Promise<AgentReply>;

/** Messages from the API thread to the agent's. */
export type ToAgent =
  | { readonly type: 'listening'; readonly httpAddr: string }
  | { readonly type: 'failed'; readonly message: string }
  | ({ readonly type: 'call'; readonly id: number } & AgentCall)
  | { readonly type: 'abort'; readonly id: number }
  | { readonly type: 'observe'; readonly rows: readonly (readonly [string, string, number, number])[] }
  | { readonly type: 'log'; readonly level: 'warn' | 'error'; readonly obj: object | string; readonly msg?: string };

/** Messages from the agent's thread to the API thread. */
export type ToApi =
  | { readonly type: 'reply'; readonly id: number; readonly reply: AgentReply }
  | { readonly type: 'reply'; readonly id: number; readonly status: number; readonly message: string }
  | { readonly type: 'usage'; readonly entries: readonly (readonly [string, TaskResourceUsage])[] }
  | { readonly type: 'close' };
