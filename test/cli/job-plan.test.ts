/** `bivouac job plan` through the compiled CLI (`npx tsc -p .` first), on real data dirs. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliPath } from '../helpers/paths.js';
import { canonicalHash, parseJobFile } from '../../src/jobspec/index.js';
import type { NodeInfo } from '../../src/node/index.js';
import { insertAlloc, openState, putJobVersion, putNode, setAllocClientStatus, setAllocDesired, setJobStopped, type Database } from '../../src/state/index.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', BIVOUAC_RKT_PATH: '/nonexistent/rkt' };

function run(args: readonly string[], cwd: string, env: Readonly<Record<string, string>> = ENV): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env, cwd }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const GiB = 1024 ** 3;
const T0 = Date.parse('2024-05-02T09:00:00Z');

function jobFile(opts: { id: string; count?: number; args?: string; extra?: string }): string {
  return `job "${opts.id}" {
  datacenters = ["dc1"]
${opts.extra ?? ''}
  group "g" {
    count = ${opts.count ?? 1}
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["${opts.args ?? '1000'}"]
      }
      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
`;
}

function testNode(): NodeInfo {
  const rawExec = { 'driver.raw_exec': '1' };
  return {
    id: 'c754da1f-6337-b86d-47dc-2ef4c71aca14',
    name: 'node1',
    datacenter: 'dc1',
    region: 'global',
    nodeClass: '',
    meta: {},
    attributes: {
      'unique.hostname': 'node1',
      'kernel.name': 'linux',
      'cpu.numcores': '4',
      'cpu.totalcompute': '8000',
      'memory.totalbytes': String(16 * GiB),
      'unique.storage.bytesfree': String(40 * GiB),
      ...rawExec,
    },
    drivers: {
      raw_exec: { name: 'raw_exec', detected: true, healthy: true, healthState: 'healthy', message: 'Healthy', attributes: rawExec, updatedAt: '2024-05-02T09:00:01.000Z' },
      rkt: { name: 'rkt', detected: false, healthy: false, healthState: 'undetected', message: 'rkt not found', attributes: {}, updatedAt: '2024-05-02T09:00:01.000Z' },
    },
    reserved: { cpu: 0, memoryMB: 0 },
    portRange: { min: 20000, max: 32000 },
  };
}

/** Records the file's job as the agent would, with `running` allocs at indexes 0..count-1. */
async function registerJob(db: Database, file: string, text: string, running: number): Promise<void> {
  const { job } = await parseJobFile(file, text);
  assert.ok(job, `${file} should parse`);
  const { version } = putJobVersion(db, job, canonicalHash(job), file, T0);
  for (let i = 0; i < running; i++) {
    const id = `${job.id.padEnd(8, '0').slice(0, 8)}-0000-4000-8000-00000000000${i}`;
    insertAlloc(
      db,
      { id, jobId: job.id, jobVersion: version, taskGroup: 'g', index: i, name: `${job.id}.g[${i}]`, resources: { cpu: 100, memoryMB: 64, diskMB: 300 }, ports: [], tasks: [{ name: 't', driver: 'raw_exec' }] },
      T0,
    );
    setAllocClientStatus(db, id, 'running', 'Tasks are running', T0);
  }
}

const skip = existsSync(cliPath) ? false : `compiled CLI not found at ${cliPath}: run npx tsc -p . first`;

