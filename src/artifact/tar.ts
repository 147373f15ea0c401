/**
 * A streaming tar reader (POSIX ustar, with GNU long names and pax `path`/`linkpath`/`size`),
 * writing each entry through SafeDir so nothing lands outside the destination. Regular
 * files, directories, symlinks and hard links are unpacked; devices and FIFOs are refused.
 * Modes keep their permission bits; setuid, setgid and sticky are dropped.
 */
import { ByteReader } from './byte-reader.js';
import { artifactError } from './errors.js';
import { SafeDir } from './safe-dir.js';

const BLOCK = 512;

interface Header {
  readonly name: string;
  readonly mode: number;
  readonly size: number;
  readonly type: string;
  readonly linkName: string;
}

export async function extractTar(source: AsyncIterable<Buffer>, out: SafeDir): Promise<number> {
  const r = new ByteReader(source);
  let entries = 0;
  let longName: string | null = null;
  let longLink: string | null = null;
  let pax: Record<string, string> = {};
  for (;;) {
    const block = await r.read(BLOCK);
    if (block.length === 0) break; // no end-of-archive blocks: accepted, as GNU tar does
    if (block.length < BLOCK) throw artifactError('tar archive is truncated');
    if (block.every((b) => b === 0)) break;
    const h = parseHeader(block);
    const padded = Math.ceil(h.size / BLOCK) * BLOCK;
    if (h.type === 'L' || h.type === 'K' || h.type === 'x' || h.type === 'g') {
      if (h.size > 1 << 20) throw artifactError('tar metadata entry larger than 1 MiB; refused');
      const body = (await r.read(padded)).subarray(0, h.size);
      if (h.type === 'L') longName = cString(body);
      else if (h.type === 'K') longLink = cString(body);
      else if (h.type === 'x') pax = parsePax(body);
      continue;
    }
    const name = pax['path'] ?? longName ?? h.name;
    const linkName = pax['linkpath'] ?? longLink ?? h.linkName;
    const size = pax['size'] !== undefined ? Number(pax['size']) : h.size;
    const dataPadded = pax['size'] !== undefined ? Math.ceil(size / BLOCK) * BLOCK : padded;
    longName = longLink = null;
    pax = {};
    const rel = SafeDir.entry(name);
    entries++;
    switch (h.type) {
      case '0':
      case '\0':
      case '7':
        await out.file(rel, h.mode & 0o777, r.take(size));
        await r.skip(dataPadded - size);
        break;
      case '5':
        if (rel !== '') await out.dir(rel);
        await r.skip(dataPadded);
        break;
      case '2':
        await out.symlink(rel, linkName);
        await r.skip(dataPadded);
        break;
      case '1':
        await out.hardlink(rel, SafeDir.entry(linkName));
        await r.skip(dataPadded);
        break;
      default:
        throw artifactError(`tar entry "${name}" has type ${JSON.stringify(h.type)} (device, FIFO or unknown); refused`);
    }
  }
  return entries;
}

function parseHeader(b: Buffer): Header {
  const sum = octal(b.subarray(148, 156));
  let want = 0;
  for (let i = 0; i < BLOCK; i++) want += i >= 148 && i < 156 ? 32 : b[i];
  if (sum !== want) throw artifactError('not a tar archive (header checksum mismatch)');
  const ustar = b.subarray(257, 262).toString('latin1') === 'ustar';
  const prefix = ustar ? cString(b.subarray(345, 500)) : '';
  const base = cString(b.subarray(0, 100));
  return {
    name: prefix !== '' ? `${prefix}/${base}` : base,
    mode: octal(b.subarray(100, 108)),
    size: size(b.subarray(124, 136)),
    type: String.fromCharCode(b[156]),
    linkName: cString(b.subarray(157, 257)),
  };
}

function cString(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString('utf8');
}

function octal(b: Buffer): number {
  const s = cString(b).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

/** Octal, or GNU base-256 when the high bit is set (files of 8 GiB and more). */
function size(b: Buffer): number {
  if ((b[0] & 0x80) === 0) return octal(b);
  let n = b[0] & 0x7f;
  for (let i = 1; i < b.length; i++) n = n * 256 + b[i];
  return n;
}

/** `<len> key=value\n` records. */
function parsePax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    const sp = body.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(body.subarray(i, sp).toString('latin1'));
    if (!Number.isInteger(len) || len <= 0) break;
    const rec = body.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}
