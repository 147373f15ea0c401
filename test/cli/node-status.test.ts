/** `bivouac node status` through the compiled CLI (`npx tsc -p .` first), on real data dirs. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliPath } from '../helpers/paths.js';
import { formatAgo, formatTable } from '../../src/cli/format.js';
import type { NodeInfo } from '../../src/node/index.js';
import { canonicalHash, parseJobFile } from '../../src/jobspec/index.js';
import { appendNodeEvent, insertAlloc, openState, putJobVersion, putNode, setAllocClientStatus } from '../../src/state/index.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** No agent configuration leaks in from the caller's environment; rkt points nowhere. */
const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', BIVOUAC_RKT_PATH: '/nonexistent/rkt' };

function run(args: readonly string[], env: Readonly<Record<string, string>> = ENV): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env, cwd: tmpdir() }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const GiB = 1024 ** 3;

/** Nomad's relative time for a fixed past instant, computed as the CLI does. */
function ago(ms: number): string {
  return formatAgo(ms, Date.now());
}
const T0 = Date.parse('2024-05-02T09:00:00Z');
const NODE_ID = 'c754da1f-6337-b86d-47dc-2ef4c71aca14';
const ALLOC_ID = '6e9a2a44-3f1c-8d5e-0b7a-4a1e9b2d5c10';

const WEB_JOB = `job "web" {
  datacenters = ["dc1"]
  group "frontend" {
    task "server" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["1000"]
      }
      resources {
        cpu    = 500
        memory = 256
      }
    }
  }
}
`;

function testNode(): NodeInfo {
  return {
    id: NODE_ID,
    name: 'node1',
    datacenter: 'dc1',
    region: 'global',
    nodeClass: '',
    meta: { rack: 'r1' },
    attributes: {
      'unique.hostname': 'node1',
      'kernel.name': 'linux',
      'cpu.arch': 'amd64',
      'cpu.numcores': '4',
      'cpu.frequency': '2000',
      'cpu.totalcompute': '8000',
      'memory.totalbytes': String(16 * GiB),
      'unique.storage.bytesfree': String(40 * GiB),
      'driver.raw_exec': '1',
    },
    drivers: {
      rkt: {
        name: 'rkt',
        detected: false,
        healthy: false,
        healthState: 'undetected',
        message: 'rkt not found',
        attributes: {},
        updatedAt: '2024-05-02T09:00:02.000Z',
      },
      raw_exec: {
        name: 'raw_exec',
        detected: true,
        healthy: true,
        healthState: 'healthy',
        message: 'Healthy',
        attributes: { 'driver.raw_exec': '1' },
        updatedAt: '2024-05-02T09:00:01.000Z',
      },
    },
    reserved: { cpu: 0, memoryMB: 0 },
    portRange: { min: 20000, max: 32000 },
  };
}

const skip = existsSync(cliPath) ? false : `compiled CLI not found at ${cliPath}: run npx tsc -p . first`;

