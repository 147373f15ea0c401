/** Cgroup test helpers: a manager unique to the test, removed with everything in it afterwards. */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createCgroupManager, detectLayout, type CgroupLayout, type CgroupManager } from '../../src/cgroups/index.js';
import { silentLogger } from '../../src/util/logger.js';

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
