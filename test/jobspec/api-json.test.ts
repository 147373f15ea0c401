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
