/**
 * sampleTask lists a cgroup's processes only where /proc must stand in for a missing
 * controller: control files in a real directory stand for the cgroup (a v2 layout).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleTask } from '../../src/drivers/proc-stats.js';

const root = mkdtempSync(join(tmpdir(), 'bivouac-procstats-'));
after(() => rmSync(root, { recursive: true, force: true }));

function cgroupDir(name: string, files: Record<string, string>): string {
  const d = join(root, name);
  mkdirSync(d);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
  return d;
}

describe('sampleTask', () => {
  test('cpu and memory from the cgroup: no process list read, pids null', () => {
    // No cgroup.procs at all: a read of it would count 0 processes, not null.
    const d = cgroupDir('both', { 'cpu.stat': 'usage_usec 2000\nuser_usec 1500\nsystem_usec 500\n', 'memory.current': '8192\n', 'memory.stat': 'anon 4096\nfile 4096\n' });
    const s = sampleTask('/proc', { name: 'a.t', dirs: { unified: d } }, () => [], 1);
    assert.deepEqual(s, {
      timestamp: 1,
      cpu: { totalNs: 2_000_000, userNs: 1_500_000, systemNs: 500_000 },
      memory: { rss: 4096, cache: 4096, swap: 0, usage: 8192, maxUsage: 8192 },
      source: 'cgroup',
      pids: null,
    });
  });

  test('no memory controller: memory from /proc of the processes cgroup.procs lists, and their count', () => {
    const d = cgroupDir('cpu-only', { 'cpu.stat': 'usage_usec 2000\nuser_usec 1500\nsystem_usec 500\n', 'cgroup.procs': `${process.pid}\n` });
    const s = sampleTask('/proc', { name: 'b.t', dirs: { unified: d } }, () => [], 1);
    assert.equal(s.pids, 1);
    assert.deepEqual(s.cpu, { totalNs: 2_000_000, userNs: 1_500_000, systemNs: 500_000 });
    assert.ok((s.memory?.rss ?? 0) > 0, JSON.stringify(s));
  });
});
