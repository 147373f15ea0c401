import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { fingerprintHost, systemOs } from '../../src/node/index.js';
import { sinkLogger } from './fixture-ctx.js';

// Sanity on whatever machine runs the suite: keys present, numbers positive.
test('fingerprint of this machine', async () => {
  const attrs = await fingerprintHost({
    procRoot: '/proc',
    sysRoot: '/sys',
    etcRoot: '/etc',
    dataDir: tmpdir(),
    log: sinkLogger(),
    overrides: {},
    os: systemOs,
  });
  for (const k of ['cpu.numcores', 'cpu.frequency', 'cpu.totalcompute', 'memory.totalbytes', 'unique.storage.bytestotal']) {
    assert.ok(Number(attrs[k]) > 0, `${k} = ${attrs[k]}`);
  }
  for (const k of ['cpu.arch', 'kernel.name', 'kernel.version', 'kernel.arch', 'unique.hostname', 'unique.network.ip-address', 'bivouac.version']) {
    assert.ok(attrs[k], k);
  }
  assert.equal(attrs['kernel.name'], 'linux');
  assert.equal(Number(attrs['cpu.totalcompute']), Number(attrs['cpu.frequency']) * Number(attrs['cpu.numcores']));
});
