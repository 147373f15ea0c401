/**
 * rkt pods under the task's memory limit, with real cgroups and the stand-in: the fly stage1
 * applies no isolators, so the pod's cgroup carries `memory` (or `memory_max`) and an app
 * that allocates past it is OOM killed and reported so; one under it runs to the end.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { decodeTaskCgroup, type TaskCgroup } from '../../src/cgroups/index.js';
import { createRktDriver } from '../../src/drivers/rkt/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { silentLogger } from '../../src/util/logger.js';
import { cleanupManager, testManager } from '../cgroups/helpers.js';
import { shellPodConfig } from './rkt-task.js';
import { makeRktSandbox, type RktSandbox } from '../helpers/rkt.js';

const MiB = 1024 * 1024;
const cgroups = testManager('rkt-limits');
const boxes = new Map<string, RktSandbox>();
const started: Array<[Driver, string]> = [];
after(async () => {
  for (const [d, id] of started) await d.destroyTask(id, true).catch(() => undefined);
  await cleanupManager(cgroups);
  for (const b of boxes.values()) b.cleanup();
});

function driverFor(stage1: 'fly' | 'coreos'): { sb: RktSandbox; d: Driver } {
  let sb = boxes.get(stage1);
  if (!sb) {
    sb = makeRktSandbox({ stage1 });
    boxes.set(stage1, sb);
  }
  return { sb, d: createRktDriver({ log: silentLogger, rktPath: sb.rktPath, rktDir: sb.dataDir, isRoot: () => true, execTimeoutMs: 20_000, pollIntervalMs: 50, cgroups }) };
}


/** The hard memory limit the pod's cgroup carries (v1 memory controller, else v2 memory.max). */
function memoryLimit(cg: TaskCgroup): number {
  if (cg.dirs.memory !== undefined) return Number(readFileSync(join(cg.dirs.memory, 'memory.limit_in_bytes'), 'utf8'));
  return Number(readFileSync(join(cg.dirs.unified ?? '', 'memory.max'), 'utf8'));
}

/** `tail` holds the whole of its input when it has no newline: `n` MiB of real memory. */
const allocate = (n: number): string => `head -c ${n}m /dev/zero | tail >/dev/null; echo "tail exited $?"`;

describe('rkt: the pod cgroup carries the task memory limit', () => {
  for (const stage1 of ['fly', 'coreos'] as const) {
    test(`${stage1}: memory = 64 and 200 MB allocated: OOM killed, reported as such`, async () => {
      const { sb, d } = driverFor(stage1);
      const cfg = shellPodConfig(sb, `head -c 200m /dev/zero | tail >/dev/null`, 64);
      const h = await d.startTask(cfg);
      started.push([d, h.taskId]);
      const cg = decodeTaskCgroup(h.state.cgroup);
      assert.ok(cg, 'the pod has a cgroup');
      assert.equal(memoryLimit(cg), 64 * MiB);
      // The shell's pipeline status is tail's: killed by SIGKILL, 137, through rkt and the shim.
      assert.deepEqual(await d.waitTask(h.taskId), { exitCode: 137, signal: 9, oomKilled: true, err: null });
      await d.destroyTask(h.taskId, false);
    });
  }

  test('fly: a pod OOM killed while no agent watched it is reported as such by the next agent', async () => {
    const { sb, d: first } = driverFor('fly');
    const cfg = shellPodConfig(sb, `head -c 200m /dev/zero | tail >/dev/null`, 64);
    const h = await first.startTask(cfg);
    await first.waitTask(h.taskId); // only to know it is over before the "next agent" looks
    const { d: next } = driverFor('fly');
    started.push([next, h.taskId]);
    await next.recoverTask(JSON.parse(JSON.stringify(h)));
    assert.deepEqual(await next.waitTask(h.taskId), { exitCode: 137, signal: 9, oomKilled: true, err: null });
    await next.destroyTask(h.taskId, false);
  });

  test('fly: memory = 64 and 24 MB allocated: runs to the end, not OOM killed', async () => {
    const { sb, d } = driverFor('fly');
    const cfg = shellPodConfig(sb, allocate(24), 64);
    const h = await d.startTask(cfg);
    started.push([d, h.taskId]);
    assert.deepEqual(await d.waitTask(h.taskId), { exitCode: 0, signal: 0, oomKilled: false, err: null });
    assert.equal(readFileSync(cfg.stdoutPath, 'utf8'), 'tail exited 0\n');
    await d.destroyTask(h.taskId, false);
  });

  test('fly: memory_max raises the hard limit: 100 MB allocated with memory = 64, memory_max = 256 runs', async () => {
    const { sb, d } = driverFor('fly');
    const cfg = shellPodConfig(sb, allocate(100), 64, 256);
    const h = await d.startTask(cfg);
    started.push([d, h.taskId]);
    const cg = decodeTaskCgroup(h.state.cgroup);
    assert.ok(cg);
    assert.equal(memoryLimit(cg), 256 * MiB);
    assert.deepEqual(await d.waitTask(h.taskId), { exitCode: 0, signal: 0, oomKilled: false, err: null });
    assert.equal(readFileSync(cfg.stdoutPath, 'utf8'), 'tail exited 0\n');
    await d.destroyTask(h.taskId, false);
  });
});
