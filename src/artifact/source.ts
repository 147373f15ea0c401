/**
 * An artifact `source` in go-getter's forms, narrowed to what needs no cloud credentials:
 * `http://` and `https://` URLs, and (a bivouac extension, off unless the agent config lists
 * the directory) a local absolute path or `file://` URL. Everything else (git::, s3::, gcs::,
 * hg::, a bare `github.com/…`) is refused with the reason, never fetched some other way.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, sep } from 'node:path';
import { artifactError } from './errors.js';

export type ArtifactSource =
  | { readonly kind: 'http'; readonly url: URL }
  | { readonly kind: 'local'; readonly path: string };

const FORCED = /^([a-z0-9]+)::/;

export function parseSource(source: string, allowedLocalDirs: readonly string[]): ArtifactSource {
  const forced = FORCED.exec(source);
  if (forced) throw artifactError(`getter "${forced[1]}" is not supported by bivouac (http, https, and local paths in allowed_local_dirs are)`);
  if (source.startsWith('/') || source.startsWith('file://')) return { kind: 'local', path: localPath(source, allowedLocalDirs) };
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw artifactError(`source "${source}" is not a URL bivouac can fetch (use http:// or https://)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw artifactError(`scheme "${url.protocol.slice(0, -1)}" is not supported by bivouac (http, https, and local paths in allowed_local_dirs are)`);
  }
  return { kind: 'http', url };
}

/** The real path of a local source, only when it lies inside one of the allowed dirs. */
function localPath(source: string, allowed: readonly string[]): string {
  const raw = source.startsWith('file://') ? decodeURIComponent(new URL(source).pathname) : source;
  if (!isAbsolute(raw)) throw artifactError(`local source "${source}" must be an absolute path`);
  if (allowed.length === 0) {
    throw artifactError(`local source "${source}" refused: the agent config allows no local artifact dirs (artifact { allowed_local_dirs = [...] })`);
  }
  let real: string;
  try {
    real = realpathSync(raw);
  } catch (err) {
    throw artifactError(`local source "${source}" cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, err);
  }
  for (const dir of allowed) {
    let root: string;
    try {
      root = realpathSync(dir);
    } catch {
      continue;
    }
    if (real === root || real.startsWith(root.endsWith(sep) ? root : root + sep)) return real;
  }
  throw artifactError(`local source "${source}" is outside the agent's allowed_local_dirs (${allowed.join(', ')})`);
}

/** The name go-getter gives a downloaded file in mode `any`: the last path segment. */
export function sourceBaseName(src: ArtifactSource): string {
  const path = src.kind === 'http' ? decodeURIComponent(src.url.pathname) : src.path;
  const base = path.split('/').filter((s) => s !== '').pop() ?? '';
  return base === '' || base === '.' || base === '..' ? 'artifact' : base;
}
