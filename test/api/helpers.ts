/**
 * The HTTP API under test: a real agent (`bivouac agent --http 127.0.0.1:0`) on a sandbox,
 * called over real HTTP, and the recording of a real Nomad 1.0.18 it is held against.
 */
import { request } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startAgent, waitFor, type RunningAgent, type Sandbox } from '../helpers/agent.js';
import { repoRoot } from '../helpers/paths.js';

/** The recorded Nomad API (reference data beside the repository, never copied in), or null when absent. */
export const recordingDir: string | null = (() => {
  for (let dir = repoRoot; ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'reference', 'nomad-api');
    if (existsSync(join(candidate, 'README.md'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
})();

export interface Recorded {
  readonly request: { readonly method: string; readonly path: string; readonly body: unknown };
  readonly response: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: unknown };
  readonly response_frames_decoded?: readonly Record<string, unknown>[];
}

export function recorded(file: string): Recorded {
  if (recordingDir === null) throw new Error('no recording');
  return JSON.parse(readFileSync(join(recordingDir, file), 'utf8')) as Recorded;
}

export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  json<T = unknown>(): T;
}

export interface CallOptions {
  readonly body?: unknown;
  /** Raw bytes for the body (fuzzing): sent as they are. */
  readonly raw?: Buffer | string;
  readonly token?: string;
  readonly socketPath?: string;
  readonly timeoutMs?: number;
  /** Send the body without a Content-Length (chunked), in 64 KiB writes. */
  readonly chunked?: boolean;
}

export function call(addr: string, method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
  const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
  const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...(opts.socketPath ? { socketPath: opts.socketPath } : { host, port }),
        method,
        path,
        headers: { Connection: 'close', ...(opts.token ? { 'X-Nomad-Token': opts.token } : {}), ...(payload !== undefined && opts.chunked !== true ? { 'Content-Length': Buffer.byteLength(payload) } : {}) },
        timeout: opts.timeoutMs ?? 60_000,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    if (payload !== undefined && opts.chunked === true) {
      const bytes = Buffer.from(payload);
      for (let at = 0; at < bytes.length; at += 64 * 1024) req.write(bytes.subarray(at, at + 64 * 1024));
    } else if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export interface ApiAgent {
  readonly agent: RunningAgent;
  readonly addr: string;
  readonly token: string;
  readonly socket: string;
}

/** Starts the agent with the API on a free loopback port and ACLs on; resolves once it serves. */
export async function startApiAgent(sb: Sandbox, extraArgs: readonly string[] = []): Promise<ApiAgent> {
  const token = `test-token-${process.pid}-${Date.now()}`;
  const tokenFile = join(sb.root, 'token');
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  const agent = startAgent(sb, ['--http', '127.0.0.1:0', ...extraArgs], { BIVOUAC_ACL_TOKEN_FILE: tokenFile });
  const addr = await waitFor('the HTTP API to serve', () => /"http":"(127\.0\.0\.1:\d+)"[^\n]*"msg":"HTTP API serving"/.exec(agent.output())?.[1], 60_000);
  return { agent, addr, token, socket: join(sb.dataDir, 'api.sock') };
}

/** Polls an API read until `pick` returns something. */
export async function waitApi<T>(what: string, addr: string, path: string, pick: (body: unknown) => T | undefined | null | false, timeoutMs = 30_000): Promise<T> {
  let last: unknown = null;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(addr, 'GET', path);
    if (r.status === 200) {
      last = r.json();
      const v = pick(last);
      if (v !== undefined && v !== null && v !== false) return v;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last ${path}: ${JSON.stringify(last)?.slice(0, 500)}`);
    await new Promise((r2) => setTimeout(r2, 100));
  }
}
