/** The cgroup module against this host's real cgroups: create, join, sample, kill-all, destroy. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { applyLimits, cgroupPids, decodeTaskCgroup, distinctDirs, oomKillCount, sampleCgroup, type CgroupLayout, type CgroupManager } from '../../src/cgroups/index.js';
import { readProcStat } from '../../src/drivers/proc.js';
import { waitFor } from '../helpers/agent.js';
import { cleanupManager, gatedShell, hostHas, hostLayout, requireFeature, testManager } from './helpers.js';

const managers: CgroupManager[] = [];
after(async () => {
  for (const m of managers) await cleanupManager(m);
});
function manager(name: string, layout?: CgroupLayout): CgroupManager {
  const m = testManager(name, layout);
  managers.push(m);
  return m;
}

/** Runs a task that leaves a setsid grandchild, joined before it runs; returns both pids. */
async function runDaemonising(m: CgroupManager, task: string): Promise<{ cg: Awaited<ReturnType<CgroupManager['create']>>; pids: number[] }> {
  const cg = await m.create('a1b2c3d4', task);
  const child = gatedShell('setsid sleep 300 & sleep 300');
  assert.ok(child.pid);
  m.join(cg, child.pid);
  child.stdin?.end('go\n');
  const pids = await waitFor('three processes in the cgroup', () => {
    const p = cgroupPids(cg);
    return p.length >= 3 ? p : null;
  });
  child.unref();
  return { cg, pids };
}

function alive(pid: number): boolean {
  const st = readProcStat('/proc', pid);
  return st !== null && st.state !== 'Z';
}

describe('cgroup manager on this host', () => {
  test('a task cgroup is named after alloc and task, below the agent base in every hierarchy', async () => {
    const m = manager('names');
    const cg = await m.create('0f3e-alloc', 'web/server');
    assert.equal(cg.name, '0f3e-alloc.web_server');
    for (const d of distinctDirs(cg)) {
      assert.ok(existsSync(d), d);
      assert.ok(m.bases.some((b) => d === join(b, cg.name)), d);
    }
    assert.deepEqual(decodeTaskCgroup(JSON.parse(JSON.stringify(cg))), cg);
    await m.destroy(cg);
    for (const d of distinctDirs(cg)) assert.ok(!existsSync(d), d);
  });

  test('kill-all takes a setsid grandchild that left the process group', async () => {
    const m = manager('killall');
    const { cg, pids } = await runDaemonising(m, 'daemon');
    assert.ok(pids.every(alive));
    await m.destroy(cg);
    await waitFor('all gone', () => pids.every((p) => !alive(p)));
    for (const d of distinctDirs(cg)) assert.ok(!existsSync(d), d);
  });

  test('v1 without the unified hierarchy: freeze, kill, thaw', async () => {
    const layout = hostLayout();
    requireFeature('v1 freezer', layout.version === 'v1' && layout.hierarchies.some((h) => h.kind === 'freezer'));
    const m = manager('freezer', { ...layout, hierarchies: layout.hierarchies.filter((h) => h.kind !== 'unified') });
    const { cg, pids } = await runDaemonising(m, 'frozen');
    assert.equal(cg.dirs.unified, undefined);
    await m.destroy(cg);
    await waitFor('all gone', () => pids.every((p) => !alive(p)));
  });

  test('samples show CPU time and memory of a busy task', async () => {
    const m = manager('sample');
    const cg = await m.create('busy', 'spin');
    const child = gatedShell('x=0; while :; do x=$((x+1)); done');
    assert.ok(child.pid);
    m.join(cg, child.pid);
    child.stdin?.end('go\n');
    child.unref();
    await waitFor('CPU time accounted', () => (sampleCgroup(cg).cpu?.totalNs ?? 0) > 20_000_000);
    // The kernel flushes memory statistics every few seconds, so wait for them too.
    if (hostHas('v1 memory', cg.dirs.memory !== undefined)) await waitFor('memory accounted', () => (sampleCgroup(cg).memory?.rss ?? 0) > 0);
    const s = sampleCgroup(cg);
    assert.ok(s.memory === null || s.memory.usage > 0);
    assert.equal(oomKillCount(cg), 0);
    await m.destroy(cg);
  });

  test('limits are written where the controllers are', async () => {
    const m = manager('limits');
    const cg = await m.create('lim', 't');
    const written = applyLimits(cg, { memoryMB: 64, memoryMaxMB: 128, cpuMHz: 500 });
    if (hostHas('v1 memory', cg.dirs.memory !== undefined)) assert.ok(written.includes('memory.limit_in_bytes'));
    if (hostHas('v1 cpu', cg.dirs.cpu !== undefined)) assert.ok(written.includes('cpu.shares'));
    await m.destroy(cg);
  });

  test('a cgroup left by an earlier attempt is emptied and made again', async () => {
    const m = manager('again');
    const { cg, pids } = await runDaemonising(m, 'again');
    const cg2 = await m.create('a1b2c3d4', 'again');
    assert.deepEqual(cg2, cg);
    await waitFor('old processes gone', () => pids.every((p) => !alive(p)));
    assert.deepEqual(cgroupPids(cg2), []);
    await m.destroy(cg2);
  });
});

describe('cgroup v2 path on the unified hierarchy this host offers', () => {
  const unified = hostLayout().hierarchies.find((h) => h.kind === 'unified');
  const v2: CgroupLayout | null = unified ? { version: 'v2', mountpoint: unified.mount, hierarchies: [unified] } : null;

  test('create, join, cpu.stat, cgroup.kill, destroy', async () => {
    requireFeature('unified hierarchy', v2 !== null);
    assert.ok(v2);
    const m = manager('v2', v2);
    const { cg, pids } = await runDaemonising(m, 'v2task');
    assert.deepEqual(Object.keys(cg.dirs), ['unified']);
    assert.ok(sampleCgroup(cg).cpu !== null, 'cpu.stat is there without any controller');
    await m.destroy(cg);
    await waitFor('all gone', () => pids.every((p) => !alive(p)));
    assert.ok(!existsSync(cg.dirs.unified ?? ''));
  });
});
