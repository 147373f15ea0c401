/** The floor of a task start, for the benchmarks that measure one: see bareShimSpawns. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shimArgs } from '../src/drivers/exit-shim.js';

/**
 * The floor: the same gated exit-status shim spawned from this small process, each until its
 * 'spawn' event (fork and exec done), released, and killed. A task is "running" for the
 * agent at the same point, so the ratio drop p50 / bare p50 is what the agent adds.
 */
export async function bareShimSpawns(n: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bivouac-bench-bare-'));
  const times: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const child = spawn('/bin/sh', shimArgs(join(dir, `exit-${i}`), '/bin/sleep', ['600']), { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      times.push(performance.now() - t0);
      child.stdin?.end('go\n');
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return times.sort((a, b) => a - b);
}
