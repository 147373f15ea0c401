/** The agent config's `client.chroot_env` (Nomad's word) and `plugin "exec"`, as exec reads them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG, configFromFile, mergeConfig } from '../../src/agent/config.js';
import { DEFAULT_CHROOT_ENV } from '../../src/drivers/exec/index.js';
import { assertRejectsCode } from './contract.js';

test('chroot_env: absent means Nomad\'s default map; a block or a map replaces it', () => {
  assert.equal(DEFAULT_CONFIG.chrootEnv, null);
  assert.deepEqual(Object.keys(DEFAULT_CHROOT_ENV).sort(), ['/bin', '/etc', '/lib', '/lib32', '/lib64', '/run/resolvconf', '/sbin', '/usr']);
  const asBlock = configFromFile({ client: [{ chroot_env: [{ '/usr': '/usr', '/etc/ssl': '/etc/ssl' }] }] }, 'a.hcl');
  assert.deepEqual(mergeConfig(asBlock).chrootEnv, { '/usr': '/usr', '/etc/ssl': '/etc/ssl' });
  const asMap = configFromFile({ client: [{ chroot_env: { '/opt/tools': '/tools' } }] }, 'a.hcl');
  assert.deepEqual(mergeConfig(asMap).chrootEnv, { '/opt/tools': '/tools' });
});

test('chroot_env: relative paths and ".." are refused naming the file and key', async () => {
  for (const m of [{ usr: '/usr' }, { '/usr': 'usr' }, { '/usr': '/../usr' }]) {
    await assertRejectsCode(() => configFromFile({ client: [{ chroot_env: m }] }, 'a.hcl'), 'CONFIG');
  }
  assert.throws(() => configFromFile({ client: [{ chroot_env: { usr: '/usr' } }] }, 'agent.hcl'), /agent\.hcl: client\.chroot_env/);
});

test('plugin "exec" is a known driver with no options', async () => {
  assert.deepEqual(configFromFile({ plugin: { exec: [{ config: [{}] }] } }, 'a.hcl'), {});
  await assertRejectsCode(() => configFromFile({ plugin: { exec: [{ config: [{ no_pivot_root: true }] }] } }, 'a.hcl'), 'CONFIG');
});
