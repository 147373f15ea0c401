import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, configFromEnv, configFromFile, mergeConfig } from '../../src/agent/config.js';

describe('agent config', () => {
  test('defaults', () => {
    const c = mergeConfig();
    assert.equal(c.jobsDir, './jobs');
    assert.equal(c.dataDir, './.bivouac');
    assert.equal(c.rawExecEnabled, false);
    assert.deepEqual(c.portRange, { min: 20000, max: 32000 });
    assert.equal(c.rkt.minVersion, '1.27.0');
  });

  test('flags beat the environment, which beats the file', () => {
    const file = configFromFile({ data_dir: '/file', log_level: 'warn', bivouac: [{ jobs_dir: '/file-jobs' }] }, 'a.hcl');
    const env = configFromEnv({ BIVOUAC_DATA_DIR: '/env', BIVOUAC_LOG_LEVEL: 'debug' });
    const flags = { dataDir: '/flag' };
    const c = mergeConfig(file, env, flags);
    assert.equal(c.dataDir, '/flag');
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.jobsDir, '/file-jobs');
  });

  test('Nomad agent config words: client, plugin, reserved, ports', () => {
    const c = mergeConfig(
      configFromFile(
        {
          datacenter: 'edge',
          client: [{ node_class: 'small', meta: [{ rack: 'r1' }], reserved: [{ cpu: 500, memory: 256 }], min_dynamic_port: 30000, max_dynamic_port: 30100 }],
          plugin: { raw_exec: [{ config: [{ enabled: true }] }], rkt: [{ config: [{ volumes_enabled: false }] }] },
          bivouac: [{ rescan_interval: '2s', rkt_min_version: '1.29.0' }],
        },
        'a.hcl',
      ),
    );
    assert.equal(c.datacenter, 'edge');
    assert.equal(c.nodeClass, 'small');
    assert.deepEqual(c.meta, { rack: 'r1' });
    assert.deepEqual(c.reserved, { cpu: 500, memoryMB: 256 });
    assert.deepEqual(c.portRange, { min: 30000, max: 30100 });
    assert.equal(c.rawExecEnabled, true);
    assert.equal(c.rkt.volumesEnabled, false);
    assert.equal(c.rkt.minVersion, '1.29.0');
    assert.equal(c.rkt.path, DEFAULT_CONFIG.rkt.path);
    assert.equal(c.rescanIntervalMs, 2000);
  });

  test('the environment sets the rkt path without dropping the file\'s rkt settings', () => {
    const c = mergeConfig(configFromFile({ bivouac: [{ rkt_dir: '/r', rkt_min_version: '1.31.0' }] }, 'a.hcl'), configFromEnv({ BIVOUAC_RKT_PATH: '/opt/rkt' }));
    assert.deepEqual(c.rkt, { path: '/opt/rkt', minVersion: '1.31.0', volumesEnabled: true, dir: '/r' });
  });

  const bad: [string, () => unknown][] = [
    ['unknown top-level key', () => configFromFile({ dat_dir: '/x' }, 'a.hcl')],
    ['unknown client key', () => configFromFile({ client: [{ node_klass: 'x' }] }, 'a.hcl')],
    ['a plugin bivouac has not', () => configFromFile({ plugin: { docker: [{ config: [{}] }] } }, 'a.hcl')],
    ['a bad duration', () => configFromFile({ bivouac: [{ rescan_interval: 'soon' }] }, 'a.hcl')],
    ['a bad log level', () => configFromEnv({ BIVOUAC_LOG_LEVEL: 'loud' })],
    ['a bad boolean', () => configFromEnv({ BIVOUAC_ENABLE_RAW_EXEC: 'maybe' })],
    ['an empty port range', () => mergeConfig({ portRange: { min: 3, max: 2 } })],
  ];
  for (const [name, fn] of bad) test(`CONFIG error: ${name}`, () => assert.throws(fn, { code: 'CONFIG' }));
});
