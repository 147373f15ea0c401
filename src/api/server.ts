/**
 * Nomad's HTTP API over Node's own `http` module (command/agent/http.go's wrap, STYLE §12):
 * handlers return values or throw ApiError; this file alone writes responses, maps errors to
 * codes, sets the index headers and runs blocking queries. It runs in the API thread
 * (api-worker.ts); routes marked `on: 'agent'` are passed to the agent's thread by `bridge`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmodSync, rmSync } from 'node:fs';
import { getStateIndex } from '../state/index.js';
import { BivouacError } from '../util/errors.js';
import { ApiError } from './errors.js';
import { checkToken, drainBody, parseGoDuration, readBody } from './request.js';
import { matchRoute } from './routes.js';
import type { AgentCall, AgentReply, ReadDeps, Reply, Request } from './types.js';
import type { Logger } from '../util/logger.js';

/** Nomad's default and longest blocking wait (MaxBlockingRPCQueryTime). */
const MAX_WAIT_MS = 300_000;
/** How often a blocked query looks at the change counter (one indexed row). */
const INDEX_POLL_MS = 50;
/** Query answers kept by URL while the change counter stands still: a poll of an unchanged state costs one row read. */
const CACHE_ENTRIES = 256;
const CACHE_MAX_BYTES = 4 * 1024 * 1024;
/** All answers together: URLs differing only in their query string must not grow the agent without bound. */
const CACHE_TOTAL_BYTES = 16 * 1024 * 1024;

/** Encoded answers of state queries, valid while the state index is the one they were made at. */
export class QueryCache {
  private readonly entries = new Map<string, { index: number; text: string }>();
  private chars = 0;
  get(url: string, index: number): string | null {
    const e = this.entries.get(url);
    if (!e || e.index !== index) return null;
    // Map order is insertion order: re-inserting keeps the most recent use last.
    this.entries.delete(url);
    this.entries.set(url, e);
    return e.text;
  }
  put(url: string, index: number, text: string): void {
    if (text.length > CACHE_MAX_BYTES) return;
    this.drop(url);
    this.entries.set(url, { index, text });
    this.chars += text.length;
    // Oldest use first out, until both bounds hold.
    while (this.entries.size > CACHE_ENTRIES || this.chars > CACHE_TOTAL_BYTES) this.drop(this.entries.keys().next().value as string);
  }
  private drop(url: string): void {
    const e = this.entries.get(url);
    if (e === undefined) return;
    this.chars -= e.text.length;
    this.entries.delete(url);
  }
}

export interface ApiServer {
  /** host:port bound, for Node.HTTPAddr and tests (port 0 picks a free port). */
  listenTcp(host: string, port: number): Promise<string>;
  listenUnix(path: string): Promise<void>;
  close(): Promise<void>;
}


/** The API thread's way to the agent's thread. */
export interface AgentBridge {
  call(call: AgentCall, signal: AbortSignal): Promise<AgentReply>;
  observe(method: string, route: string, status: number, seconds: number): void;
}

export function createApiServer(deps: ReadDeps, bridge: AgentBridge): ApiServer {
  const servers: Server[] = [];
  const cache = new QueryCache();
  const sockets = new Set<import('node:net').Socket>();
  const make = (): Server => {
    const s = createServer((req, res) => void handle(req, res, deps, bridge, cache));
    s.on('connection', (c) => {
      sockets.add(c);
      c.on('close', () => sockets.delete(c));
    });
    // Nomad's CLI sends Connection: close; long log streams keep theirs open until the client leaves.
    s.requestTimeout = 0;
    servers.push(s);
    return s;
  };
  return {
    listenTcp(host, port) {
      const s = make();
      return new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => {
          const a = s.address();
          const addr = typeof a === 'object' && a !== null ? `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}` : '';
          resolve(addr);
        });
      });
    },
    listenUnix(path) {
      rmSync(path, { force: true });
      const s = make();
      return new Promise((resolve, reject) => {
        s.once('error', reject);
        // No umask games: a process-wide umask would also hit files the runners create on the
        // thread pool meanwhile. Under the agent's umask (022) nobody else can write, hence
        // connect to, the socket before this chmod narrows it to the owner.
        s.listen(path, () => {
          chmodSync(path, 0o600);
          resolve();
        });
      });
    },
    async close() {
      for (const c of sockets) c.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}

