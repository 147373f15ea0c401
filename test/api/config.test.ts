/** The API's agent config: --http / BIVOUAC_HTTP_ADDR / addresses+ports, and the acl block. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configFromEnv, configFromFile, mergeConfig, parseHttpAddr } from '../../src/agent/config.js';
import { BivouacError } from '../../src/util/errors.js';

describe('HTTP API config', () => {
  test('off by default', () => {
    const c = mergeConfig();
    assert.equal(c.httpAddr, null);
    assert.deepEqual(c.acl, { enabled: false, tokenFile: null });
  });

  test('addresses: host:port, :port, a bare port, IPv6', () => {
    assert.equal(parseHttpAddr('127.0.0.1:4646', 'x'), '127.0.0.1:4646');
    assert.equal(parseHttpAddr(':8080', 'x'), '127.0.0.1:8080');
    assert.equal(parseHttpAddr('4646', 'x'), '127.0.0.1:4646');
    assert.equal(parseHttpAddr('[::1]:0', 'x'), '[::1]:0');
    for (const bad of ['', 'localhost', '1.2.3.4:99999', 'a b:1', '70000']) {
      assert.throws(() => parseHttpAddr(bad, '--http'), (e: unknown) => e instanceof BivouacError && e.code === 'CONFIG' && e.message.includes('--http'), bad);
    }
  });

  test("Nomad's agent words in the config file", () => {
    assert.equal(configFromFile({ addresses: [{ http: '0.0.0.0' }], ports: [{ http: 5656 }] }, 'a.hcl').httpAddr, '0.0.0.0:5656');
    assert.equal(configFromFile({ ports: [{ http: 5656 }] }, 'a.hcl').httpAddr, '127.0.0.1:5656');
    assert.deepEqual(configFromFile({ acl: [{ enabled: true, token_file: '/etc/bivouac/token' }] }, 'a.hcl').acl, { enabled: true, tokenFile: '/etc/bivouac/token' });
    assert.throws(() => configFromFile({ acl: [{ enabled: true }] }, 'a.hcl'), /token_file/);
    assert.throws(() => configFromFile({ addresses: [{ rpc: '1.2.3.4' }] }, 'a.hcl'), /unknown key "rpc"/);
  });

  test('the environment: BIVOUAC_HTTP_ADDR and BIVOUAC_ACL_TOKEN_FILE, flags over env over file', () => {
    const env = configFromEnv({ BIVOUAC_HTTP_ADDR: ':7000', BIVOUAC_ACL_TOKEN_FILE: '/run/token' });
    assert.equal(env.httpAddr, '127.0.0.1:7000');
    assert.deepEqual(env.acl, { enabled: true, tokenFile: '/run/token' });
    const merged = mergeConfig(configFromFile({ ports: [{ http: 1 }] }, 'a.hcl'), env, { httpAddr: '127.0.0.1:9' });
    assert.equal(merged.httpAddr, '127.0.0.1:9');
  });
});

describe('the ACL token file', () => {
  test('read at start; a missing or empty one is a config error, not a half-up agent', async () => {
    const { readToken } = await import('../../src/api/index.js');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'bivouac-token-'));
    const base = mergeConfig();
    assert.equal(readToken(base), null);
    assert.throws(() => readToken({ ...base, acl: { enabled: true, tokenFile: join(dir, 'none') } }), (e: unknown) => e instanceof BivouacError && e.code === 'CONFIG');
    writeFileSync(join(dir, 'empty'), '\n');
    assert.throws(() => readToken({ ...base, acl: { enabled: true, tokenFile: join(dir, 'empty') } }), /no usable token/);
    writeFileSync(join(dir, 'ok'), 'a-management-token\n');
    assert.equal(readToken({ ...base, acl: { enabled: true, tokenFile: join(dir, 'ok') } }), 'a-management-token');
    const { rmSync } = await import('node:fs');
    rmSync(dir, { recursive: true, force: true });
  });
});
