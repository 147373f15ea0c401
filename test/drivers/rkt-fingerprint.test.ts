/** rkt version parsing (string fixtures) and the fingerprint against a real executable. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createRktDriver, parseRktVersion } from '../../src/drivers/rkt/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { makeRktSandbox, type RktSandbox, type StandinOptions } from '../helpers/rkt.js';

describe('parseRktVersion', () => {
  const cases = [
    { text: 'rkt version 0.8.1\nappc version 0.6.1\n', want: { rkt: '0.8.1', appc: '0.6.1' } },
    { text: 'rkt Version: 0.16.0\nappc Version: 0.7.4\n', want: { rkt: '0.16.0', appc: '0.7.4' } },
    { text: 'rkt Version: 1.29.0\nappc Version: 0.8.11\nGo Version: go1.8.3\nGo OS/Arch: linux/amd64\nFeatures: -TPM +SDJOURNAL\n', want: { rkt: '1.29.0', appc: '0.8.11' } },
    { text: 'rkt Version: 1.30.0+git1234\nappc Version: 0.8.11', want: { rkt: '1.30.0', appc: '0.8.11' } },
    { text: 'rkt Version: 1.2.0-rc1\nappc Version: 0.7.4', want: { rkt: '1.2.0', appc: '0.7.4' } },
    { text: 'rkt Version: 1.30.0\n', want: null },
    { text: 'RKT VERSION 1.30.0\nappc version 0.8.11', want: null },
    { text: 'rocket launcher', want: null },
    { text: '', want: null },
  ];
  for (const c of cases) test(JSON.stringify(c.text), () => assert.deepEqual(parseRktVersion(c.text), c.want));
});

describe('rkt fingerprint with the stand-in', () => {
  const boxes: RktSandbox[] = [];
  after(() => boxes.forEach((b) => b.cleanup()));
  const driver = (o: StandinOptions, extra: { isRoot?: boolean; minVersion?: string; execTimeoutMs?: number; volumesEnabled?: boolean } = {}) => {
    const sb = makeRktSandbox(o);
    boxes.push(sb);
    return createRktDriver({ log: silentLogger, rktPath: sb.rktPath, isRoot: () => extra.isRoot ?? true, minVersion: extra.minVersion ?? '1.27.0', execTimeoutMs: extra.execTimeoutMs ?? 10_000, volumesEnabled: extra.volumesEnabled });
  };

  test('rkt 1.30.0: healthy with Nomad attributes', async () => {
    assert.deepEqual(await driver({}).fingerprint(), {
      detected: true,
      healthy: true,
      message: 'Healthy',
      attributes: { 'driver.rkt': '1', 'driver.rkt.version': '1.30.0', 'driver.rkt.appc.version': '0.8.11', 'driver.rkt.volumes.enabled': '1' },
    });
  });
  test('volumes disabled: no volumes attribute', async () => {
    const fp = await driver({}, { volumesEnabled: false }).fingerprint();
    assert.equal(fp.attributes['driver.rkt.volumes.enabled'], undefined);
  });
  const old = [
    { o: { versionFormat: '0.8' }, v: '0.8.1', appc: '0.6.1' },
    { o: { versionFormat: '0.16' }, v: '0.16.0', appc: '0.7.4' },
    { o: { versionFormat: '1.x', version: '1.25.0' }, v: '1.25.0', appc: '0.8.10' },
  ] as const;
  for (const c of old) {
    test(`rkt ${c.v}: detected, unhealthy, message names both versions`, async () => {
      const fp = await driver(c.o).fingerprint();
      assert.deepEqual([fp.detected, fp.healthy, fp.message], [true, false, `Unsupported rkt version ${c.v}; please upgrade to >= 1.27.0`]);
      assert.deepEqual(fp.attributes, { 'driver.rkt.version': c.v, 'driver.rkt.appc.version': c.appc });
    });
  }
  test('old format is healthy under a lower minimum', async () => {
    const fp = await driver({ versionFormat: '0.16' }, { minVersion: '0.14.0' }).fingerprint();
    assert.deepEqual([fp.healthy, fp.attributes['driver.rkt.version']], [true, '0.16.0']);
  });
  test('garbage output', async () => {
    const fp = await driver({ versionMode: 'garbage' }).fingerprint();
    assert.deepEqual([fp.detected, fp.healthy, fp.message], [false, false, 'Unable to parse rkt version string']);
  });
  test('non-zero exit', async () => {
    const fp = await driver({ versionMode: 'fail' }).fingerprint();
    assert.deepEqual([fp.detected, fp.healthy], [false, false]);
    assert.equal(fp.message, 'Failed to execute rkt version: version: simulated failure');
  });
  test('a hung rkt times out', async () => {
    const fp = await driver({ versionMode: 'hang' }, { execTimeoutMs: 500 }).fingerprint();
    assert.deepEqual([fp.detected, fp.healthy, fp.message], [false, false, 'Failed to execute rkt version: rkt version timed out after 500ms']);
  });
  test('not root: undetected, no rkt call', async () => {
    const fp = await createRktDriver({ log: silentLogger, rktPath: '/nonexistent/rkt', isRoot: () => false }).fingerprint();
    assert.deepEqual(fp, { detected: false, healthy: false, message: 'Driver must run as root', attributes: {} });
  });
  test('missing binary: undetected', async () => {
    const fp = await createRktDriver({ log: silentLogger, rktPath: '/nonexistent/rkt', isRoot: () => true }).fingerprint();
    assert.deepEqual([fp.detected, fp.healthy], [false, false]);
    assert.match(fp.message, /^Failed to execute rkt version: [^:]*ENOENT/);
    assert.doesNotMatch(fp.message, /failed to execute/);
  });
  test('found by name on PATH', async () => {
    const sb = makeRktSandbox({ versionFormat: '0.16', version: '1.28.0' });
    boxes.push(sb);
    const saved = process.env.PATH;
    process.env.PATH = `${sb.binDir}:${saved ?? ''}`;
    try {
      const fp = await createRktDriver({ log: silentLogger, isRoot: () => true }).fingerprint();
      assert.deepEqual([fp.healthy, fp.attributes['driver.rkt.version']], [true, '1.28.0']);
    } finally {
      process.env.PATH = saved;
    }
  });
});
