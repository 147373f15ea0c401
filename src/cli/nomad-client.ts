/**
 * A minimal client for a Nomad cluster's HTTP API, configured as Nomad's CLI is: address,
 * token, CA certificate, client certificate and key, skip-verify. Replies other than 200 are
 * errors with Nomad's api package wording, `Unexpected response code: <code> (<body>)`, the
 * body verbatim. Node's own http/https: one request at a time, no framework.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { BivouacError } from '../util/errors.js';

export interface NomadClientConfig {
  /** `http://127.0.0.1:4646` by default, as Nomad's. */
  readonly address: string;
  readonly token: string | null;
  readonly caCert: string | null;
  readonly clientCert: string | null;
  readonly clientKey: string | null;
  readonly skipVerify: boolean;
  readonly region: string | null;
  readonly namespace: string | null;
}

/** The CLI's settings from flags over Nomad's environment variables. */
export function clientConfig(flags: { address?: string; token?: string }, env: Readonly<Record<string, string | undefined>>): NomadClientConfig {
  const nonEmpty = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);
  return {
    address: (flags.address ?? nonEmpty(env.NOMAD_ADDR) ?? 'http://127.0.0.1:4646').replace(/\/+$/, ''),
    token: nonEmpty(flags.token) ?? nonEmpty(env.NOMAD_TOKEN),
    caCert: nonEmpty(env.NOMAD_CACERT),
    clientCert: nonEmpty(env.NOMAD_CLIENT_CERT),
    clientKey: nonEmpty(env.NOMAD_CLIENT_KEY),
    skipVerify: ['1', 'true'].includes((env.NOMAD_SKIP_VERIFY ?? '').toLowerCase()),
    region: nonEmpty(env.NOMAD_REGION),
    namespace: nonEmpty(env.NOMAD_NAMESPACE),
  };
}

/** The call failed: the cluster answered something other than 200, or could not be reached. */
export class NomadApiError extends BivouacError {
  readonly status: number | null;
  constructor(status: number | null, message: string, cause?: unknown) {
    super('REMOTE_API', message, { cause });
    this.status = status;
  }
}

export async function nomadRequest<T>(cfg: NomadClientConfig, method: 'GET' | 'PUT', path: string, body?: unknown): Promise<T> {
  let url: URL;
  try {
    url = new URL(path, cfg.address + '/');
  } catch (err) {
    throw new NomadApiError(null, `invalid address ${JSON.stringify(cfg.address)}: give a URL such as http://127.0.0.1:4646`, err);
  }
  if (cfg.region) url.searchParams.set('region', cfg.region);
  if (cfg.namespace) url.searchParams.set('namespace', cfg.namespace);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = {};
  if (cfg.token) headers['X-Nomad-Token'] = cfg.token;
  if (payload) headers['Content-Length'] = String(payload.length);
  const tls = url.protocol === 'https:';
  const opts: RequestOptions = {
    method,
    headers,
    ...(tls
      ? {
          ca: cfg.caCert ? readFileSync(cfg.caCert) : undefined,
          cert: cfg.clientCert ? readFileSync(cfg.clientCert) : undefined,
          key: cfg.clientKey ? readFileSync(cfg.clientKey) : undefined,
          rejectUnauthorized: !cfg.skipVerify,
        }
      : {}),
  };
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = (tls ? httpsRequest : httpRequest)(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err) => reject(new NomadApiError(null, `${method} ${url.href}: ${err.message}`, err)));
    req.end(payload);
  });
  if (status !== 200) throw new NomadApiError(status, `Unexpected response code: ${status} (${text.trim()})`);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new NomadApiError(status, `${method} ${url.pathname}: the reply is not JSON: ${text.slice(0, 200)}`, err);
  }
}
