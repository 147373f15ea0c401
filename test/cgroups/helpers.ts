/** Cgroup test helpers: a manager unique to the test, removed with everything in it afterwards. */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCgroupManager, detectLayout, type CgroupLayout, type CgroupManager } from '../../src/cgroups/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { assertNever } from '../../src/util/assert.js';

export function hostLayout(): CgroupLayout {
  const r = detectLayout();
  if (r.layout === null) throw new Error(`no cgroups on this host: ${r.reason}`);
  return r.layout;
}

export function testScope(name: string): string {
  return `test-${name}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function testManager(name: string, layout: CgroupLayout = hostLayout()): CgroupManager {
  return createCgroupManager({ layout, scope: testScope(name), log: silentLogger });
}

/** Kills and removes every task cgroup of the manager, then its own directories. */
export async function cleanupManager(m: CgroupManager): Promise<void> {
  for (const cg of m.list()) await m.destroy(cg);
  m.removeBases();
}

/** A shell that waits for a line on stdin before running `script` (so it can be joined first). */
export function gatedShell(script: string): ChildProcess {
  return spawn('/bin/sh', ['-c', `read go; exec /bin/sh -c '${script}'`], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
}

/**
 * Removes what an agent run on `dataDir` left in this host's cgroups (its `bivouac-<node id>`
 * directory in each hierarchy and every task cgroup in it), killing what is inside. An agent
 * that stops cleanly leaves its tasks, and so their cgroups, for the next agent; tests end
 * here. Synchronous, for cleanup paths that are.
 */
export function removeAgentCgroups(dataDir: string): void {
  let id: string;
  try {
    id = readFileSync(join(dataDir, 'node-id'), 'utf8').trim();
  } catch {
    return; // no agent ever ran on it
  }
  const found = detectLayout();
  if (found.layout === null) return;
  for (const h of found.layout.hierarchies) removeTreeSync(join(h.own, `bivouac-${id}`));
}

function removeTreeSync(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeTreeSync(join(dir, e.name));
  if (existsSync(join(dir, 'cgroup.kill'))) writeFileSync(join(dir, 'cgroup.kill'), '1');
  else for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) killQuietly(Number(pid));
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      rmdirSync(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EBUSY' || Date.now() > deadline) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // processes still dying
    }
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Every task cgroup of any agent or test below this process's own cgroups, for leak checks. */
export function listBivouacCgroups(prefix = 'bivouac-'): string[] {
  const found = detectLayout();
  if (found.layout === null) return [];
  const out: string[] = [];
  for (const h of found.layout.hierarchies) {
    for (const e of readdirSync(h.own, { withFileTypes: true })) if (e.isDirectory() && e.name.startsWith(prefix)) out.push(join(h.own, e.name));
  }
  return out;
}

/** A cgroup feature a test needs, as the kernel's own mount table shows it (not our detection). */
export type CgroupFeature = 'cgroups' | 'v1 freezer' | 'v1 memory' | 'v1 cpu' | 'unified hierarchy';

/** What /proc/self/mountinfo mounts, read without src/cgroups so a detection bug cannot hide itself. */
function mountedByKernel(): { v1: Set<string>; v2: boolean } {
  const v1 = new Set<string>();
  let v2 = false;
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const after = line.split(' - ')[1]?.split(' ') ?? [];
    if (after[0] === 'cgroup2') v2 = true;
    if (after[0] === 'cgroup') for (const o of (after[2] ?? '').split(',')) v1.add(o);
  }
  return { v1, v2 };
}

function mountedFeature(f: CgroupFeature): boolean {
  const m = mountedByKernel();
  switch (f) {
    case 'cgroups':
      return m.v2 || m.v1.has('memory');
    case 'v1 freezer':
      return m.v1.has('freezer');
    case 'v1 memory':
      return m.v1.has('memory');
    case 'v1 cpu':
      return m.v1.has('cpu');
    case 'unified hierarchy':
      return m.v2;
    default:
      return assertNever(f, 'cgroup feature');
  }
}

/**
 * A test of a cgroup feature runs only where the feature is, and the tests run where it is:
 * as root, on the build and CI machines (v1 hybrid, the unified hierarchy mounted too). A
 * host without it fails the test with the reason, never skips it: a skipped containment test
 * would pass over exactly what it is for. Where the kernel mounts the feature and we are
 * root, a `detected` of false is a detection bug, and says so.
 */
export function requireFeature(feature: CgroupFeature, detected: boolean): void {
  if (detected) return;
  if (!mountedFeature(feature)) throw new Error(`this test needs a host that mounts ${feature} (per /proc/self/mountinfo, this one does not)`);
  if (process.getuid?.() !== 0) throw new Error(`this test needs root to use ${feature}`);
  throw new Error(`the host mounts ${feature} (per /proc/self/mountinfo) and we are root, yet the layout detection did not find it`);
}

/**
 * For an assertion that only applies where a feature is: `detected`, after checking that the
 * detection agrees with the kernel's mount table when root runs the tests (it throws if the
 * kernel mounts the feature and it was not found), so such an assertion is never passed over
 * in silence on the build and CI machines.
 */
export function hostHas(feature: CgroupFeature, detected: boolean): boolean {
  if (!detected && mountedFeature(feature) && process.getuid?.() === 0) {
    throw new Error(`the host mounts ${feature} (per /proc/self/mountinfo) and we are root, yet the layout detection did not find it`);
  }
  return detected;
}
