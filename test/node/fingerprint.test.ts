import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintCpu } from '../../src/node/cpu.js';
import { fingerprintMemory } from '../../src/node/memory.js';
import { fingerprintKernel } from '../../src/node/kernel.js';
import { fingerprintHostOs, parseOsRelease } from '../../src/node/host.js';
import { fingerprintNetwork, defaultRouteInterface } from '../../src/node/network.js';
import { fingerprintStorage, mountFor, parseMountinfo } from '../../src/node/storage.js';
import { fakeOs, fixtureCtx, iface } from './fixture-ctx.js';
import { BIVOUAC_VERSION } from '../../src/version.js';

describe('cpu', () => {
  const cases = [
    {
      name: 'x86',
      os: fakeOs({ arch: () => 'x64' }),
      want: {
        'cpu.arch': 'amd64',
        'cpu.modelname': 'Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz',
        'cpu.numcores': '4',
        'cpu.frequency': '3500',
        'cpu.frequency.source': 'cpufreq',
        'cpu.totalcompute': '14000',
      },
    },
    {
      name: 'vm-no-mhz',
      os: fakeOs({ arch: () => 'x64' }),
      want: {
        'cpu.arch': 'amd64',
        'cpu.modelname': 'AMD EPYC Processor',
        'cpu.numcores': '2',
        'cpu.frequency': '1000',
        'cpu.frequency.source': 'fallback',
        'cpu.totalcompute': '2000',
      },
    },
    {
      name: 'arm64',
      os: fakeOs({ arch: () => 'arm64' }),
      want: {
        'cpu.arch': 'arm64',
        'cpu.modelname': 'Neoverse-N1',
        'cpu.numcores': '4',
        'cpu.frequency': '2000',
        'cpu.frequency.source': 'cpufreq',
        'cpu.totalcompute': '8000',
      },
    },
  ];
  for (const c of cases) {
    test(c.name, async () => assert.deepEqual(await fingerprintCpu(fixtureCtx(c.name, { os: c.os })), c.want));
  }

  test('without cpufreq, the highest cpuinfo MHz is used', async () => {
    const ctx = fixtureCtx('x86', { sysRoot: '/nonexistent' });
    const a = await fingerprintCpu(ctx);
    assert.equal(a['cpu.frequency'], '2394');
    assert.equal(a['cpu.frequency.source'], 'cpuinfo');
  });

  test('the fallback is announced with a warning', async () => {
    const ctx = fixtureCtx('vm-no-mhz');
    await fingerprintCpu(ctx);
    assert.ok(ctx.log.lines.some((l) => l.level === 'warn'));
  });

  test('a configured frequency wins and feeds totalcompute', async () => {
    const a = await fingerprintCpu(fixtureCtx('vm-no-mhz', { overrides: { 'cpu.frequency': '2600' } }));
    assert.equal(a['cpu.frequency'], '2600');
    assert.equal(a['cpu.frequency.source'], 'config');
    assert.equal(a['cpu.totalcompute'], '5200');
  });

  test('no cpuinfo throws NOT_FOUND', async () => {
    await assert.rejects(fingerprintCpu(fixtureCtx('x86', { procRoot: '/nonexistent' })), { code: 'NOT_FOUND' });
  });
});

describe('memory', () => {
  const cases: [string, string][] = [
    ['x86', String(16273032 * 1024)],
    ['vm-no-mhz', String(2030436 * 1024)],
    ['arm64', String(8009668 * 1024)],
  ];
  for (const [name, bytes] of cases) {
    test(name, async () => assert.deepEqual(await fingerprintMemory(fixtureCtx(name)), { 'memory.totalbytes': bytes }));
  }
});

describe('kernel', () => {
  test('x86 reads arch from /proc', async () => {
    assert.deepEqual(await fingerprintKernel(fixtureCtx('x86', { os: fakeOs({ machine: () => 'wrong' }) })), {
      'kernel.name': 'linux',
      'kernel.version': '5.15.0-91-generic',
      'kernel.arch': 'x86_64',
    });
  });
  test('arm64 without /proc/sys/kernel/arch falls back to os.machine()', async () => {
    const a = await fingerprintKernel(fixtureCtx('arm64', { os: fakeOs({ machine: () => 'aarch64' }) }));
    assert.equal(a['kernel.arch'], 'aarch64');
    assert.equal(a['kernel.version'], '6.6.12-0-lts');
  });
});

