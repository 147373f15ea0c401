import { open } from 'node:fs/promises';

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
 * caller refuses a result longer than the cap.
 */
export async function readCapped(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(MAX_JOB_FILE_BYTES + 1);
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
