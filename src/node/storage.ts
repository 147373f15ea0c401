import { realpath, statfs } from 'node:fs/promises';
import type { FingerprintContext } from './context.js';
import { readOptional } from './context.js';

/**
 * unique.storage.volume (the source device of the mount holding the data dir, from
 * /proc/self/mountinfo), unique.storage.bytestotal and unique.storage.bytesfree (statfs of
 * the data dir; "free" is what an unprivileged writer may use, f_bavail, as Nomad counts it).
 */
export async function fingerprintStorage(ctx: FingerprintContext): Promise<Record<string, string>> {
  const dir = await realpath(ctx.dataDir);
  const st = await statfs(dir);
  const attrs: Record<string, string> = {
    'unique.storage.bytestotal': String(st.blocks * st.bsize),
    'unique.storage.bytesfree': String(st.bavail * st.bsize),
  };
  const mountinfo = await readOptional(ctx.procRoot, 'self/mountinfo');
  const mount = mountinfo === null ? null : mountFor(parseMountinfo(mountinfo), dir);
  if (mount) attrs['unique.storage.volume'] = mount.source;
  else ctx.log.debug({ dir }, 'no mount found for data dir; unique.storage.volume not set');
  return attrs;
}

export interface Mount {
  readonly mountPoint: string;
  readonly fsType: string;
  readonly source: string;
}

/** proc(5) mountinfo: optional fields end at a lone `-`; paths escape spaces as \040. */
export function parseMountinfo(text: string): readonly Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(' ');
    const dash = f.indexOf('-', 6);
    if (f.length < 10 || dash < 0 || dash + 2 >= f.length) continue;
    out.push({ mountPoint: unescape(f[4]), fsType: f[dash + 1], source: unescape(f[dash + 2]) });
  }
  return out;
}

/** The mount that holds `path`: the longest mount point above it, the last one when stacked. */
export function mountFor(mounts: readonly Mount[], path: string): Mount | null {
  let best: Mount | null = null;
  for (const m of mounts) {
    const under = m.mountPoint === '/' || path === m.mountPoint || path.startsWith(m.mountPoint + '/');
    if (under && (best === null || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
