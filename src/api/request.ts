import type { IncomingMessage } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import { MAX_JOB_FILE_BYTES } from '../jobspec/files.js';
import { ApiError, PERMISSION_DENIED, badRequest } from './errors.js';

/** A job body is written out as a job file, so it may be no larger than one (the jobs source's cap). */
export const MAX_BODY_BYTES = MAX_JOB_FILE_BYTES;

/**
 * How much of a refused body is still read and dropped before the reply. A socket closed while
 * its peer is still writing answers with a reset, and a client still writing its body
 * (Nomad's CLI, curl, Node's http) then fails on the reset without reading the refusal.
 * Past this the connection is closed on the sender.
 */
const DRAIN_BYTES = 8 * MAX_BODY_BYTES;

/** Reads the body up to the cap, refusing (400, nothing read further) what goes past it. */
export async function readBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) throw badRequest(`request body of ${declared} bytes is over the limit of ${MAX_BODY_BYTES} bytes`);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw badRequest(`request body is over the limit of ${MAX_BODY_BYTES} bytes`);
    parts.push(chunk);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(parts).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`failed to decode request body: ${(err as Error).message}`);
  }
}

/**
 * Reads and drops what is left of a request's body before an error reply to a refusal before
 * the body was read (its declared size, its token, its route), up to DRAIN_BYTES; see there.
 * A body refused partway (readBody's cap) needs none: the server's parser goes on consuming
 * the socket for a request that has been destroyed.
 */
export async function drainBody(req: IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return;
  if (Number(req.headers['content-length'] ?? '0') > DRAIN_BYTES) return;
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > DRAIN_BYTES) return;
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * The ACL check: writes need the management token; reads may go without one from loopback
 * (or the Unix socket), and need it from anywhere else once ACLs are on. The comparison
 * is over fixed-length digests, so its time says nothing about the token.
 */
export function checkToken(req: IncomingMessage, token: string | null, write: boolean): void {
  const given = req.headers['x-nomad-token'];
  const ok = token !== null && typeof given === 'string' && timingSafeEqual(digest(given), digest(token));
  if (ok) return;
  if (write) throw new ApiError(403, PERMISSION_DENIED);
  if (token === null) return;
  const remote = req.socket.remoteAddress;
  const local = remote === undefined || remote === '127.0.0.1' || remote === '::1' || remote === '::ffff:127.0.0.1';
  if (!local) throw new ApiError(403, PERMISSION_DENIED);
}

/** Go's time.ParseDuration for the `wait` parameter (`2s`, `5000ms`, `1m30s`); null if it is not one. */
export function parseGoDuration(s: string): number | null {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  if (s === '0') return 0;
  let total = 0;
  let at = 0;
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    total += Number(m[1]) * unit[m[2]];
    at = re.lastIndex;
  }
  return at === s.length && at > 0 ? total : null;
}

/** strconv.ParseBool, as Nomad reads `follow`, `plain`, `purge`. */
export function parseBoolParam(q: URLSearchParams, name: string, def: boolean): boolean {
  const v = q.get(name);
  if (v === null || v === '') return def;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw badRequest(`Failed to parse value of "${name}" (${v}) as bool`);
}
