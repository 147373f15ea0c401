/** Nomad's usage figures from two samples, the alloc sum, and the alloc status cells. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toTaskUsage } from '../../src/agent/stats.js';
import type { TaskResourceSample } from '../../src/drivers/types.js';
import { renderUsageBreakdown, resourceCells, sumUsage } from '../../src/status/stats.js';

const MiB = 1024 * 1024;
const sample = (t: number, cpuMs: number, userMs: number, rss: number, source: 'cgroup' | 'proc' = 'cgroup'): TaskResourceSample => ({
  timestamp: t,
  cpu: { totalNs: cpuMs * 1e6, userNs: userMs * 1e6, systemNs: (cpuMs - userMs) * 1e6 },
  memory: { rss, cache: 2 * MiB, swap: 0, usage: rss + 2 * MiB, maxUsage: rss + 3 * MiB },
  source,
  pids: 2,
});

describe('toTaskUsage', () => {
  test('the first sample has no rates; memory is as sampled', () => {
    const u = toTaskUsage(null, sample(1000, 500, 400, 41 * MiB), 2400);
    assert.equal(u.ResourceUsage.CpuStats.Percent, 0);
    assert.equal(u.ResourceUsage.CpuStats.TotalTicks, 0);
    assert.equal(u.ResourceUsage.MemoryStats.RSS, 41 * MiB);
    assert.deepEqual(u.ResourceUsage.MemoryStats.Measured, ['RSS', 'Cache', 'Swap', 'Usage', 'Max Usage']);
    assert.equal(u.Timestamp, 1000 * 1e6);
  });

  test('half a core over 2 s is 50 % and half the core frequency in MHz', () => {
    const u = toTaskUsage(sample(0, 0, 0, MiB), sample(2000, 1000, 750, MiB), 2400);
    assert.equal(u.ResourceUsage.CpuStats.Percent, 50);
    assert.equal(u.ResourceUsage.CpuStats.UserMode, 37.5);
    assert.equal(u.ResourceUsage.CpuStats.SystemMode, 12.5);
    assert.equal(u.ResourceUsage.CpuStats.TotalTicks, 1200);
  });

  test('a task sampled from /proc says what it measured, as Nomad does for pids', () => {
    const u = toTaskUsage(null, sample(0, 0, 0, MiB, 'proc'), 1000);
    assert.deepEqual(u.ResourceUsage.MemoryStats.Measured, ['RSS', 'Swap']);
    assert.deepEqual(u.ResourceUsage.CpuStats.Measured, ['System Mode', 'User Mode', 'Percent']);
  });
});

describe('alloc usage and its rendering', () => {
  const web = toTaskUsage(sample(0, 0, 0, MiB), sample(1000, 12, 10, 41 * MiB), 1000);
  const side = toTaskUsage(sample(0, 0, 0, MiB), sample(1000, 3, 3, 9 * MiB), 1000);

  test('the allocation sums its tasks (Nomad AllocResourceUsage)', () => {
    const a = sumUsage({ web, side });
    assert.equal(a.ResourceUsage.MemoryStats.RSS, 50 * MiB);
    assert.equal(Math.round(a.ResourceUsage.CpuStats.TotalTicks), 15);
    assert.deepEqual(Object.keys(a.Tasks), ['web', 'side']);
  });

  test('alloc status cells: used/limit, as `12/100 MHz  41 MiB/64 MiB`; limits alone without a sample', () => {
    assert.deepEqual(resourceCells(web, 100, 64), { cpu: '12/100 MHz', memory: '41 MiB/64 MiB' });
    assert.deepEqual(resourceCells(null, 100, 64), { cpu: '100 MHz', memory: '64 MiB' });
    assert.deepEqual(resourceCells(null, 500, 1024), { cpu: '500 MHz', memory: '1.0 GiB' });
  });

  test('-verbose breakdown: Memory Stats and CPU Stats tables', () => {
    const text = renderUsageBreakdown(web);
    assert.match(text, /^Memory Stats\nCache  +Max Usage +RSS +Swap +Usage\n2.0 MiB +44 MiB +41 MiB +0 B +43 MiB\n/);
    assert.match(text, /\nCPU Stats\nPercent +System Mode +Total Ticks +User Mode\n1.20% +0.20% +12 +1.00%\n$/);
  });
});
