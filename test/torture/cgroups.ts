/**
 * The containment invariants, checked against the host's cgroups beside the DB:
 *   f. every live task process is in its own task's cgroup (`<agent base>/<alloc>.<task>`);
 *   g. no task cgroup exists without a live allocation (one not terminal, or with a task
 *      not yet dead).
 * Like a–c they are judged only where the rows stood still across the scan, and the harness
 * reports only a mismatch that lasts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupName, detectLayout, parseProcCgroup } from '../../src/cgroups/index.js';
import { isTerminalClientStatus } from '../../src/state/index.js';
import type { DbSnap, Violation } from './invariants.js';
import type { MarkedProcess } from './procs.js';

interface Tracking {
  /** The key in /proc/<pid>/cgroup ('' for the unified hierarchy). */
  readonly key: string;
  /** The agent's directory, as a path inside the hierarchy (what /proc/<pid>/cgroup shows). */
  readonly basePath: string;
  /** The same on disk. */
  readonly baseDir: string;
}

function tracking(dataDir: string): Tracking | null {
  let id: string;
  try {
    id = readFileSync(join(dataDir, 'node-id'), 'utf8').trim();
  } catch {
    return null; // the agent has not started yet
  }
  const found = detectLayout();
  if (found.layout === null) return null;
  const h = found.layout.hierarchies.find((x) => x.kind === 'unified') ?? found.layout.hierarchies.find((x) => x.kind === 'freezer');
  if (!h) return null;
  const own = parseProcCgroup(readFileSync('/proc/self/cgroup', 'utf8')).get(h.kind === 'unified' ? '' : h.kind) ?? '/';
  return { key: h.kind === 'unified' ? '' : h.kind, basePath: join(own, `bivouac-${id}`), baseDir: join(h.own, `bivouac-${id}`) };
}

export function checkCgroups(before: DbSnap, snap: DbSnap, procs: readonly MarkedProcess[], dataDir: string): Violation[] {
  const t = tracking(dataDir);
  if (t === null) return [];
  const out: Violation[] = [];
  const steady = (allocId: string): boolean => JSON.stringify(before.allocs.get(allocId)) === JSON.stringify(snap.allocs.get(allocId));
  for (const p of procs) {
    let path: string | undefined;
    try {
      path = parseProcCgroup(readFileSync(`/proc/${p.pid}/cgroup`, 'utf8')).get(t.key);
    } catch {
      continue; // exited since the scan
    }
    const want = join(t.basePath, cgroupName(p.allocId, p.task));
    if (path !== want && steady(p.allocId)) {
      out.push({ invariant: 'f', key: `f:${p.pid}:${path}`, detail: `pid ${p.pid} (${p.marker}) is in cgroup ${path ?? '?'}, not its task's ${want}` });
    }
  }
  let names: string[] = [];
  try {
    names = readdirSync(t.baseDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return out; // no base yet
  }
  for (const name of names) {
    const allocId = name.slice(0, name.indexOf('.'));
    if (!steady(allocId)) continue;
    const a = snap.allocs.get(allocId);
    const live = a !== undefined && (!isTerminalClientStatus(a.clientStatus) || a.tasks.some((x) => x.state !== 'dead'));
    if (!live) out.push({ invariant: 'g', key: `g:${name}`, detail: `cgroup ${name} exists but its allocation is ${a ? `${a.clientStatus} with every task dead` : 'unknown'}` });
  }
  return out;
}
