/** The host figures of `node status` from /proc text (pure parsers) and one real sample. */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { describe, test } from 'node:test';
import { busyShare, parseMeminfo, parseProcStat, parseUptime, sampleHostStats } from '../../src/cli/host-stats.js';
import { repoRoot } from '../helpers/paths.js';

describe('host stats', () => {
  test('/proc/stat: busy is everything but idle and iowait; the share is the busy delta over the total delta', () => {
    const a = parseProcStat('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n');
    const b = parseProcStat('cpu  160 0 70 880 70 0 0 0 0 0\n');
    assert.deepEqual(a, { busy: 150, total: 1000 });
    assert.deepEqual(b, { busy: 230, total: 1180 });
    assert.ok(a && b);
    assert.equal(busyShare(a, b), 80 / 180);
    assert.equal(busyShare(a, a), 0);
    assert.equal(parseProcStat('intr 1 2 3\n'), null);
  });

  test('/proc/meminfo: used = total - available (MemFree when there is no MemAvailable)', () => {
    assert.deepEqual(parseMeminfo('MemTotal:       16000 kB\nMemFree:         1000 kB\nMemAvailable:    6000 kB\n'), { total: 16000 * 1024, used: 10000 * 1024 });
    assert.deepEqual(parseMeminfo('MemTotal:       16000 kB\nMemFree:         1000 kB\n'), { total: 16000 * 1024, used: 15000 * 1024 });
    assert.equal(parseMeminfo('nonsense'), null);
  });

  test('/proc/uptime: whole seconds', () => {
    assert.equal(parseUptime('2393.87 4100.12\n'), 2393);
    assert.equal(parseUptime(''), null);
  });

  test('a real sample of this host: figures within their totals', async () => {
    // The checkout's file system, which holds at least these compiled tests: a tmpfs /tmp may be empty, 0 B used.
    const s = await sampleHostStats({ procRoot: '/proc', diskPath: repoRoot, totalMhz: 4000, windowMs: 50 });
    assert.ok(s);
    assert.ok(s.uptimeSeconds > 0);
    assert.ok(s.cpuTicksConsumed >= 0 && s.cpuTicksConsumed <= 4000);
    assert.ok(s.memoryUsedBytes > 0 && s.memoryUsedBytes <= s.memoryTotalBytes);
    assert.ok(s.diskUsedBytes > 0 && s.diskUsedBytes <= s.diskSizeBytes);
    assert.equal(await sampleHostStats({ procRoot: '/nonexistent', diskPath: tmpdir(), totalMhz: 4000, windowMs: 1 }), null);
  });
});
