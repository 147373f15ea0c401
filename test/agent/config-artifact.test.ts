/** Client `artifact { … }`: Nomad's keys and defaults, bivouac's allowed_local_dirs, clear errors. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configFromFile, mergeConfig, parseSize } from '../../src/agent/config.js';
import { BivouacError } from '../../src/util/errors.js';

describe('agent config: client artifact', () => {
  test("Nomad's defaults: 30m read timeout, 100GB, no local dirs", () => {
    assert.deepEqual(mergeConfig().artifact, { httpReadTimeoutMs: 1_800_000, httpMaxBytes: 100e9, allowedLocalDirs: [] });
  });

  test('the file sets each key', () => {
    const c = mergeConfig(configFromFile({ client: [{ artifact: [{ http_read_timeout: '90s', http_max_size: '512MiB', allowed_local_dirs: ['/srv/artifacts'] }] }] }, 'a.hcl'));
    assert.deepEqual(c.artifact, { httpReadTimeoutMs: 90_000, httpMaxBytes: 512 * 2 ** 20, allowedLocalDirs: ['/srv/artifacts'] });
  });

  test('sizes as humanize reads them', () => {
    assert.equal(parseSize('100GB', 'x'), 100e9);
    assert.equal(parseSize('1.5MB', 'x'), 1.5e6);
    assert.equal(parseSize('2KiB', 'x'), 2048);
    assert.equal(parseSize('1024', 'x'), 1024);
  });

  const bad: readonly [string, Record<string, unknown>][] = [
    ['unknown key', { http_timeout: '1s' }],
    ['bad duration', { http_read_timeout: 'soon' }],
    ['bad size', { http_max_size: 'lots' }],
    ['relative dir', { allowed_local_dirs: ['srv'] }],
  ];
  for (const [name, body] of bad) {
    test(`refused: ${name}`, () => {
      assert.throws(() => configFromFile({ client: [{ artifact: [body] }] }, 'a.hcl'), (e: unknown) => e instanceof BivouacError && e.code === 'CONFIG' && e.userMessage.startsWith('a.hcl: client.artifact'));
    });
  }
});
