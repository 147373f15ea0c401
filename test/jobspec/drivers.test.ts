import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseJobFile } from '../../src/jobspec/index.js';
import { fixturesDir } from '../helpers/paths.js';
import { errorCodes, job, parse } from './helpers.js';

const fixture = (name: string): string => readFileSync(join(fixturesDir, 'jobspec', name), 'utf8');

const task = (driver: string, config: string): string =>
  `job "j" {\n  group "g" {\n    task "t" {\n      driver = "${driver}"\n      ${config}\n    }\n  }\n}\n`;

describe('driver config', () => {
  test('rkt: every key of the rkt taskConfigSpec, typed', async () => {
    const r = await parseJobFile('rkt-web.nomad', fixture('rkt-web.nomad'));
    assert.ok(r.job, JSON.stringify(r.diagnostics));
    const t = r.job.groups[0].tasks[0];
    assert.equal(t.driverConfig.driver, 'rkt');
    if (t.driverConfig.driver !== 'rkt') return;
    assert.deepEqual(t.driverConfig.config, {
      image: 'coreos.com/etcd:v2.0.4',
      command: '/etcd',
      args: ['--name=${NOMAD_ALLOC_ID}', '--listen=http://0.0.0.0:${NOMAD_PORT_http}'],
      trustPrefix: 'coreos.com/etcd',
      dnsServers: ['8.8.8.8'],
      dnsSearchDomains: ['example.com'],
      net: ['default'],
      portMap: { http: '2379-tcp' },
      volumes: ['/srv/data:/data:true'],
      insecureOptions: ['image'],
      noOverlay: true,
      debug: false,
      group: 'etcd',
    });
    assert.deepEqual(t.env, { NODE_CLASS: '${node.class}', LITERAL: '${not_interpolated}' });
    assert.deepEqual(t.resources.networks[0].reservedPorts.map((p) => [p.label, p.value]), [['admin', 9000]]);
    assert.equal(t.resources.networks[0].mbits, 20);
  });

  test('rkt: port_map in the old list-of-maps form merges into one map', async () => {
    const j = await job(task('rkt', 'config {\n image = "i"\n port_map = [{ http = "80-tcp" }, { dns = "53-udp" }]\n }'));
    const c = j.groups[0].tasks[0].driverConfig;
    assert.deepEqual(c.driver === 'rkt' && c.config.portMap, { http: '80-tcp', dns: '53-udp' });
  });

  const bad = [
    { name: 'rkt without image', text: task('rkt', 'config {\n command = "/x"\n }'), codes: ['MISSING_REQUIRED'] },
    { name: 'rkt without any config', text: task('rkt', ''), codes: ['MISSING_REQUIRED'] },
    { name: 'rkt with an unknown key', text: task('rkt', 'config {\n image = "i"\n rkt_options = ["x"]\n }'), codes: ['UNKNOWN_KEY'] },
    { name: 'rkt with a list where a bool goes', text: task('rkt', 'config {\n image = "i"\n debug = ["x"]\n }'), codes: ['WRONG_TYPE'] },
    { name: 'rkt with a map where a list goes', text: task('rkt', 'config {\n image = "i"\n net = { a = 1 }\n }'), codes: ['WRONG_TYPE'] },
    { name: 'raw_exec without command', text: task('raw_exec', 'config {\n args = ["x"]\n }'), codes: ['MISSING_REQUIRED'] },
    { name: 'raw_exec with an unknown key', text: task('raw_exec', 'config {\n command = "x"\n image = "y"\n }'), codes: ['UNKNOWN_KEY'] },
    { name: 'a task with no driver', text: task('', '').replace('driver = ""', ''), codes: ['MISSING_DRIVER'] },
  ];
  for (const { name, text, codes } of bad) {
    test(`rejects ${name}`, async () => {
      assert.deepEqual(errorCodes(await parse(text)), codes);
    });
  }

  test('raw_exec: command and args', async () => {
    const j = await job(task('raw_exec', 'config {\n command = "/bin/sh"\n args = ["-c", "echo ${NOMAD_TASK_DIR}"]\n }'));
    assert.deepEqual(j.groups[0].tasks[0].driverConfig, { driver: 'raw_exec', config: { command: '/bin/sh', args: ['-c', 'echo ${NOMAD_TASK_DIR}'] } });
  });

  test('other drivers keep their config as given', async () => {
    const j = await job(task('docker', 'config {\n image = "redis"\n port_map {\n db = 6379\n }\n anything = { deep = [1, 2] }\n }'));
    const t = j.groups[0].tasks[0];
    assert.equal(t.driverConfig.driver, 'other');
    assert.deepEqual(t.rawConfig, { image: 'redis', port_map: [{ db: 6379 }], anything: { deep: [1, 2] } });
  });
});
