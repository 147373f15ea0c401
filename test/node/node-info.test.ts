import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_NODE_CONFIG,
  buildNodeInfo,
  fingerprintHost,
  mergeAttributes,
  resolveNodeConfig,
  type DriverInfo,
  type Fingerprinter,
} from '../../src/node/index.js';
import { fixtureCtx } from './fixture-ctx.js';

function driver(name: string, detected: boolean, attributes: Record<string, string>): DriverInfo {
  return {
    name,
    detected,
    healthy: detected,
    healthState: detected ? 'healthy' : 'undetected',
    message: detected ? 'Healthy' : 'not found',
    attributes,
    updatedAt: '2024-05-02T09:00:00Z',
  };
}

describe('mergeAttributes', () => {
  test('later parts win, overrides win over all', () => {
    assert.deepEqual(mergeAttributes([{ a: '1', b: '1' }, { b: '2', c: '2' }], { c: '3' }), { a: '1', b: '2', c: '3' });
  });
});

describe('fingerprintHost', () => {
  test('a failing fingerprinter is logged and adds nothing; overrides win', async () => {
    const ctx = fixtureCtx('x86', { overrides: { 'cpu.totalcompute': '9999' } });
    const fps: Record<string, Fingerprinter> = {
      ok: async () => ({ 'cpu.totalcompute': '100', x: '1' }),
      broken: async () => {
        throw new Error('boom');
      },
    };
    const attrs = await fingerprintHost(ctx, fps);
    assert.deepEqual(attrs, { 'cpu.totalcompute': '9999', x: '1' });
    assert.ok(ctx.log.lines.some((l) => l.level === 'warn' && (l.obj as { fingerprinter?: string }).fingerprinter === 'broken'));
  });

  test('all fingerprinters against a fixture', async () => {
    const attrs = await fingerprintHost(fixtureCtx('x86'));
    for (const k of ['cpu.arch', 'memory.totalbytes', 'kernel.name', 'os.name', 'unique.hostname', 'unique.network.ip-address']) {
      assert.ok(attrs[k], k);
    }
  });
});

describe('resolveNodeConfig', () => {
  test('defaults', () => assert.deepEqual(resolveNodeConfig(undefined), DEFAULT_NODE_CONFIG));
  test('operator values', () => {
    assert.deepEqual(
      resolveNodeConfig({
        datacenter: 'east',
        node_class: 'gpu',
        meta: { rack: 'r1' },
        reserved: { cpu: 500, memory: 256 },
        port_range: '30000-30010',
        cpu_total_compute: 8000,
      }),
      {
        datacenter: 'east',
        region: 'global',
        nodeClass: 'gpu',
        meta: { rack: 'r1' },
        reserved: { cpu: 500, memoryMB: 256 },
        portRange: { min: 30000, max: 30010 },
        cpuTotalCompute: 8000,
      },
    );
  });
  const bad: [string, unknown][] = [
    ['not an object', 'x'],
    ['datacenter number', { datacenter: 3 }],
    ['negative reserve', { reserved: { cpu: -1 } }],
    ['reversed range', { port_range: '32000-20000' }],
    ['range past 65535', { port_range: { min: 1, max: 70000 } }],
    ['meta non-string', { meta: { a: 1 } }],
  ];
  for (const [name, input] of bad) test(name, () => assert.throws(() => resolveNodeConfig(input), { code: 'CONFIG' }));
});

describe('buildNodeInfo', () => {
  test('merges detected drivers, drops undetected, applies config overrides', () => {
    const config = resolveNodeConfig({ cpu_total_compute: 4000, node_class: 'edge', meta: { rack: 'r1' } });
    const node = buildNodeInfo(
      'id-1',
      config,
      { 'unique.hostname': 'node1', 'cpu.totalcompute': '2000' },
      {
        rkt: driver('rkt', true, { 'driver.rkt': '1', 'driver.rkt.version': '1.30.0' }),
        docker: driver('docker', false, { 'driver.docker': '1' }),
      },
    );
    assert.equal(node.name, 'node1');
    assert.equal(node.nodeClass, 'edge');
    assert.deepEqual(node.meta, { rack: 'r1' });
    assert.deepEqual(node.attributes, {
      'unique.hostname': 'node1',
      'cpu.totalcompute': '4000',
      'driver.rkt': '1',
      'driver.rkt.version': '1.30.0',
    });
    assert.deepEqual(node.portRange, { min: 20000, max: 32000 });
    assert.equal(Object.keys(node.drivers).length, 2);
  });
});
