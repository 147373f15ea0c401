import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { job, wrap } from './helpers.js';

describe('Nomad defaults', () => {
  test('an empty service job gets every default of nomad.md §1', async () => {
    const j = await job(wrap({}));
    assert.equal(j.type, 'service');
    assert.equal(j.priority, 50);
    assert.equal(j.region, 'global');
    assert.equal(j.namespace, 'default');
    assert.deepEqual(j.datacenters, ['*']);
    assert.equal(j.allAtOnce, false);
    assert.equal(j.name, 'j');
    const g = j.groups[0];
    assert.equal(g.count, 1);
    assert.deepEqual(g.ephemeralDisk, { sizeMB: 300, sticky: false, migrate: false });
    assert.deepEqual(g.restart, { attempts: 2, intervalMs: 30 * 60_000, delayMs: 15_000, mode: 'fail' });
    const t = g.tasks[0];
    assert.equal(t.resources.cpu, 100);
    assert.equal(t.resources.memoryMB, 300);
    assert.equal(t.resources.memoryMaxMB, 0);
    assert.equal(t.killTimeoutMs, 5_000);
    // Nomad leaves kill_signal empty and lets the driver decide; bivouac decides at run time.
    assert.equal(t.killSignal, '');
    assert.equal(t.resources.diskMB, null);
    assert.equal(t.leader, false);
    assert.deepEqual(t.logs, { maxFiles: 10, maxFileSizeMB: 10 });
    assert.deepEqual(t.restart, g.restart);
  });

  const restartTable = [
    { type: 'service', want: { attempts: 2, intervalMs: 1_800_000, delayMs: 15_000, mode: 'fail' } },
    { type: 'system', want: { attempts: 2, intervalMs: 1_800_000, delayMs: 15_000, mode: 'fail' } },
    { type: 'batch', want: { attempts: 3, intervalMs: 86_400_000, delayMs: 15_000, mode: 'fail' } },
    { type: 'sysbatch', want: { attempts: 3, intervalMs: 86_400_000, delayMs: 15_000, mode: 'fail' } },
  ];
  for (const { type, want } of restartTable) {
    test(`restart defaults for ${type} jobs`, async () => {
      const j = await job(wrap({ job: `type = "${type}"` }));
      assert.deepEqual(j.groups[0].restart, want);
      assert.deepEqual(j.groups[0].tasks[0].restart, want);
    });
  }

  test('a task restart block merges field by field over the group one', async () => {
    const j = await job(wrap({ job: 'type = "batch"', group: 'restart {\n attempts = 7\n mode = "delay"\n }', task: 'restart {\n delay = "1m"\n }' }));
    assert.deepEqual(j.groups[0].restart, { attempts: 7, intervalMs: 86_400_000, delayMs: 15_000, mode: 'delay' });
    assert.deepEqual(j.groups[0].tasks[0].restart, { attempts: 7, intervalMs: 86_400_000, delayMs: 60_000, mode: 'delay' });
  });

  test('a bare task in a job becomes a group of its own name, before declared groups', async () => {
    const j = await job(`job "j" {
  task "solo" {
    driver = "raw_exec"
    config { command = "/bin/true" }
  }
  group "g" {
    task "t" {
      driver = "raw_exec"
      config { command = "/bin/true" }
    }
  }
}`);
    assert.deepEqual(j.groups.map((g) => [g.name, g.count, g.tasks.map((t) => t.name)]), [['solo', 1, ['solo']], ['g', 1, ['t']]]);
  });

  test('group network ports as written; no invented mbits, mode or host network', async () => {
    const j = await job(wrap({
      group: 'network {\n mode = "bridge"\n port "http" {\n static = 8080\n to = 80\n }\n port "dyn" {}\n }',
      task: 'resources {\n network {\n port "x" {}\n }\n }',
    }));
    const n = j.groups[0].networks[0];
    assert.equal(n.mode, 'bridge');
    assert.deepEqual(n.reservedPorts, [{ label: 'http', value: 8080, to: 80, hostNetwork: '' }]);
    assert.deepEqual(n.dynamicPorts, [{ label: 'dyn', value: 0, to: 0, hostNetwork: '' }]);
    const tn = j.groups[0].tasks[0].resources.networks[0];
    assert.equal(tn.mbits, null);
    assert.equal(tn.mode, '');
    assert.deepEqual(tn.dynamicPorts.map((p) => p.label), ['x']);
  });

  test('meta and env read in both block and attribute forms', async () => {
    const j = await job(wrap({ job: 'meta {\n a = "1"\n n = 2\n }', task: 'env = {\n B = "x"\n "C.D" = "y"\n }' }));
    assert.deepEqual(j.meta, { a: '1', n: '2' });
    assert.deepEqual(j.groups[0].tasks[0].env, { B: 'x', 'C.D': 'y' });
  });

  test('a scaling block with no count starts at its minimum', async () => {
    const j = await job(wrap({ group: 'scaling {\n min = 2\n max = 5\n policy {}\n }' }));
    assert.equal(j.groups[0].count, 2);
  });
});