describe('bivouac node status, from the agent state', { skip }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'bivouac-node-status-'));
  const dataDir = join(tmp, 'data');
  after(() => rmSync(tmp, { recursive: true, force: true }));

  before(async () => {
    mkdirSync(dataDir);
    const { job } = await parseJobFile('web.nomad.hcl', WEB_JOB);
    assert.ok(job);
    const db = openState(join(dataDir, 'state.db'));
    try {
      putJobVersion(db, job, canonicalHash(job), 'web.nomad.hcl', T0);
      putNode(db, testNode(), 'ready', T0);
      appendNodeEvent(db, T0, 'Cluster', 'Node registered');
      appendNodeEvent(db, T0 + 1000, 'Driver', 'Driver rkt is not detected', 'rkt not found');
      insertAlloc(
        db,
        {
          id: ALLOC_ID,
          jobId: 'web',
          jobVersion: 0,
          taskGroup: 'frontend',
          index: 0,
          name: 'web.frontend[0]',
          resources: { cpu: 500, memoryMB: 256, diskMB: 300 },
          ports: [],
          tasks: [{ name: 'server', driver: 'raw_exec' }],
        },
        T0,
      );
      setAllocClientStatus(db, ALLOC_ID, 'running', 'Tasks are running', T0);
    } finally {
      db.close();
    }
  });

  test('no ID: the node list, exit 0', async () => {
    const r = await run(['node', 'status', '--data-dir', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, ['ID        DC   Name   Class   Drain  Eligibility  Status', 'c754da1f  dc1  node1  <none>  false  eligible     ready', ''].join('\n'));
  });

  test("-self: Nomad 1.0's detail view; host figures from /proc and statfs", async () => {
    const r = await run(['node', 'status', '-self', '--data-dir', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    // The host figures change from run to run: check their form, then the rest exactly.
    const host = /\nHost Resource Utilization\nCPU +Memory +Disk\n(\d+)\/8000 MHz +(\S+ \S+)\/(\S+ \S+) +(\S+ \S+)\/(\S+ \S+)\n/.exec(r.stdout);
    assert.ok(host, r.stdout);
    assert.ok(Number(host[1]) <= 8000);
    const uptime = /^Uptime {10}= ((\d+h)?(\d+m)?\d+s)$/m.exec(r.stdout);
    assert.ok(uptime, r.stdout);
    const stable = r.stdout.replace(host[0], '\nHOST\n').replace(uptime[0], 'UPTIME');
    assert.equal(
      stable,
      [
        'ID              = c754da1f-6337-b86d-47dc-2ef4c71aca14',
        'Name            = node1',
        'Class           = <none>',
        'DC              = dc1',
        'Drain           = false',
        'Eligibility     = eligible',
        'Status          = ready',
        'CSI Controllers = <none>',
        'CSI Drivers     = <none>',
        'UPTIME',
        'Host Volumes    = <none>',
        'CSI Volumes     = <none>',
        'Driver Status   = raw_exec',
        '',
        'Node Events',
        'Time                  Subsystem  Message',
        '2024-05-02T09:00:01Z  Driver     Driver rkt is not detected',
        '2024-05-02T09:00:00Z  Cluster    Node registered',
        '',
        'Allocated Resources',
        'CPU           Memory          Disk',
        '500/8000 MHz  256 MiB/16 GiB  300 MiB/40 GiB',
        '',
        'HOST',
        '',
        'Allocations',
        formatTable(['ID', 'Node ID', 'Task Group', 'Version', 'Desired', 'Status', 'Created', 'Modified'], [['6e9a2a44', 'c754da1f', 'frontend', '0', 'run', 'running', ago(T0), ago(T0)]]),
      ].join('\n'),
    );
  });

  test('an ID prefix shows the same detail view; odd lengths are cut to even, as Nomad does', async () => {
    const r = await run(['node', 'status', '--data-dir', dataDir, 'c754d']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ID {14}= c754da1f-6337-b86d-47dc-2ef4c71aca14$/m);
    const one = await run(['node', 'status', '--data-dir', dataDir, 'c']);
    assert.deepEqual([one.code, one.stderr], [1, 'Identifier must contain at least two characters.\n']);
  });

  test('-verbose: full IDs, the Drivers table, event details, sorted attributes, meta', async () => {
    const r = await run(['node', 'status', '-self', '-verbose', '-data-dir', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, /^ID {14}= c754da1f-6337-b86d-47dc-2ef4c71aca14$/m);
    assert.doesNotMatch(out, /^Driver Status/m);
    assert.ok(out.includes('Driver    Detected  Healthy  Message        Time\n'), out);
    assert.ok(out.includes('raw_exec  true      true     Healthy        2024-05-02T09:00:01Z\n'), out);
    assert.ok(out.includes('rkt       false     false    rkt not found  2024-05-02T09:00:02Z\n'), out);
    assert.ok(out.includes('2024-05-02T09:00:01Z  Driver     Driver rkt is not detected  rkt not found\n'), out);
    assert.ok(out.includes('2024-05-02T09:00:00Z  Cluster    Node registered             <none>\n'), out);
    assert.ok(out.includes(`${ALLOC_ID}  <none>   ${NODE_ID}  frontend    0        run      running  2024-05-02T09:00:00Z  2024-05-02T09:00:00Z\n`), out);
    const attrs = out.slice(out.indexOf('\nAttributes\n') + '\nAttributes\n'.length, out.indexOf('\nMeta\n')).trimEnd().split('\n');
    assert.deepEqual(attrs.map((l) => l.split(' = ')[0].trim()), Object.keys(testNode().attributes).sort());
    assert.ok(attrs.includes('cpu.totalcompute         = 8000'), attrs.join('\n'));
    assert.ok(out.endsWith('\nMeta\nrack = r1\n'), out);
  });

  test('-short: the header with a Drivers line, then the allocations', async () => {
    const r = await run(['node', 'status', '-self', '-short', '--data-dir', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes('Status          = ready\nCSI Controllers = <none>\nCSI Drivers     = <none>\nHost Volumes    = <none>\nCSI Volumes     = <none>\nDrivers         = raw_exec\n\nAllocations\n'), r.stdout);
    assert.ok(!r.stdout.includes('Node Events'), r.stdout);
  });

  test("--json: Nomad's node API shape", async () => {
    const r = await run(['node', 'status', '-self', '--json', '--data-dir', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    const n = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(n.ID, NODE_ID);
    assert.equal(n.Name, 'node1');
    assert.equal(n.Datacenter, 'dc1');
    assert.equal(n.NodeClass, '');
    assert.equal(n.Status, 'ready');
    assert.equal(n.Drain, false);
    assert.equal(n.SchedulingEligibility, 'eligible');
    assert.equal(n.StatusUpdatedAt, T0 / 1000);
    assert.deepEqual(n.Meta, { rack: 'r1' });
    assert.deepEqual(Object.keys(n.Attributes as object), Object.keys(testNode().attributes).sort());
    assert.deepEqual(n.Drivers, {
      raw_exec: { Attributes: { 'driver.raw_exec': '1' }, Detected: true, Healthy: true, HealthDescription: 'Healthy', UpdateTime: '2024-05-02T09:00:01.000Z' },
      rkt: { Attributes: {}, Detected: false, Healthy: false, HealthDescription: 'rkt not found', UpdateTime: '2024-05-02T09:00:02.000Z' },
    });
    assert.deepEqual(n.NodeResources, {
      Cpu: { CpuShares: 8000, TotalCpuCores: 4 },
      Memory: { MemoryMB: 16384 },
      Disk: { DiskMB: 40960 },
      MinDynamicPort: 20000,
      MaxDynamicPort: 32000,
      Networks: null,
      NodeNetworks: null,
      Devices: null,
    });
    // The fields Nomad's CLI reads without a nil check.
    assert.deepEqual(n.Resources, { CPU: 8000, MemoryMB: 16384, DiskMB: 40960, IOPS: 0, Networks: null, Devices: null });
    assert.deepEqual(
      (n.Events as { Message: string }[]).map((e) => e.Message),
      ['Node registered', 'Driver rkt is not detected'],
    );
  });

  test('--json without an ID: the node list stubs, as GET /v1/nodes', async () => {
    const r = await run(['node', 'status', '--json', '--data-dir', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { ID: string; Status: string; Datacenter: string }[];
    assert.deepEqual(
      list.map((n) => [n.ID, n.Status, n.Datacenter]),
      [[NODE_ID, 'ready', 'dc1']],
    );
  });

  test('a node ID that is not this node: exit 1 with the prefix named', async () => {
    const r = await run(['node', 'status', '--data-dir', dataDir, 'ffff']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No node\(s\) with prefix "ffff" found/);
  });
});

describe('bivouac node status, with no agent state (live fingerprint)', { skip }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'bivouac-node-live-'));
  const dataDir = join(tmp, 'never-ran');
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('fingerprints the host and drivers now, and says so on stderr in one line', async () => {
    const r = await run(['node', 'status', '-self', '-verbose', '--data-dir', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, `no agent state in ${dataDir}; showing a live fingerprint\n`);
    assert.match(r.stdout, new RegExp(`^Name += ${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assert.match(r.stdout, /^Status += initializing$/m);
    assert.match(r.stdout, /^raw_exec +false +false +disabled /m);
    assert.match(r.stdout, /^rkt +false +false /m);
    assert.match(r.stdout, /^kernel\.name += linux$/m);
    assert.match(r.stdout, /^cpu\.numcores += [1-9]\d*$/m);
    assert.match(r.stdout, /^memory\.totalbytes += [1-9]\d*$/m);
    assert.match(r.stdout, /^unique\.storage\.bytesfree += \d+$/m);
  });

  test('BIVOUAC_ENABLE_RAW_EXEC enables raw_exec; the node ID is the one kept in the data dir', async () => {
    const r = await run(['node', 'status', '-self', '--json', '--data-dir', dataDir], { ...ENV, BIVOUAC_ENABLE_RAW_EXEC: '1' });
    assert.equal(r.code, 0, r.stderr);
    const n = JSON.parse(r.stdout) as { ID: string; Drivers: Record<string, { Detected: boolean; Healthy: boolean }>; Attributes: Record<string, string> };
    assert.deepEqual(n.Drivers.raw_exec, { ...n.Drivers.raw_exec, Detected: true, Healthy: true });
    assert.equal(n.Attributes['driver.raw_exec'], '1');
    assert.equal(n.Attributes['unique.hostname'], hostname());
    assert.equal(n.ID, readFileSync(join(dataDir, 'node-id'), 'utf8').trim());
  });
});
