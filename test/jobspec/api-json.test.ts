import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { canonicalHash, parseJobFile, toApiJson, type Job } from '../../src/jobspec/index.js';
import { fixturesDir } from '../helpers/paths.js';
import { job, wrap } from './helpers.js';

const fixture = (name: string): string => readFileSync(join(fixturesDir, 'jobspec', name), 'utf8');

async function fixtureJob(name: string, text = fixture(name)): Promise<Job> {
  const r = await parseJobFile(name, text);
  assert.ok(r.job, JSON.stringify(r.diagnostics));
  return r.job;
}

describe('toApiJson', () => {
  test("Nomad's API shape, durations in nanoseconds", async () => {
    const api = toApiJson(await fixtureJob('raw-batch.nomad.hcl'));
    const j = api.Job;
    assert.equal(j['ID'], 'nightly');
    assert.equal(j['Type'], 'batch');
    assert.equal(j['Priority'], 50);
    assert.deepEqual(j['Datacenters'], ['*']);
    const groups = j['TaskGroups'] as readonly Record<string, unknown>[];
    const g = groups[0];
    assert.equal(g['Count'], 1);
    assert.deepEqual(g['RestartPolicy'], { Attempts: 1, Interval: 86_400_000_000_000, Delay: 15_000_000_000, Mode: 'fail' });
    assert.deepEqual(g['EphemeralDisk'], { SizeMB: 300, Sticky: false, Migrate: false });
    assert.deepEqual(g['Networks'], [{
      Mode: '', Device: '', CIDR: '', IP: '', DNS: null, MBits: null,
      ReservedPorts: [{ Label: 'metrics', Value: 8080, To: 80, HostNetwork: '' }], DynamicPorts: null,
    }]);
    const t = (g['Tasks'] as readonly Record<string, unknown>[])[0];
    assert.equal(t['Driver'], 'raw_exec');
    assert.deepEqual(t['Config'], { command: '/bin/sh', args: ['-c', 'echo ${NOMAD_TASK_DIR}'] });
    assert.equal(t['KillTimeout'], 5_000_000_000);
    // No invented kill signal: Nomad leaves it empty and the driver decides.
    assert.equal(t['KillSignal'], '');
    assert.deepEqual(t['LogConfig'], { MaxFiles: 3, MaxFileSizeMB: 5 });
    assert.deepEqual(t['Resources'], { CPU: 100, MemoryMB: 300, DiskMB: null, Networks: null, Devices: null, IOPS: null });
    assert.deepEqual(t['RestartPolicy'], { Attempts: 1, Interval: 86_400_000_000_000, Delay: 5_000_000_000, Mode: 'fail' });
  });

  test('constraints as LTarget/RTarget/Operand, and extra blocks in API names', async () => {
    const j = await job(wrap({
      job: 'constraint {\n attribute = "${attr.kernel.name}"\n value = "linux"\n }\n update {\n stagger = "30s"\n max_parallel = 2\n }',
      group: 'network {\n port "http" {}\n }',
      task: 'service {\n name = "web"\n port = "http"\n check {\n type = "tcp"\n interval = "10s"\n timeout = "2s"\n }\n }',
    }));
    const api = toApiJson(j).Job;
    assert.deepEqual(api['Constraints'], [{ LTarget: '${attr.kernel.name}', RTarget: 'linux', Operand: '=' }]);
    // Written fields over api.UpdateStrategy's Canonicalize defaults.
    const update = {
      Stagger: 30_000_000_000, MaxParallel: 2, HealthCheck: 'checks', MinHealthyTime: 10_000_000_000,
      HealthyDeadline: 300_000_000_000, ProgressDeadline: 600_000_000_000, Canary: 0, AutoRevert: false, AutoPromote: false,
    };
    assert.deepEqual(api['Update'], update);
    const group = (api['TaskGroups'] as readonly Record<string, unknown>[])[0];
    assert.deepEqual(group['Update'], update, 'the group inherits the job update');
    const task = (group['Tasks'] as readonly Record<string, unknown>[])[0];
    assert.deepEqual(task['Services'], [{
      Id: '', Name: 'web', Tags: null, CanaryTags: null, EnableTagOverride: false, PortLabel: 'http', AddressMode: 'auto',
      CheckRestart: null, Connect: null, Meta: null, CanaryMeta: null, TaskName: '',
      Checks: [{
        Id: '', Name: '', Type: 'tcp', Command: '', Args: null, Path: '', Protocol: '', PortLabel: '', Expose: false,
        AddressMode: '', Interval: 10_000_000_000, Timeout: 2_000_000_000, InitialStatus: '', TLSSkipVerify: false,
        Header: null, Method: '', CheckRestart: null, GRPCService: '', GRPCUseTLS: false, TaskName: '',
        SuccessBeforePassing: 0, FailuresBeforeCritical: 0,
      }],
    }]);
  });
});

