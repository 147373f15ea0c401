/**
 * Brings the source's bytes to a file, streamed (never held in memory), through a hash
 * when a checksum is asked for, with the agent's size cap and timeout. HTTP uses Node's own
 * fetch (undici); redirects are followed, as go-getter does.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { artifactError } from './errors.js';
import type { ArtifactSource } from './source.js';

export interface DownloadOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly maxBytes: number;
  readonly timeoutMs: number;
  /** e.g. 'sha256'; null: no hash. */
  readonly hash: string | null;
  readonly signal: AbortSignal;
}

export interface Downloaded {
  readonly bytes: number;
  /** Hex digest, '' when no hash was asked for. */
  readonly digest: string;
}

export async function download(src: ArtifactSource, file: string, opts: DownloadOptions): Promise<Downloaded> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = AbortSignal.any([opts.signal, timeout]);
  const meter = new Meter(opts.maxBytes, opts.hash === null ? null : createHash(opts.hash));
  try {
    const input = src.kind === 'http' ? await httpBody(src.url, opts.headers, signal) : createReadStream(src.path, { signal });
    await pipeline(input, meter, createWriteStream(file, { mode: 0o600 }), { signal });
  } catch (err) {
    if (meter.overLimit) throw artifactError(`artifact is larger than the agent's http_max_size (${opts.maxBytes} bytes)`, err);
    if (timeout.aborted) throw artifactError(`download did not finish within the agent's http_read_timeout (${opts.timeoutMs} ms)`, err);
    if (err instanceof Error && 'code' in err && err.code === 'ARTIFACT') throw err;
    throw artifactError(`download failed: ${describe(err)}`, err);
  }
  return { bytes: meter.bytes, digest: meter.digest() };
}

async function httpBody(url: URL, headers: Readonly<Record<string, string>>, signal: AbortSignal): Promise<Readable> {
  const res = await fetch(url, { headers: { ...headers }, signal, redirect: 'follow' });
  if (!res.ok || res.body === null) {
    await res.body?.cancel().catch(() => undefined);
    throw artifactError(`bad response code: ${res.status}`);
  }
  return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
}

/** Counts, hashes and caps the bytes going through. */
class Meter extends Transform {
  bytes = 0;
  overLimit = false;
  constructor(private readonly max: number, private readonly h: Hash | null) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.max) {
      this.overLimit = true;
      cb(artifactError(`artifact is larger than the agent's http_max_size (${this.max} bytes)`));
      return;
    }
    this.h?.update(chunk);
    cb(null, chunk);
  }
  digest(): string {
    return this.h === null ? '' : this.h.digest('hex');
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}