describe('host', () => {
  const cases: [string, Record<string, string>][] = [
    ['x86', { 'unique.hostname': 'node1', 'os.name': 'ubuntu', 'os.version': '22.04' }],
    ['vm-no-mhz', { 'unique.hostname': 'vm-7', 'os.name': 'debian', 'os.version': '12' }],
    ['arm64', { 'unique.hostname': 'pi-rack-3', 'os.name': 'alpine', 'os.version': '3.19.1' }],
  ];
  for (const [name, want] of cases) {
    test(name, async () =>
      assert.deepEqual(await fingerprintHostOs(fixtureCtx(name)), { ...want, 'bivouac.version': BIVOUAC_VERSION }),
    );
  }
  test('no os-release leaves os.* unset', async () => {
    const a = await fingerprintHostOs(fixtureCtx('x86', { etcRoot: '/nonexistent', procRoot: '/nonexistent' }));
    assert.deepEqual(a, { 'unique.hostname': 'fake-host', 'bivouac.version': BIVOUAC_VERSION });
  });
  test('parseOsRelease unquotes', () => {
    assert.deepEqual(parseOsRelease('# c\nID="rhel"\nVERSION_ID=\'9.3\'\nX="a \\"b\\""\n'), {
      ID: 'rhel',
      VERSION_ID: '9.3',
      X: 'a "b"',
    });
  });
});

describe('network', () => {
  const os = fakeOs({
    networkInterfaces: () => ({
      lo: [iface('127.0.0.1', true)],
      docker0: [iface('172.17.0.1')],
      ens3: [iface('10.0.2.15')],
      eth0: [iface('192.168.0.7')],
    }),
  });
  test('the default-route interface wins over earlier interfaces', async () => {
    assert.deepEqual(await fingerprintNetwork(fixtureCtx('x86', { os })), { 'unique.network.ip-address': '10.0.2.15' });
  });
  test('a down default route is skipped', async () => {
    assert.deepEqual(await fingerprintNetwork(fixtureCtx('arm64', { os })), {
      'unique.network.ip-address': '192.168.0.7',
    });
  });
  test('no default route: first non-internal IPv4', async () => {
    assert.deepEqual(await fingerprintNetwork(fixtureCtx('vm-no-mhz', { os })), {
      'unique.network.ip-address': '172.17.0.1',
    });
  });
  test('nothing but loopback: 127.0.0.1', async () => {
    assert.deepEqual(await fingerprintNetwork(fixtureCtx('vm-no-mhz')), { 'unique.network.ip-address': '127.0.0.1' });
  });
  test('defaultRouteInterface', () => {
    assert.equal(defaultRouteInterface('Iface\tDestination\n'), null);
  });
});

describe('storage', () => {
  test('volume from mountinfo, sizes from statfs of the data dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bivouac-storage-'));
    try {
      const a = await fingerprintStorage(fixtureCtx('vm-no-mhz', { dataDir: dir }));
      assert.equal(a['unique.storage.volume'], '/dev/vda');
      assert.ok(Number(a['unique.storage.bytestotal']) > 0);
      assert.ok(Number(a['unique.storage.bytesfree']) <= Number(a['unique.storage.bytestotal']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test('a missing data dir rejects', async () => {
    await assert.rejects(fingerprintStorage(fixtureCtx('x86', { dataDir: '/nonexistent/bivouac' })));
  });
  const mounts = parseMountinfo(
    '22 1 8:1 / / rw - ext4 /dev/sda1 rw\n40 22 8:17 / /var/lib/bivouac rw shared:20 - xfs /dev/sdb1 rw\n' +
      '41 22 8:33 / /mnt/with\\040space rw - ext4 /dev/sdc1 rw\n42 40 0:9 / /var/lib/bivouac rw - tmpfs tmpfs rw\n',
  );
  const cases: [string, string][] = [
    ['/var/lib/bivouac/data', 'tmpfs'],
    ['/var/lib/bivouacx', '/dev/sda1'],
    ['/mnt/with space/x', '/dev/sdc1'],
    ['/', '/dev/sda1'],
  ];
  for (const [path, source] of cases) test(`mountFor ${path}`, () => assert.equal(mountFor(mounts, path)?.source, source));
});
