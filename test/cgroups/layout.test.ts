/** Layout detection from mountinfo and /proc/self/cgroup texts: hybrid, pure v2, a container's subtree, none. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutFrom, parseProcCgroup, setupContainment } from '../../src/cgroups/index.js';
import { containmentAttributes } from '../../src/node/index.js';
import { silentLogger } from '../../src/util/logger.js';

const HYBRID_MOUNTS = [
  '35 25 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755',
  '36 35 0:31 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate',
  '39 35 0:34 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,memory',
  '40 35 0:35 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,cpu,cpuacct',
  '41 35 0:36 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,freezer',
  '42 35 0:37 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,pids',
].join('\n');
const HYBRID_SELF = ['12:pids:/system.slice/bivouac.service', '7:freezer:/', '5:cpu,cpuacct:/system.slice/bivouac.service', '4:memory:/system.slice/bivouac.service', '0::/system.slice/bivouac.service'].join('\n');

describe('layoutFrom', () => {
  test('hybrid (systemd, Delegate=yes): v1 controllers plus the unified hierarchy, each at the agent\'s own cgroup', () => {
    const r = layoutFrom(HYBRID_MOUNTS, HYBRID_SELF, () => []);
    assert.ok(r.layout);
    assert.equal(r.layout.version, 'v1');
    assert.equal(r.layout.mountpoint, '/sys/fs/cgroup');
    const own = Object.fromEntries(r.layout.hierarchies.map((h) => [h.kind, h.own]));
    assert.deepEqual(own, {
      unified: '/sys/fs/cgroup/unified/system.slice/bivouac.service',
      memory: '/sys/fs/cgroup/memory/system.slice/bivouac.service',
      cpu: '/sys/fs/cgroup/cpu,cpuacct/system.slice/bivouac.service',
      cpuacct: '/sys/fs/cgroup/cpu,cpuacct/system.slice/bivouac.service',
      freezer: '/sys/fs/cgroup/freezer',
      pids: '/sys/fs/cgroup/pids/system.slice/bivouac.service',
    });
  });

  test('pure v2 with memory and cpu offered', () => {
    const mounts = '30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot';
    const r = layoutFrom(mounts, '0::/user.slice/user-0.slice/session-3.scope\n', () => ['cpuset', 'cpu', 'io', 'memory', 'pids']);
    assert.ok(r.layout);
    assert.equal(r.layout.version, 'v2');
    assert.equal(r.layout.mountpoint, '/sys/fs/cgroup');
    assert.deepEqual(r.layout.hierarchies, [{ kind: 'unified', mount: '/sys/fs/cgroup', own: '/sys/fs/cgroup/user.slice/user-0.slice/session-3.scope' }]);
  });

  test('a container that sees only its subtree (mount root) gets paths inside its mount', () => {
    const mounts = '700 690 0:26 /docker/abc /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw';
    const r = layoutFrom(mounts, '0::/docker/abc/agent\n', () => ['cpu', 'memory']);
    assert.equal(r.layout?.hierarchies[0].own, '/sys/fs/cgroup/agent');
  });

  test('v2 without memory and cpu, or no cgroup at all: containment off with the reason', () => {
    const mounts = '30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw';
    const r = layoutFrom(mounts, '0::/\n', () => ['pids']);
    assert.equal(r.layout, null);
    assert.match(r.layout === null ? r.reason : '', /no memory and cpu controllers/);
    const none = layoutFrom('22 1 0:5 / /proc rw - proc proc rw', '', () => []);
    assert.equal(none.layout, null);
  });

  test('parseProcCgroup keys by controller, unified as the empty key', () => {
    const m = parseProcCgroup(HYBRID_SELF);
    assert.equal(m.get(''), '/system.slice/bivouac.service');
    assert.equal(m.get('cpuacct'), '/system.slice/bivouac.service');
    assert.equal(m.get('freezer'), '/');
  });
});

describe('setupContainment when no cgroup can be made', () => {
  test('no manager, the reason, and node attributes that say containment is off', () => {
    const fakeProc = mkdtempSync(join(tmpdir(), 'bivouac-noproc-'));
    try {
      mkdirSync(join(fakeProc, 'self'));
      writeFileSync(join(fakeProc, 'self', 'mountinfo'), '22 1 0:5 / /proc rw - proc proc rw\n');
      writeFileSync(join(fakeProc, 'self', 'cgroup'), '');
      const c = setupContainment({ procRoot: fakeProc, scope: 'x', log: silentLogger });
      assert.equal(c.manager, null);
      assert.equal(c.reason, 'no cgroup hierarchy is mounted');
      assert.deepEqual(containmentAttributes(c), { 'bivouac.containment': 'off: no cgroup hierarchy is mounted' });
    } finally {
      rmSync(fakeProc, { recursive: true, force: true });
    }
  });
});
