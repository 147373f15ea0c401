/**
 * One artifact, as Nomad's artifact hook gets it through go-getter: download to a private
 * temp file (in the allocation's root, which the task cannot write), verify the checksum,
 * then unpack the archive into the destination or move the file there. Mode `any` puts a
 * plain file at `<destination>/<name from the URL>`; mode `file` makes the destination the
 * file itself; mode `dir` needs an archive.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, realpath, rename, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { createGunzip } from 'node:zlib';
import { CHECKSUM_HEX_LENGTH } from '../jobspec/decode-artifact.js';
import type { ArtifactMode } from '../jobspec/types.js';
import { archiveKind } from './archive-kind.js';
import { download } from './download.js';
import { artifactError } from './errors.js';
import { SafeDir } from './safe-dir.js';
import { parseSource, sourceBaseName, type ArtifactSource } from './source.js';
import { extractTar } from './tar.js';
import type { ArtifactLimits } from './types.js';
import { extractZip } from './zip.js';

/** An artifact block with every `${…}` already filled in. */
export interface ResolvedArtifact {
  readonly source: string;
  readonly destination: string;
  readonly mode: ArtifactMode;
  readonly options: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
}

export interface FetchTarget {
  /** The task's dir: destinations are relative to it and confined to it. */
  readonly taskDir: string;
  /** A dir on the same filesystem the task cannot write, for the download in progress. */
  readonly scratchDir: string;
  readonly limits: ArtifactLimits;
  readonly signal: AbortSignal;
}

export interface Fetched {
  readonly bytes: number;
  readonly unpacked: boolean;
}

export async function fetchArtifact(a: ResolvedArtifact, t: FetchTarget): Promise<Fetched> {
  const parsed = parseSource(a.source, t.limits.allowedLocalDirs);
  const { src, options } = takeQueryOptions(parsed, a.options);
  const check = checksum(options['checksum']);
  const root = new SafeDir(await realpath(t.taskDir), t.limits.httpMaxBytes);
  const dest = SafeDir.entry(a.destination.replace(/^\/+/, ''));
  const base = options['filename'] ?? sourceBaseName(src);
  if (base.includes('/') || base === '..' || base === '.') throw artifactError(`filename "${base}" must be a plain file name`);
  const kind = archiveKind(src.kind === 'http' ? src.url.pathname : src.path, options['archive']);
  if (a.mode === 'dir' && kind === null) throw artifactError(`mode "dir" needs an archive (tar.gz, tgz, tar, zip); "${base}" is not one`);
  if (a.mode === 'file' && kind !== null && kind !== 'gz') throw artifactError(`a ${kind} archive cannot be unpacked into a single file; use mode "dir" or "any", or options { archive = "false" }`);

  const tmp = join(t.scratchDir, `.artifact-${randomBytes(8).toString('hex')}`);
  try {
    const got = await download(src, tmp, { headers: a.headers, maxBytes: t.limits.httpMaxBytes, timeoutMs: t.limits.httpReadTimeoutMs, hash: check?.type ?? null, signal: t.signal });
    if (check && got.digest !== check.value) throw artifactError(`checksums did not match: expected ${check.value}, got ${got.digest}`);
    if (kind === null) {
      const target = a.mode === 'file' ? dest : posix.join(dest, base);
      const parent = await root.dir(posix.dirname(target));
      await chmod(tmp, 0o644);
      await replaceWith(root, target);
      await rename(tmp, join(parent, posix.basename(target)));
      return { bytes: got.bytes, unpacked: false };
    }
    const stream = (): AsyncIterable<Buffer> => createReadStream(tmp);
    switch (kind) {
      case 'tar':
        await extractTar(stream(), await subdir(root, dest, t.limits.httpMaxBytes));
        break;
      case 'tar.gz':
        await extractTar(createReadStream(tmp).pipe(createGunzip()), await subdir(root, dest, t.limits.httpMaxBytes));
        break;
      case 'zip':
        await extractZip(tmp, await subdir(root, dest, t.limits.httpMaxBytes));
        break;
      case 'gz': {
        const target = a.mode === 'file' ? dest : posix.join(dest, base.replace(/\.gz$/i, ''));
        await root.file(target, 0o644, createReadStream(tmp).pipe(createGunzip()));
        break;
      }
    }
    return { bytes: got.bytes, unpacked: true };
  } finally {
    await rm(tmp, { force: true });
  }
}

/** go-getter's options in the URL's query (`?archive=false&checksum=…&filename=…`): taken out of the request, `options` winning. */
function takeQueryOptions(src: ArtifactSource, options: Readonly<Record<string, string>>): { src: ArtifactSource; options: Readonly<Record<string, string>> } {
  if (src.kind !== 'http') return { src, options };
  const url = new URL(src.url);
  const fromQuery: Record<string, string> = {};
  for (const key of ['archive', 'checksum', 'filename']) {
    const v = url.searchParams.get(key);
    if (v !== null) fromQuery[key] = v;
    url.searchParams.delete(key);
  }
  return { src: { kind: 'http', url }, options: { ...fromQuery, ...options } };
}

/** A SafeDir rooted at the destination: archive entries are confined to it, not only to the task dir. */
async function subdir(root: SafeDir, dest: string, maxBytes: number): Promise<SafeDir> {
  return new SafeDir(await root.dir(dest), maxBytes);
}

/** A file replaced by rename must not be a directory; a symlink there is removed, not followed. */
async function replaceWith(root: SafeDir, target: string): Promise<void> {
  await root.file(target, 0o644, (async function* () {})());
}

function checksum(opt: string | undefined): { type: string; value: string } | null {
  if (opt === undefined || opt === '') return null;
  const i = opt.indexOf(':');
  const type = opt.slice(0, i);
  const value = opt.slice(i + 1).toLowerCase();
  if (type === 'file') throw artifactError(`checksum "${opt}": reading the checksum from a file is not supported by bivouac; give type:digest`);
  if (i < 0 || CHECKSUM_HEX_LENGTH[type] === undefined || value.length !== CHECKSUM_HEX_LENGTH[type]) {
    throw artifactError(`invalid checksum "${opt}": use md5, sha1, sha256 or sha512 followed by ':' and the hex digest`);
  }
  return { type, value };
}
