/**
 * A zip reader over a file on disk: the central directory is read from the end, then each
 * entry is streamed through zlib's raw inflate (or stored as is) into SafeDir. Unix modes
 * and symlinks come from the external attributes. Zip64 and encrypted entries are refused
 * by name rather than misread.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';
import { artifactError } from './errors.js';
import { SafeDir } from './safe-dir.js';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

interface Entry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly compressed: number;
  readonly size: number;
  readonly offset: number;
  readonly unixMode: number;
}

export async function extractZip(file: string, out: SafeDir): Promise<number> {
  const fh = await open(file, 'r');
  let entries: Entry[];
  try {
    entries = await centralDirectory(fh);
    for (const e of entries) {
      const rel = SafeDir.entry(e.name);
      if (e.flags & 1) throw artifactError(`zip entry "${e.name}" is encrypted; refused`);
      const type = e.unixMode & S_IFMT;
      if (e.name.endsWith('/') || type === S_IFDIR) {
        if (rel !== '') await out.dir(rel);
        continue;
      }
      const start = await dataStart(fh, e);
      if (type === S_IFLNK) {
        if (e.compressed > 4096) throw artifactError(`zip symlink "${e.name}" is too long`);
        const chunks: Buffer[] = [];
        for await (const c of content(file, e, start)) chunks.push(c);
        await out.symlink(rel, Buffer.concat(chunks).toString('utf8'));
        continue;
      }
      const mode = e.unixMode & 0o777 || 0o644;
      await out.file(rel, mode, content(file, e, start));
    }
  } finally {
    await fh.close();
  }
  return entries.length;
}

function content(file: string, e: Entry, start: number): AsyncIterable<Buffer> {
  if (e.compressed === 0) return (async function* () {})();
  const raw = createReadStream(file, { start, end: start + e.compressed - 1 });
  if (e.method === 0) return raw;
  if (e.method === 8) return raw.pipe(createInflateRaw());
  throw artifactError(`zip entry "${e.name}" uses compression method ${e.method} (only stored and deflate are supported)`);
}

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const b = Buffer.alloc(len);
  const { bytesRead } = await fh.read(b, 0, len, pos);
  return b.subarray(0, bytesRead);
}

async function centralDirectory(fh: FileHandle): Promise<Entry[]> {
  const { size } = await fh.stat();
  const tailLen = Math.min(size, 65_557);
  const tail = await readAt(fh, size - tailLen, tailLen);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw artifactError('not a zip archive (no end of central directory)');
  const count = tail.readUInt16LE(at + 10);
  const cdSize = tail.readUInt32LE(at + 12);
  const cdOffset = tail.readUInt32LE(at + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw artifactError('zip64 archives are not supported');
  if (cdOffset + cdSize > size) throw artifactError('zip central directory lies outside the file');
  const cd = await readAt(fh, cdOffset, cdSize);
  const out: Entry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw artifactError('zip central directory is corrupt');
    const madeBy = cd.readUInt16LE(p + 4) >> 8;
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const compressed = cd.readUInt32LE(p + 20);
    const sizeU = cd.readUInt32LE(p + 24);
    const offset = cd.readUInt32LE(p + 42);
    if (compressed === 0xffffffff || sizeU === 0xffffffff || offset === 0xffffffff) throw artifactError('zip64 archives are not supported');
    out.push({
      name: cd.subarray(p + 46, p + 46 + nameLen).toString('utf8'),
      method: cd.readUInt16LE(p + 10),
      flags: cd.readUInt16LE(p + 8),
      compressed,
      size: sizeU,
      offset,
      // Only a Unix "made by" (3) carries a mode in the high half of the external attributes.
      unixMode: madeBy === 3 ? cd.readUInt32LE(p + 38) >>> 16 : 0,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

async function dataStart(fh: FileHandle, e: Entry): Promise<number> {
  const h = await readAt(fh, e.offset, 30);
  if (h.length < 30 || h.readUInt32LE(0) !== LOCAL) throw artifactError(`zip entry "${e.name}" has no local header`);
  return e.offset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
}
