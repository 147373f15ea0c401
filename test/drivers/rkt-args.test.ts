/** Exact argument vectors for representative configs (Nomad ≥ 0.7 order, 0.8 units). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildPrepareArgs, buildRunPreparedArgs, buildTrustArgs, decodeRktConfig, type RktArgsOptions } from '../../src/drivers/rkt/index.js';
import type { TaskConfig } from '../../src/drivers/types.js';
import { isBivouacError } from '../../src/util/errors.js';

const A = '5a1b0000-0000-0000-0000-000000000001';
const base: TaskConfig = {
  id: `${A}/redis`, allocId: A, jobId: 'j', groupName: 'g', taskName: 'redis',
  driverConfig: null, env: { NOMAD_TASK_NAME: 'redis', NOMAD_ALLOC_DIR: '/host/alloc' }, user: '',
  resources: { cpu: 500, memoryMB: 256, memoryMaxMB: 0 }, ports: [],
  dirs: { allocDir: '/d/alloc', taskDir: '/d/redis', localDir: '/d/redis/local', secretsDir: '/d/redis/secrets', tmpDir: '/d/redis/tmp' },
  stdoutPath: '/d/o', stderrPath: '/d/e',
};
const dirs = [
  `--volume=${A}-redis-alloc,kind=host,source=/d/alloc`, `--mount=volume=${A}-redis-alloc,target=/alloc`,
  `--volume=${A}-redis-local,kind=host,source=/d/redis/local`, `--mount=volume=${A}-redis-local,target=/local`,
  `--volume=${A}-redis-secrets,kind=host,source=/d/redis/secrets`, `--mount=volume=${A}-redis-secrets,target=/secrets`,
];
const env = ['--set-env=NOMAD_ALLOC_DIR=/alloc', '--set-env=NOMAD_SECRETS_DIR=/secrets', '--set-env=NOMAD_TASK_DIR=/local', '--set-env=NOMAD_TASK_NAME=redis'];
// No `user`: the app runs as nobody, by number (the image may have no /etc/passwd).
const nobody = ['--user=65534', '--group=65534'];
const opts: RktArgsOptions = { rktVersion: '1.30.0', volumesEnabled: true, rktDir: null };

const cases: ReadonlyArray<{ name: string; config: Record<string, unknown>; cfg?: Partial<TaskConfig>; opts?: Partial<RktArgsOptions>; prepare: readonly string[]; run: readonly string[]; trust?: readonly string[] }> = [
  {
    name: 'insecure default, resources, args (Nomad worked example)',
    config: { image: 'docker://redis:7', args: ['--appendonly', 'yes'], port_map: [{ db: '6379-tcp' }] },
    cfg: { ports: [{ label: 'db', value: 23456, to: 23456, ip: '127.0.0.1' }] },
    prepare: ['--insecure-options=all', '--debug=false', 'prepare', ...dirs, ...env, 'docker://redis:7', '--memory=256M', '--cpu=500m', '--port=6379-tcp:23456', ...nobody, '--', '--appendonly', 'yes'],
    run: ['--insecure-options=all', '--debug=false', 'run-prepared', 'U'],
  },
  {
    name: 'trust prefix: no insecure option, trust first',
    config: { image: 'coreos.com/etcd:v2.0.4', trust_prefix: 'coreos.com/etcd', command: '/etcd', debug: true },
    prepare: ['--debug=true', 'prepare', ...dirs, ...env, 'coreos.com/etcd:v2.0.4', '--exec=/etcd', '--memory=256M', '--cpu=500m', ...nobody],
    run: ['--debug=true', 'run-prepared', 'U'],
    trust: ['trust', '--skip-fingerprint-review=true', '--prefix=coreos.com/etcd', '--debug=true'],
  },
  {
    name: 'insecure_options wins; static and dynamic ports; user, group, no_overlay, --dir',
    config: { image: 'example.com/sh:1.0', trustPrefix: 'example.com/sh', insecureOptions: ['image', 'tls'], portMap: { http: 'http', admin: 'admin' }, group: 'staff', noOverlay: true },
    cfg: { user: 'nobody', ports: [{ label: 'http', value: 8080, to: 8080, ip: '' }, { label: 'admin', value: 25001, to: 25001, ip: '' }] },
    opts: { rktDir: '/r' },
    prepare: ['--dir=/r', '--insecure-options=image,tls', '--debug=false', 'prepare', '--no-overlay=true', ...dirs, ...env, 'example.com/sh:1.0', '--memory=256M', '--cpu=500m', '--port=http:8080', '--port=admin:25001', '--user=nobody', '--group=staff'],
    run: ['--dir=/r', '--insecure-options=image,tls', '--debug=false', 'run-prepared', 'U'],
    trust: ['--dir=/r', 'trust', '--skip-fingerprint-review=true', '--prefix=example.com/sh', '--debug=false'],
  },
  {
    name: 'volumes incl. readOnly; dns servers and search; net',
    config: { image: 'i', volumes: ['/h/a:/a', '/h/b:/b:readOnly'], dns_servers: ['8.8.8.8', '1.1.1.1'], dns_search_domains: ['example.com'], net: ['default', 'extra'] },
    prepare: ['--insecure-options=all', '--debug=false', 'prepare', ...dirs, `--volume=${A}-redis-0,kind=host,source=/h/a,readOnly=false`, `--mount=volume=${A}-redis-0,target=/a`, `--volume=${A}-redis-1,kind=host,source=/h/b,readOnly=true`, `--mount=volume=${A}-redis-1,target=/b`, ...env, 'i', '--memory=256M', '--cpu=500m', ...nobody],
    run: ['--insecure-options=all', '--debug=false', 'run-prepared', '--dns=8.8.8.8', '--dns=1.1.1.1', '--dns-search=example.com', '--net=default,extra', 'U'],
  },
  {
    name: 'dns host, net host: ports skipped without port_map',
    config: { image: 'i', dns_servers: ['host'], net: ['host'] },
    cfg: { ports: [{ label: 'http', value: 8080, to: 8080, ip: '' }] },
    prepare: ['--insecure-options=all', '--debug=false', 'prepare', ...dirs, ...env, 'i', '--memory=256M', '--cpu=500m', ...nobody],
    run: ['--insecure-options=all', '--debug=false', 'run-prepared', '--dns=host', '--net=host', 'U'],
  },
  {
    name: 'rkt older than 0.10.0: no task dir mounts, dir variables dropped; task name made an AC name',
    config: { image: 'i', dns_servers: ['none'] },
    cfg: { taskName: 'My_Task' },
    opts: { rktVersion: '0.8.1' },
    prepare: ['--insecure-options=all', '--debug=false', 'prepare', '--set-env=NOMAD_TASK_NAME=redis', 'i', '--memory=256M', '--cpu=500m', ...nobody],
    run: ['--insecure-options=all', '--debug=false', 'run-prepared', '--dns=none', 'U'],
  },
  {
    name: 'no user but a group: nobody in that group',
    config: { image: 'i', group: 'staff' },
    prepare: ['--insecure-options=all', '--debug=false', 'prepare', ...dirs, ...env, 'i', '--memory=256M', '--cpu=500m', '--user=65534', '--group=staff'],
    run: ['--insecure-options=all', '--debug=false', 'run-prepared', 'U'],
  },
  {
    name: 'user root: run as root, group left to the image',
    config: { image: 'i' },
    cfg: { user: 'root' },
    prepare: ['--insecure-options=all', '--debug=false', 'prepare', ...dirs, ...env, 'i', '--memory=256M', '--cpu=500m', '--user=root'],
    run: ['--insecure-options=all', '--debug=false', 'run-prepared', 'U'],
  },
];

describe('rkt argument vectors', () => {
  for (const c of cases) {
    test(c.name, () => {
      const config = decodeRktConfig(c.config);
      const o = { ...opts, ...c.opts };
      assert.deepEqual(buildPrepareArgs({ ...base, ...c.cfg }, config, o), c.prepare);
      assert.deepEqual(buildRunPreparedArgs(config, 'U', o.rktDir), c.run);
      assert.deepEqual(buildTrustArgs(config, o.rktDir), c.trust ?? []);
    });
  }
  test('a relative volume source is read against the task dir and may reach the shared alloc dir', () => {
    const args = buildPrepareArgs(base, decodeRktConfig({ image: 'i', volumes: ['local/data:/data', '../alloc/data:/shared:readOnly'] }), opts);
    assert.ok(args.includes(`--volume=${A}-redis-0,kind=host,source=/d/redis/local/data,readOnly=false`));
    assert.ok(args.includes(`--volume=${A}-redis-1,kind=host,source=/d/alloc/data,readOnly=true`));
  });

  test('volume names are AC names', () => {
    const args = buildPrepareArgs({ ...base, taskName: 'My_Task' }, decodeRktConfig({ image: 'i' }), opts);
    assert.equal(args[3], `--volume=${A}-my-task-alloc,kind=host,source=/d/alloc`);
  });

  const errors: ReadonlyArray<{ name: string; config: Record<string, unknown>; cfg?: Partial<TaskConfig>; volumesEnabled?: boolean; msg: string }> = [
    { name: 'bad volume', config: { image: 'i', volumes: ['/only'] }, msg: 'invalid rkt volume: "/only"' },
    { name: 'volumes disabled', config: { image: 'i', volumes: ['/a:/b'] }, volumesEnabled: false, msg: 'volumes_enabled is false; cannot use rkt volumes: [/a:/b]' },
    { name: 'port without port_map', config: { image: 'i' }, cfg: { ports: [{ label: 'x', value: 1, to: 1, ip: '' }] }, msg: 'port_map is not set. When you defined port in the resources, you need to configure port_map.' },
    { name: 'port_map without ports', config: { image: 'i', port_map: { x: 'y' } }, msg: 'Trying to map ports but no network interface is available' },
    { name: 'dns host mixed with an ip', config: { image: 'i', dns_servers: ['host', '8.8.8.8'] }, msg: 'invalid ip address for container dns server "host"' },
    { name: 'missing image', config: {}, msg: 'invalid rkt config: image is required' },
    { name: 'relative volume source leaving the alloc dir', config: { image: 'i', volumes: ['../../etc:/x'] }, msg: 'rkt volume source "../../etc" leaves the allocation directory' },
  ];
  for (const e of errors) {
    test(`error: ${e.name}`, () => {
      assert.throws(
        () => {
          const config = decodeRktConfig(e.config);
          buildPrepareArgs({ ...base, ...e.cfg }, config, { ...opts, volumesEnabled: e.volumesEnabled ?? true });
          buildRunPreparedArgs(config, 'U', null);
        },
        (err: unknown) => isBivouacError(err) && err.code === 'DRIVER_START' && !err.recoverable && err.userMessage === e.msg,
      );
    });
  }
});