describe('canonicalHash', () => {
  const text = fixture('rkt-web.nomad');

  test('is stable across whitespace, comments and attribute order', async () => {
    const base = canonicalHash(await fixtureJob('rkt-web.nomad'));
    const spaced = text.replace(/\n/g, '\n\n').replace(/ = /g, '   =   ').replace('# An rkt', '// changed comment\n# An rkt');
    assert.equal(canonicalHash(await fixtureJob('x', spaced)), base);
    const reordered = text.replace('  datacenters = ["dc1"]\n  type        = "service"\n', '  type = "service"\n  datacenters = ["dc1"]\n');
    assert.notEqual(reordered, text);
    assert.equal(canonicalHash(await fixtureJob('x', reordered)), base);
    assert.match(base, /^[0-9a-f]{64}$/);
  });

  test('changes with a real edit, including an explicit default made different', async () => {
    const base = canonicalHash(await fixtureJob('rkt-web.nomad'));
    assert.notEqual(canonicalHash(await fixtureJob('x', text.replace('count = 2', 'count = 3'))), base);
    assert.notEqual(canonicalHash(await fixtureJob('x', text.replace('memory = 256', 'memory = 257'))), base);
  });

  test('an explicit default hashes like the omitted one', async () => {
    const a = canonicalHash(await job(wrap({})));
    const b = canonicalHash(await job(wrap({ job: 'priority = 50\n region = "global"', task: 'kill_timeout = "5s"' })));
    assert.equal(a, b);
  });
});