describe('bivouac job plan, against an agent state', { skip }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'bivouac-job-plan-'));
  const dataDir = join(tmp, 'data');
  const plan = (file: string, ...flags: string[]): Promise<Run> => run(['job', 'plan', ...flags, '--data-dir', dataDir, file], tmp);
  after(() => rmSync(tmp, { recursive: true, force: true }));

  before(async () => {
    mkdirSync(dataDir);
    const db = openState(join(dataDir, 'state.db'));
    try {
      putNode(db, testNode(), 'ready', T0);
      await registerJob(db, 'same.hcl', jobFile({ id: 'same' }), 1);
      await registerJob(db, 'changed.hcl', jobFile({ id: 'changed' }), 1);
      await registerJob(db, 'scaled.hcl', jobFile({ id: 'scaled' }), 1);
      // A job whose file was removed: stopped, its allocation stopped and complete.
      await registerJob(db, 'stopped.hcl', jobFile({ id: 'stopped' }), 1);
      setJobStopped(db, 'stopped', T0);
      setAllocDesired(db, 'stopped0-0000-4000-8000-000000000000', 'stop', 'job stopped', T0);
      setAllocClientStatus(db, 'stopped0-0000-4000-8000-000000000000', 'complete', 'All tasks have completed', T0);
    } finally {
      db.close();
    }
    writeFileSync(join(tmp, 'new.hcl'), jobFile({ id: 'new', count: 2 }));
    writeFileSync(join(tmp, 'same.hcl'), jobFile({ id: 'same' }));
    writeFileSync(join(tmp, 'changed.hcl'), jobFile({ id: 'changed', args: '2000' }));
    writeFileSync(join(tmp, 'scaled.hcl'), jobFile({ id: 'scaled', count: 2 }));
    writeFileSync(join(tmp, 'stopped.hcl'), jobFile({ id: 'stopped' }));
    writeFileSync(
      join(tmp, 'windows.hcl'),
      jobFile({ id: 'windows', extra: '  constraint {\n    attribute = "${attr.kernel.name}"\n    value     = "windows"\n  }' }),
    );
    writeFileSync(join(tmp, 'syntax.hcl'), 'job "broken" {\n  group "g" {\n    count = \n  }\n}\n');
  });

  test('a job the agent has not seen: "+ Job", its group to create, exit 1', async () => {
    const r = await plan('new.hcl');
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(
      r.stdout,
      [
        '+ Job: "new"',
        '+ Task Group: "g" (2 create)',
        '  + Task: "t" (forces create)',
        '',
        'Scheduler dry-run:',
        '- All tasks successfully allocated.',
        '',
        '',
      ].join('\n'),
    );
  });

  test('-verbose expands the added job into its fields', async () => {
    const r = await plan('new.hcl', '-verbose');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^\+ Type: +"service"$/m);
    assert.match(r.stdout, /^ {2}\+ Count: +"2"$/m);
    assert.match(r.stdout, /^ {4}\+ Driver: +"raw_exec"$/m);
    assert.match(r.stdout, /^ {6}\+ command: +"\/bin\/sleep"$/m);
  });

  test('the same job as the current version: no markers, its alloc ignored, exit 0', async () => {
    const r = await plan('same.hcl');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      ['Job: "same"', 'Task Group: "g" (1 ignore)', '  Task: "t"', '', 'Scheduler dry-run:', '- All tasks successfully allocated.', '', ''].join('\n'),
    );
  });

  test('a changed command line: "+/-" down to the field, forces create/destroy update, exit 1', async () => {
    const r = await plan('changed.hcl');
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 4), [
      '+/- Job: "changed"',
      '+/- Task Group: "g" (1 create/destroy update)',
      '  +/- Task: "t" (forces create/destroy update)',
      '    +/- Config {',
    ]);
    assert.ok(lines.includes('          command: "/bin/sleep"'), r.stdout);
    assert.ok(lines.includes('        + args: "2000"'), r.stdout);
    assert.ok(lines.includes('        - args: "1000"'), r.stdout);
    assert.ok(r.stdout.endsWith('\nScheduler dry-run:\n- All tasks successfully allocated.\n\n'), r.stdout);
  });

  test('the file of a stopped job, unchanged: Stop "true" => "false", its group created again, exit 1', async () => {
    const r = await plan('stopped.hcl');
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.stdout.split('\n').slice(0, 3), ['+/- Job: "stopped"', '+/- Stop: "true" => "false"', '    Task Group: "g" (1 create)']);
  });

  test('a count change: the Count field, one create and one in-place update, exit 1', async () => {
    const r = await plan('scaled.hcl');
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.stdout.split('\n').slice(0, 4), ['+/- Job: "scaled"', '+/- Task Group: "g" (1 create, 1 in-place update)', '  +/- Count: "1" => "2"', '      Task: "t"']);
  });

  test('an unmet constraint: the WARNING and the constraint that filtered the node, exit 1', async () => {
    const r = await plan('windows.hcl');
    assert.equal(r.code, 1, r.stderr);
    assert.ok(
      r.stdout.endsWith(
        [
          'Scheduler dry-run:',
          '- WARNING: Failed to place all allocations.',
          '  Task Group "g" (failed to place 1 allocation):',
          '    * Constraint "${attr.kernel.name} = windows" filtered 1 nodes',
          '',
          '',
        ].join('\n'),
      ),
      r.stdout,
    );
  });

  test('a file that does not parse: the positioned error, exit 255', async () => {
    const r = await plan('syntax.hcl');
    assert.equal(r.code, 255);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Error getting job struct: Error parsing job file from syntax\.hcl:\nsyntax\.hcl:3:\d+: /);
  });

  test('a missing file or no file: exit 255', async () => {
    assert.equal((await plan('nope.hcl')).code, 255);
    assert.equal((await run(['job', 'plan', '--data-dir', dataDir], tmp)).code, 255);
  });
});

describe('bivouac job plan, with no agent state (live fingerprint)', { skip }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'bivouac-job-plan-live-'));
  const dataDir = join(tmp, 'never-ran');
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('places on the fingerprinted host: raw_exec enabled from the environment, exit 1', async () => {
    writeFileSync(join(tmp, 'web.hcl'), jobFile({ id: 'web' }));
    const r = await run(['job', 'plan', '--data-dir', dataDir, 'web.hcl'], tmp, { ...ENV, BIVOUAC_ENABLE_RAW_EXEC: 'true' });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `no agent state in ${dataDir}; showing a live fingerprint\n`);
    assert.ok(r.stdout.includes('Scheduler dry-run:\n- All tasks successfully allocated.\n'), r.stdout);
  });

  test('raw_exec not enabled: the driver is named as the reason', async () => {
    const r = await run(['job', 'plan', '--data-dir', dataDir, 'web.hcl'], tmp);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stdout.includes('  Task Group "g" (failed to place 1 allocation):\n    * Driver "raw_exec" is not detected\n'), r.stdout);
  });
});
