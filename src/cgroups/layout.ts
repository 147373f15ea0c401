/**
 * Where this host's cgroups are and where this agent sits in them, read from
 * /proc/self/mountinfo and /proc/self/cgroup (never guessed from /sys/fs/cgroup alone: a
 * container or a systemd `Delegate=yes` unit puts the agent deep in the tree, and that
 * subtree is the only part it may touch).
 *
 * Two layouts, as Nomad names them in `unique.cgroup.version`:
 * - `v2`: one unified hierarchy (cgroup2) with the memory and cpu controllers available.
 * - `v1`: per-controller hierarchies (memory, cpu, cpuacct, freezer, pids). Where the
 *   unified hierarchy is also mounted (hybrid), it is used too: for tracking membership
 *   and for `cgroup.kill`, which needs no controller.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type CgroupVersion = 'v1' | 'v2';
/** A v1 controller bivouac uses. */
export type V1Controller = 'memory' | 'cpu' | 'cpuacct' | 'freezer' | 'pids';
/** A hierarchy: the unified one, or a v1 controller's. */
export type HierarchyKind = 'unified' | V1Controller;

export const V1_CONTROLLERS: readonly V1Controller[] = ['memory', 'cpu', 'cpuacct', 'freezer', 'pids'];

export interface Hierarchy {
  readonly kind: HierarchyKind;
  /** Where the hierarchy is mounted. */
  readonly mount: string;
  /** The directory of this process's own cgroup in it (mount + path from /proc/self/cgroup). */
  readonly own: string;
}

export interface CgroupLayout {
  readonly version: CgroupVersion;
  /** Nomad's `unique.cgroup.mountpoint`: the v2 mount, or the dir holding the v1 controller mounts. */
  readonly mountpoint: string;
  readonly hierarchies: readonly Hierarchy[];
}

export type LayoutResult = { readonly layout: CgroupLayout } | { readonly layout: null; readonly reason: string };

interface Mount {
  readonly root: string;
  readonly point: string;
  readonly fstype: string;
  readonly superOpts: readonly string[];
}

/** Fields of one /proc/<pid>/mountinfo line that matter here. */
export function parseMountinfo(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const f = line.slice(0, sep).split(' ');
    const g = line.slice(sep + 3).split(' ');
    if (f.length < 5 || g.length < 3) continue;
    out.push({ root: unescape(f[3]), point: unescape(f[4]), fstype: g[0], superOpts: g[2].split(',') });
  }
  return out;
}

/** /proc/<pid>/cgroup: `id:controllers:path`; key '' is the unified hierarchy. */
export function parseProcCgroup(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (m[2] === '') out.set('', m[3]);
    for (const c of m[2].split(',')) if (c !== '') out.set(c, m[3]);
  }
  return out;
}

/** Detects the layout from the two texts (pure, so tests feed it any host's files). */
export function layoutFrom(mountinfo: string, procCgroup: string, controllersOf: (dir: string) => readonly string[]): LayoutResult {
  const mounts = parseMountinfo(mountinfo);
  const paths = parseProcCgroup(procCgroup);
  const hierarchies: Hierarchy[] = [];
  for (const ctrl of V1_CONTROLLERS) {
    const m = mounts.find((x) => x.fstype === 'cgroup' && x.superOpts.includes(ctrl));
    const p = paths.get(ctrl);
    if (m && p !== undefined) hierarchies.push({ kind: ctrl, mount: m.point, own: ownDir(m, p) });
  }
  const v2 = mounts.find((x) => x.fstype === 'cgroup2');
  const v2path = paths.get('');
  const unified = v2 && v2path !== undefined ? { kind: 'unified' as const, mount: v2.point, own: ownDir(v2, v2path) } : null;
  if (hierarchies.some((h) => h.kind === 'memory')) {
    if (unified) hierarchies.unshift(unified);
    const parent = hierarchies.find((h) => h.kind === 'memory')?.mount ?? '';
    return { layout: { version: 'v1', mountpoint: parent.slice(0, parent.lastIndexOf('/')) || '/', hierarchies } };
  }
  if (unified) {
    const ctrls = controllersOf(unified.mount);
    if (!ctrls.includes('memory') || !ctrls.includes('cpu')) {
      return { layout: null, reason: `the cgroup2 hierarchy at ${unified.mount} offers no memory and cpu controllers` };
    }
    return { layout: { version: 'v2', mountpoint: unified.mount, hierarchies: [unified] } };
  }
  return { layout: null, reason: 'no cgroup hierarchy is mounted' };
}

/** Reads this process's view of the host. */
export function detectLayout(procRoot = '/proc'): LayoutResult {
  let mountinfo: string;
  let procCgroup: string;
  try {
    mountinfo = readFileSync(join(procRoot, 'self', 'mountinfo'), 'utf8');
    procCgroup = readFileSync(join(procRoot, 'self', 'cgroup'), 'utf8');
  } catch (e) {
    return { layout: null, reason: `cannot read ${procRoot}/self: ${(e as Error).message}` };
  }
  return layoutFrom(mountinfo, procCgroup, readControllers);
}

export function readControllers(dir: string): string[] {
  try {
    return readFileSync(join(dir, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter((c) => c !== '');
  } catch {
    // No such file: not a v2 cgroup dir, so no controllers to offer.
    return [];
  }
}

/**
 * The own cgroup's directory. The path in /proc/self/cgroup is relative to the hierarchy's
 * root (or to the cgroup namespace's); the mount may show only a subtree (`root` field), as
 * in a container, so that prefix is cut.
 */
function ownDir(m: Mount, path: string): string {
  let rel = path;
  if (m.root !== '/' && (rel === m.root || rel.startsWith(`${m.root}/`))) rel = rel.slice(m.root.length);
  return rel === '' || rel === '/' ? m.point : join(m.point, rel);
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}
