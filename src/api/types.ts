import type { IncomingMessage } from 'node:http';
import type { Database } from '../state/index.js';
import type { Logger } from '../util/logger.js';
import type { Clock } from '../util/clock.js';
import type { JobParser } from '../agent/jobs-source.js';
import type { NodeInfo } from '../node/types.js';
import type { ApiMetrics } from './metrics.js';
import type { TaskUsageSource } from './stats.js';

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

export interface ApiDeps {
  /** A read-only connection of the API's own: reads never queue behind the agent's writes. */
  readonly readDb: Database;
  /** The agent's connection, for the API's few writes (evaluations, purge). */
  readonly db: Database;
  readonly jobsDir: string;
  readonly dataDir: string;
  readonly region: string;
  readonly datacenter: string;
  readonly log: Logger;
  readonly clock: Clock;
  readonly agent: AgentControl;
  /** The management token (ACLs enabled), or null: every write is then refused. */
  readonly token: string | null;
  readonly parser: JobParser;
  readonly metrics: ApiMetrics;
  /** host:port the TCP listener is bound to ('' when there is none), advertised as Node.HTTPAddr. */
  httpAddr: string;
  readonly startedAt: number;
  /** The agent's stats sampler: a task's latest usage, in memory. */
  readonly taskUsage: TaskUsageSource | null;
}

export interface Request {
  readonly raw: IncomingMessage;
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

export type Handler = (req: Request, deps: ApiDeps) => Reply | Promise<Reply>;
