import { readFileSync, realpathSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';

/** Job files bigger than this are refused unread: a job file is a few KB. */
export const MAX_JOB_FILE_BYTES = 1024 * 1024;

const SUFFIXES = ['.nomad', '.hcl'];
const IGNORED = [/^\./, /^#/, /~$/, /\.swp$/, /\.swx$/, /\.bak$/, /\.tmp$/, /\.orig$/, /\.part$/];

/**
 * Which directory entries are job files: `*.nomad` and `*.hcl` (so `*.nomad.hcl`), never
 * dotfiles or editors' leftovers. Shared by `job validate DIR` and the agent's jobs source.
 */
export function isJobFileName(name: string): boolean {
  if (IGNORED.some((re) => re.test(name))) return false;
  return SUFFIXES.some((s) => name.endsWith(s) && name.length > s.length);
}

/**
 * Reads at most MAX_JOB_FILE_BYTES + 1 bytes, so a huge file costs a bounded buffer; the
 * caller refuses a result longer than the cap. A file that grew past the hint is read only
 * up to the buffer: the caller's next rescan sees its new size.
 */
export async function readCapped(path: string, sizeHint = MAX_JOB_FILE_BYTES): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    // Sized from the caller's stat (plus room to notice growth), not the cap: a pass over a
    // thousand small files must not allocate a thousand megabytes.
    const buf = Buffer.allocUnsafe(Math.min(Math.max(sizeHint, 0) + 4096, MAX_JOB_FILE_BYTES) + 1);
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}

/**
 * What HCL2's `file()` reads for a job file: a path relative to the job file's directory
 * (absolute paths too, as in Nomad), confined to that directory after symlinks are
 * resolved, at most MAX_JOB_FILE_BYTES. Throws with the reason otherwise.
 */
export function confinedReader(jobFile: string): (path: string) => string {
  return (path) => {
    const dir = realpathSync(dirname(resolve(jobFile)));
    const target = realpathSync(resolve(dir, path));
    if (target !== dir && !target.startsWith(dir + sep)) throw new Error(`${path} is outside the job file's directory ${dir}`);
    if (statSync(target).size > MAX_JOB_FILE_BYTES) throw new Error(`${path} is larger than ${MAX_JOB_FILE_BYTES} bytes`);
    return readFileSync(target, 'utf8');
  };
}
