import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Group, Job, Task } from '../../src/jobspec/types.js';
import { allocName, buildTaskEnv, envSafe, type TaskEnvInput } from '../../src/runner/env.js';

const task: Task = {
  name: 'server',
  driver: 'raw_exec',
  driverConfig: { driver: 'raw_exec', config: { command: '/bin/true', args: [] } },
  rawConfig: {},
  user: '',
  env: {
    GREETING: 'hi ${NOMAD_TASK_NAME} on ${attr.kernel.name}',
    LISTEN: '${NOMAD_ADDR_http}',
    NOMAD_CPU_LIMIT: 'overridden',
    '${NOMAD_TASK_NAME}_KEY': 'v',
    KEEP: '${UNKNOWN}',
    SELF: '${GREETING}',
  },
  meta: { owner: 'task-team', 'team.name': 'ops' },
  resources: { cpu: 500, cores: 0, memoryMB: 256, memoryMaxMB: 512, diskMB: null, networks: [] },
  killTimeoutMs: 5000,
  killSignal: 'SIGINT',
  leader: false,
  logs: { maxFiles: 10, maxFileSizeMB: 10 },
  constraints: [],
  restart: { attempts: 2, intervalMs: 1_800_000, delayMs: 15_000, mode: 'fail' },
  artifacts: [],
  templates: [],
  lifecycle: null,
  dispatchPayloadFile: null,
  extra: {},
};
const group: Group = {
  name: 'web',
  count: 2,
  constraints: [],
  restart: task.restart,
  reschedule: null,
  ephemeralDisk: { sizeMB: 300, sticky: false, migrate: false },
  networks: [],
  meta: { owner: 'group-team', tier: 'front' },
  tasks: [task],
  extra: {},
};
const job: Job = {
  id: 'shop',
  name: 'shop-name',
  type: 'service',
  priority: 50,
  region: 'eu',
  namespace: 'default',
  datacenters: ['dc1'],
  allAtOnce: false,
  constraints: [],
  meta: { owner: 'job-team', env: 'prod' },
  periodic: null,
  parameterized: null,
  groups: [group],
  extra: {},
};

const input: TaskEnvInput = {
  job,
  group,
  task,
  allocId: '6e9a2a44-3f1c-8d5e-0b7a-4a1e9b2d5c10',
  allocIndex: 1,
  datacenter: 'dc1',
  dirs: { allocDir: '/data/alloc/x/alloc', localDir: '/data/alloc/x/server/local', secretsDir: '/data/alloc/x/server/secrets' },
  pathStyle: 'host',
  ports: [
    { label: 'http', value: 23817, to: 23817, ip: '10.0.2.15' },
    { label: 'db-admin', value: 25000, to: 5432, ip: '10.0.2.15' },
  ],
  nodeVars: { 'attr.kernel.name': 'linux' },
};

test('buildTaskEnv: every NOMAD_* variable that applies', () => {
  const env = buildTaskEnv(input);
  const want: Record<string, string> = {
    NOMAD_ALLOC_DIR: '/data/alloc/x/alloc',
    NOMAD_TASK_DIR: '/data/alloc/x/server/local',
    NOMAD_SECRETS_DIR: '/data/alloc/x/server/secrets',
    NOMAD_MEMORY_LIMIT: '256',
    NOMAD_MEMORY_MAX_LIMIT: '512',
    NOMAD_ALLOC_ID: '6e9a2a44-3f1c-8d5e-0b7a-4a1e9b2d5c10',
    NOMAD_SHORT_ALLOC_ID: '6e9a2a44',
    NOMAD_ALLOC_NAME: 'shop.web[1]',
    NOMAD_ALLOC_INDEX: '1',
    NOMAD_TASK_NAME: 'server',
    NOMAD_GROUP_NAME: 'web',
    NOMAD_JOB_NAME: 'shop-name',
    NOMAD_JOB_ID: 'shop',
    NOMAD_DC: 'dc1',
    NOMAD_REGION: 'eu',
    NOMAD_NAMESPACE: 'default',
    NOMAD_META_owner: 'task-team',
    NOMAD_META_OWNER: 'task-team',
    NOMAD_META_tier: 'front',
    NOMAD_META_TIER: 'front',
    NOMAD_META_env: 'prod',
    NOMAD_META_ENV: 'prod',
    NOMAD_META_team_name: 'ops',
    NOMAD_META_TEAM_NAME: 'ops',
    NOMAD_IP_http: '10.0.2.15',
    NOMAD_PORT_http: '23817',
    NOMAD_ADDR_http: '10.0.2.15:23817',
    NOMAD_HOST_IP_http: '10.0.2.15',
    NOMAD_HOST_PORT_http: '23817',
    NOMAD_HOST_ADDR_http: '10.0.2.15:23817',
    NOMAD_ALLOC_PORT_http: '23817',
    NOMAD_IP_db_admin: '10.0.2.15',
    NOMAD_PORT_db_admin: '5432',
    NOMAD_ADDR_db_admin: '10.0.2.15:5432',
    NOMAD_HOST_IP_db_admin: '10.0.2.15',
    NOMAD_HOST_PORT_db_admin: '25000',
    NOMAD_HOST_ADDR_db_admin: '10.0.2.15:25000',
    NOMAD_ALLOC_PORT_db_admin: '5432',
    // The env block, interpolated against the NOMAD_* values and node variables:
    GREETING: 'hi server on linux',
    LISTEN: '10.0.2.15:23817',
    NOMAD_CPU_LIMIT: 'overridden',
    server_KEY: 'v',
    KEEP: '${UNKNOWN}',
    SELF: '${GREETING}',
  };
  assert.deepEqual(env, want);
});

test('buildTaskEnv: image drivers see the in-image paths', () => {
  const env = buildTaskEnv({ ...input, pathStyle: 'image', task: { ...task, env: {} } });
  assert.equal(env.NOMAD_ALLOC_DIR, '/alloc');
  assert.equal(env.NOMAD_TASK_DIR, '/local');
  assert.equal(env.NOMAD_SECRETS_DIR, '/secrets');
  assert.equal(env.NOMAD_CPU_LIMIT, '500');
});

test('buildTaskEnv: no memory max or cores variables when unset', () => {
  const env = buildTaskEnv({ ...input, task: { ...task, resources: { ...task.resources, memoryMaxMB: 0, cores: 2 } } });
  assert.equal(env.NOMAD_MEMORY_MAX_LIMIT, undefined);
  assert.equal(env.NOMAD_CPU_CORES, '2');
});

test('helpers', () => {
  assert.equal(allocName('example', 'cache', 0), 'example.cache[0]');
  assert.equal(envSafe('a-b.c d_e9'), 'a_b_c_d_e9');
});