async function handle(raw: IncomingMessage, res: ServerResponse, deps: ReadDeps, bridge: AgentBridge, cache: QueryCache): Promise<void> {
  const started = process.hrtime.bigint();
  const ac = new AbortController();
  res.on('close', () => ac.abort());
  const url = new URL(raw.url ?? '/', 'http://bivouac');
  const method = raw.method ?? 'GET';
  const match = matchRoute(method, url.pathname);
  let route = 'unmatched';
  try {
    if (match === null) throw new ApiError(404, 'Invalid URL');
    if ('allowed' in match) throw new ApiError(405, `Invalid method`);
    route = match.route.name;
    checkToken(raw, deps.token, match.route.write === true);
    const body = method === 'PUT' || method === 'POST' ? await readBody(raw) : undefined;
    const req: Request = { method, path: url.pathname, query: url.searchParams, params: match.params, body, signal: ac.signal };
    if (match.route.on === 'agent') {
      const reply = await bridge.call({ route: route, method, path: url.pathname, query: url.search, params: match.params, body }, ac.signal);
      await send(res, reply, match.route.meta ?? 'none', deps);
      return;
    }
    if (match.route.blocking) await blockUntil(req, deps);
    // Every state query's answer is a function of the rows, and every row change moves the index.
    const cacheable = method === 'GET' && match.route.meta === 'query';
    const index = cacheable ? getStateIndex(deps.readDb) : 0;
    const hit = cacheable ? cache.get(raw.url ?? '', index) : null;
    if (hit !== null) {
      sendJsonText(res, hit, 'query', index);
      return;
    }
    const reply = await match.route.handler(req, deps);
    if (cacheable && reply.kind === 'json') {
      const text = JSON.stringify(reply.body === undefined ? null : reply.body);
      cache.put(raw.url ?? '', index, text);
      sendJsonText(res, text, 'query', reply.index ?? index);
      return;
    }
    await send(res, reply, match.route.meta ?? 'none', deps);
  } catch (err) {
    await drainBody(raw).catch(() => undefined); // a client gone meanwhile needs no reply read
    sendError(res, err, deps.log);
  } finally {
    bridge.observe(method, route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
  }
}

/** Nomad's blocking query: return once the state index passes `index`, or after `wait` (plus jitter). */
async function blockUntil(req: Request, deps: ReadDeps): Promise<void> {
  const index = Number(req.query.get('index') ?? '0');
  if (!Number.isFinite(index) || index <= 0) return;
  const waitText = req.query.get('wait');
  let wait = MAX_WAIT_MS;
  if (waitText !== null && waitText !== '') {
    const w = parseGoDuration(waitText);
    if (w === null) throw new ApiError(400, `Invalid wait time: time: invalid duration "${waitText}"`);
    wait = Math.min(w, MAX_WAIT_MS);
  }
  const deadline = Date.now() + wait + Math.random() * (wait / 16);
  while (getStateIndex(deps.readDb) <= index && Date.now() < deadline && !req.signal.aborted) {
    await new Promise((r) => setTimeout(r, Math.min(INDEX_POLL_MS, Math.max(1, deadline - Date.now()))));
  }
}

async function send(res: ServerResponse, reply: Reply, meta: 'query' | 'write' | 'none', deps: ReadDeps): Promise<void> {
  if (reply.kind === 'stream') {
    await reply.run(res);
    return;
  }
  if (reply.kind === 'text') {
    res.writeHead(200, { 'Content-Type': reply.contentType });
    res.end(reply.body);
    return;
  }
  sendJsonText(res, JSON.stringify(reply.body === undefined ? null : reply.body), meta, meta === 'none' ? 0 : (reply.index ?? getStateIndex(deps.readDb)));
}

function sendJsonText(res: ServerResponse, text: string, meta: 'query' | 'write' | 'none', index: number): void {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (meta !== 'none') headers['X-Nomad-Index'] = String(index);
  if (meta === 'query') {
    headers['X-Nomad-KnownLeader'] = 'true';
    headers['X-Nomad-LastContact'] = '0';
  }
  headers['Content-Length'] = String(Buffer.byteLength(text));
  res.writeHead(200, headers);
  res.end(text);
}

/** Nomad's status code and plain-text body for a handler's failure (on either thread). */
export function errorReply(err: unknown, log: Logger): { status: number; message: string } {
  if (err instanceof ApiError) return { status: err.status, message: err.userMessage };
  if (err instanceof BivouacError) {
    const status = err.code === 'NOT_FOUND' ? 404 : err.code === 'USAGE' || err.code === 'JOBSPEC_INVALID' || err.code === 'JOBSPEC_PARSE' ? 400 : 500;
    return { status, message: err.userMessage };
  }
  log.error({ err }, 'API handler failed');
  return { status: 500, message: (err as Error).message ?? String(err) };
}

/** A failure the agent's thread already turned into Nomad's status and body. */
export class RemoteError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendError(res: ServerResponse, err: unknown, log: Logger): void {
  const { status, message } = err instanceof RemoteError ? { status: err.status, message: err.message } : errorReply(err, log);
  if (res.headersSent) {
    // A stream already under way keeps its 200; all that is left is to end it.
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(message)) });
  res.end(message);
}