describe('toApiJson: the issue-10 fields, one by one', () => {
  const groupsOf = (api: Record<string, unknown>): readonly Record<string, unknown>[] => api['TaskGroups'] as readonly Record<string, unknown>[];
  const tasksOf = (g: Record<string, unknown>): readonly Record<string, unknown>[] => g['Tasks'] as readonly Record<string, unknown>[];

  test('groups, tasks and ports in file order, never sorted', async () => {
    const text = 'job "j" {\n  group "zeta" {\n    network {\n      port "web" {}\n      port "admin" {}\n    }\n    task "b" {\n      driver = "docker"\n      config {\n        image = "x"\n      }\n    }\n    task "a" {\n      driver = "docker"\n      config {\n        image = "x"\n      }\n    }\n  }\n  group "alpha" {\n    task "t" {\n      driver = "docker"\n      config {\n        image = "x"\n      }\n    }\n  }\n}\n';
    const api = toApiJson(await job(text)).Job;
    assert.deepEqual(groupsOf(api).map((g) => g['Name']), ['zeta', 'alpha']);
    assert.deepEqual(tasksOf(groupsOf(api)[0]).map((t) => t['Name']), ['b', 'a']);
    const net = (groupsOf(api)[0]['Networks'] as readonly Record<string, unknown>[])[0];
    assert.deepEqual((net['DynamicPorts'] as readonly Record<string, unknown>[]).map((p) => p['Label']), ['web', 'admin']);
  });

  test('vault is pushed down into tasks (the task\'s own wins, then the group\'s, then the job\'s); groups have no Vault', async () => {
    const text = wrap({ job: 'vault {\n policies = ["job"]\n }', group: 'vault {\n policies = ["group"]\n change_mode = "noop"\n }' })
      .replace('  }\n}\n', '    task "own" {\n      driver = "raw_exec"\n      config {\n        command = "x"\n      }\n      vault {\n        policies = ["own"]\n      }\n    }\n  }\n  group "h" {\n    task "u" {\n      driver = "raw_exec"\n      config {\n        command = "x"\n      }\n    }\n  }\n}\n');
    const api = toApiJson(await job(text)).Job;
    const [g, h] = groupsOf(api);
    const vault = (policies: string[], mode = 'restart'): Record<string, unknown> => ({ Policies: policies, Namespace: '', Env: true, ChangeMode: mode, ChangeSignal: 'SIGHUP' });
    assert.deepEqual(tasksOf(g).map((t) => t['Vault']), [vault(['group'], 'noop'), vault(['own'])]);
    assert.deepEqual(tasksOf(h).map((t) => t['Vault']), [vault(['job'])]);
    assert.ok(!('Vault' in g) && !('Vault' in api), 'no Vault field outside tasks');
  });

  test('affinities and spreads in Nomad\'s shape, with Canonicalize\'s weight', async () => {
    const api = toApiJson(await job(wrap({
      group: 'affinity {\n attribute = "${node.datacenter}"\n value = "dc1"\n }\n spread {\n attribute = "${meta.rack}"\n target "r1" {\n percent = 70\n }\n target "r2" {\n percent = 30\n }\n }',
    }))).Job;
    const g = groupsOf(api)[0];
    assert.deepEqual(g['Affinities'], [{ LTarget: '${node.datacenter}', RTarget: 'dc1', Operand: '=', Weight: 50 }]);
    assert.deepEqual(g['Spreads'], [{ Attribute: '${meta.rack}', Weight: 50, SpreadTarget: [{ Value: 'r1', Percent: 70 }, { Value: 'r2', Percent: 30 }] }]);
  });

  test('driver config blocks as lists of maps; no invented kill signal, mbits or host network; task disk kept; distinct_hosts RTarget empty', async () => {
    const api = toApiJson(await job(wrap({
      job: 'constraint {\n distinct_hosts = true\n }',
      task: 'resources {\n disk = 64\n network {\n port "db" {}\n }\n }',
    }).replace('driver = "raw_exec"', 'driver = "docker"').replace('command = "/bin/true"', 'image = "redis"\n port_map {\n db = 6379\n }\n logging {\n type = "syslog"\n config {\n tag = "x"\n }\n }'))).Job;
    const t = tasksOf(groupsOf(api)[0])[0];
    assert.deepEqual(t['Config'], { image: 'redis', port_map: [{ db: 6379 }], logging: [{ type: 'syslog', config: [{ tag: 'x' }] }] });
    assert.equal(t['KillSignal'], '');
    const res = t['Resources'] as Record<string, unknown>;
    assert.equal(res['DiskMB'], 64);
    const net = (res['Networks'] as readonly Record<string, unknown>[])[0];
    assert.equal(net['MBits'], null);
    assert.deepEqual(net['DynamicPorts'], [{ Label: 'db', Value: 0, To: 0, HostNetwork: '' }]);
    assert.deepEqual(api['Constraints'], [{ LTarget: '', RTarget: '', Operand: 'distinct_hosts' }]);
  });

  test('update, migrate, scaling, services and dns complete with Nomad\'s defaults', async () => {
    const api = toApiJson(await job(wrap({
      group: 'count = 2\n migrate {\n max_parallel = 2\n }\n scaling {\n max = 5\n policy {\n cooldown = "1m"\n }\n }\n network {\n mode = "bridge"\n port "http" {}\n dns {\n servers = ["1.1.1.1"]\n }\n }\n service {\n port = "http"\n check_restart {\n limit = 3\n }\n check {\n type = "http"\n path = "/"\n interval = "10s"\n timeout = "2s"\n }\n }',
    }))).Job;
    const g = groupsOf(api)[0];
    assert.deepEqual(g['Migrate'], { MaxParallel: 2, HealthCheck: 'checks', MinHealthyTime: 10e9, HealthyDeadline: 300e9 });
    assert.deepEqual(g['Scaling'], { ID: '', Namespace: '', Type: 'horizontal', Target: null, Min: 2, Max: 5, Policy: { cooldown: '1m' }, Enabled: true, CreateIndex: 0, ModifyIndex: 0 });
    const svc = (g['Services'] as readonly Record<string, unknown>[])[0];
    assert.equal(svc['Name'], 'j-g', 'a group service is named job-group');
    assert.equal(svc['PortLabel'], 'http');
    const check = (svc['Checks'] as readonly Record<string, unknown>[])[0];
    assert.deepEqual(check['CheckRestart'], { Limit: 3, Grace: 1e9, IgnoreWarnings: false }, 'the service check_restart merged in, grace 1s');
    const net = (g['Networks'] as readonly Record<string, unknown>[])[0];
    assert.deepEqual(net['DNS'], { Servers: ['1.1.1.1'], Searches: null, Options: null });
    assert.equal(g['Update'] !== null, true, 'a service group inherits the default update');
  });
});
