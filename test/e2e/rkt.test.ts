/**
 * rkt end to end: the real agent (`bivouac agent` as a child), the rkt stand-in
 * (test/fixtures/rkt/rkt) found on PATH or through --rkt-path, a temp rkt `--dir` given to
 * the agent with `bivouac { rkt_dir = … }`, and the CLI reading the same state.db.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allocStatus, cli, jobStatus, sandbox, startAgent, taskPids, waitFor, type RunningAgent, type Sandbox } from '../helpers/agent.js';
import { makeRktSandbox, runStandin, type RktSandbox, type StandinOptions } from '../helpers/rkt.js';
import { getHandle, getJob, getNode, getTaskState, listAllocsForJob, openState, type AllocRecord, type Database } from '../../src/state/index.js';

interface Box {
  readonly sb: Sandbox;
  readonly rkt: RktSandbox;
  /** The agent config file that points rkt calls at the temp `--dir`. */
  readonly config: string;
  /** The agent's state.db, read-only, for polling without a CLI process per poll. */
  readonly state: StateView;
}

/**
 * Polls read the state.db in-process (read-only, the same typed queries `status` uses);
 * each CLI run costs a node start, too dear to repeat every 50 ms on two shared cores.
 * Assertions then go through the CLI once.
 */
class StateView {
  private db: Database | null = null;
  constructor(private readonly dataDir: string) {}

  private open(): Database {
    if (this.db === null) this.db = openState(join(this.dataDir, 'state.db'), { readonly: true });
    return this.db;
  }

  allocs(job: string): AllocRecord[] {
    return listAllocsForJob(this.open(), job);
  }

  taskState(allocId: string, task: string): string | null {
    return getTaskState(this.open(), allocId, task)?.state ?? null;
  }

  /** The pod UUID from the stored rkt handle. */
  uuid(allocId: string, task: string): string | null {
    const h = getHandle(this.open(), allocId, task)?.handle as { state?: { uuid?: unknown } } | undefined;
    return typeof h?.state?.uuid === 'string' ? h.state.uuid : null;
  }

  placementFailed(job: string): boolean {
    return (getJob(this.open(), job)?.placementFailures ?? []).length > 0;
  }

  rktDetected(): boolean {
    return getNode(this.open())?.info.drivers.rkt?.detected === true;
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }
}

const boxes: Box[] = [];

function box(opts: StandinOptions = {}): Box {
  const sb = sandbox('bivouac-e2e-rkt-');
  const rkt = makeRktSandbox(opts);
  const config = join(sb.root, 'agent.hcl');
  writeFileSync(config, `bivouac {\n  rkt_dir = ${JSON.stringify(rkt.dataDir)}\n}\n`);
  const b = { sb, rkt, config, state: new StateView(sb.dataDir) };
  boxes.push(b);
  return b;
}

/** The agent with the stand-in by path (default) or, with `onPath`, found as `rkt` on PATH. */
function agentFor(b: Box, env: Readonly<Record<string, string>> = {}, onPath = false): RunningAgent {
  const args = ['--config', b.config, ...(onPath ? [] : ['--rkt-path', b.rkt.rktPath])];
  const pathEnv: Record<string, string> = onPath ? { PATH: `${b.rkt.binDir}:${process.env.PATH ?? ''}` } : {};
  return startAgent(b.sb, args, { ...pathEnv, ...env });
}

/** Stand-in processes (`rkt run-prepared …`) working on this temp `--dir`: only ours. */
function standinPids(rktDir: string): number[] {
  const want = `--dir=${rktDir}`;
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      // Not the exit-status shim (/bin/sh -c …) that runs rkt run-prepared: rkt itself.
      if (argv.includes(want) && argv[0] !== '/bin/sh') pids.push(Number(name));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return pids;
}

after(() => {
  for (const b of boxes) {
    for (const pid of standinPids(b.rkt.dataDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    b.state.close();
    b.sb.cleanup(); // kills the apps (BIVOUAC_TASK_ID of allocs under this data dir)
    b.rkt.cleanup();
  }
});

interface RktJobOpts {
  readonly task?: string;
  readonly config: string;
  readonly restart?: string;
  readonly group?: string;
  readonly taskExtra?: string;
  readonly cpu?: number;
  readonly memory?: number;
}

function rktJob(id: string, o: RktJobOpts): string {
  return `job "${id}" {
  type = "service"
  group "g" {
    ${o.restart ?? 'restart {\n      attempts = 1\n      interval = "10m"\n      delay = "100ms"\n      mode = "fail"\n    }'}
    ${o.group ?? ''}
    task "${o.task ?? 'web'}" {
      driver = "rkt"
      kill_timeout = "3s"
      ${o.taskExtra ?? ''}
      config {
${o.config}
      }
      resources {
        cpu    = ${o.cpu ?? 100}
        memory = ${o.memory ?? 32}
      }
    }
  }
}
`;
}

/** A shell pod: example.com/sh:1.0 with /bin/sh -c SCRIPT. */
const shConfig = (script: string, extra = '', moreArgs: readonly string[] = []): string =>
  `        image   = "example.com/sh:1.0"\n        command = "/bin/sh"\n        args    = ${JSON.stringify(['-c', script, ...moreArgs])}\n${extra}`;

interface NodeJson {
  Attributes: Record<string, string>;
  Drivers: Record<string, { Attributes: Record<string, string>; Detected: boolean; Healthy: boolean; HealthDescription: string }>;
}

function nodeJson(b: Box): NodeJson | null {
  const r = cli(['node', 'status', '-self', '--json', '--data-dir', b.sb.dataDir]);
  if (r.code !== 0) return null;
  const n = JSON.parse(r.stdout) as NodeJson;
  // Only the agent's own row counts: a live fingerprint (no row yet) says so on stderr.
  return r.stderr.includes('live fingerprint') ? null : n;
}

function allocOf(b: Box, job: string, pred: (a: AllocRecord) => boolean = () => true): AllocRecord | undefined {
  return b.state.allocs(job).find(pred);
}

/** The job's running allocation, once its task `task` is running too. */
function runningAlloc(b: Box, job: string, task = 'web'): AllocRecord | undefined {
  const a = allocOf(b, job, (x) => x.clientStatus === 'running' && x.desiredStatus === 'run');
  return a && b.state.taskState(a.id, task) === 'running' ? a : undefined;
}

interface PodJson {
  name: string;
  state: string;
}

function pods(b: Box): PodJson[] {
  const r = runStandin(b.rkt, ['list', '--format=json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as PodJson[];
}

/** waitFor at a pace that suits polls which spawn the CLI or the stand-in (two shared cores). */
function until<T>(what: string, fn: () => T | undefined | null | false): Promise<T> {
  return waitFor(what, fn, 30_000, 100);
}

describe('rkt through the agent', { concurrency: 3 }, () => {
  test('fingerprint: rkt found on PATH shows driver.rkt, its versions and healthy in node status', async () => {
    const ok = box();
    const agent = agentFor(ok, {}, true);
    try {
      const node = await until('rkt fingerprinted', () => ok.state.rktDetected() && nodeJson(ok));
      const rkt = node.Drivers.rkt;
      assert.equal(rkt.Healthy, true, rkt.HealthDescription);
      assert.equal(rkt.HealthDescription, 'Healthy');
      assert.equal(node.Attributes['driver.rkt'], '1');
      assert.equal(node.Attributes['driver.rkt.version'], '1.30.0');
      assert.equal(node.Attributes['driver.rkt.appc.version'], '0.8.11');
      assert.equal(node.Attributes['driver.rkt.volumes.enabled'], '1');
      const verbose = cli(['node', 'status', '-self', '-verbose', '--data-dir', ok.sb.dataDir]);
      assert.equal(verbose.code, 0, verbose.stderr);
      assert.match(verbose.stdout, /^rkt\s+true\s+true\s+Healthy/m);
      assert.match(verbose.stdout, /^driver\.rkt\s+= 1$/m);
      assert.match(verbose.stdout, /^driver\.rkt\.version\s+= 1\.30\.0$/m);
      assert.match(verbose.stdout, /^driver\.rkt\.appc\.version\s+= 0\.8\.11$/m);
    } finally {
      await agent.stop();
    }
  });

  test('fingerprint: rkt 1.20.0 is unhealthy naming both versions, and an rkt job shows a placement failure', async () => {
    const old = box();
    const agent = agentFor(old, { RKT_STANDIN_VERSION: '1.20.0', RKT_STANDIN_APPC_VERSION: '0.8.9' });
    try {
      const node = await until('rkt fingerprinted', () => old.state.rktDetected() && nodeJson(old));
      const rkt = node.Drivers.rkt;
      assert.equal(rkt.Healthy, false);
      assert.match(rkt.HealthDescription, /1\.20\.0/);
      assert.match(rkt.HealthDescription, /1\.27\.0/);
      assert.equal(node.Attributes['driver.rkt'], undefined, 'a too-old rkt is not offered');
      assert.equal(node.Attributes['driver.rkt.version'], '1.20.0');

      old.sb.writeJob('etcd.nomad', rktJob('etcd', { config: shConfig('exec sleep 300') }));
      await until('placement failure', () => old.state.placementFailed('etcd'));
      const failure = jobStatus(old.sb, 'etcd')?.PlacementFailures[0];
      assert.ok(failure);
      assert.match(failure.reasons.join('\n'), /Driver "rkt" is not healthy: .*1\.20\.0/);
      assert.deepEqual(jobStatus(old.sb, 'etcd')?.Allocations, []);
      const text = cli(['status', '--data-dir', old.sb.dataDir, 'etcd']);
      assert.match(text.stdout, /Placement Failure/i);
      assert.match(text.stdout, /Driver "rkt" is not healthy/);
      assert.deepEqual(pods(old), []);
    } finally {
      await agent.stop();
    }
  });

  test('image, command and args: the pod runs, its output lands in the alloc logs, status shows running', async () => {
    const b = box();
    const agent = agentFor(b);
    try {
      const script = 'echo "hello from $NOMAD_TASK_NAME: [$1] [$2]"; echo to-stderr >&2; exec sleep 300';
      b.sb.writeJob('hello.nomad', rktJob('hello', { config: shConfig(script, '', ['sh', 'two words', 'three']) }));
      const { id } = await until('hello running', () => runningAlloc(b, 'hello'));
      const t = allocStatus(b.sb, id).TaskStates.web;
      assert.equal(t.State, 'running');
      assert.deepEqual(t.Events.map((e) => e.Type), ['Received', 'Task Setup', 'Started']);
      assert.match(cli(['status', '--data-dir', b.sb.dataDir, 'hello']).stdout, /^[0-9a-f]{8}\s+[0-9a-f]{8}\s+g\s+0\s+run\s+running\b/m);

      const want = 'hello from web: [two words] [three]\n';
      const file = join(b.sb.dataDir, 'alloc', id, 'alloc', 'logs', 'web.stdout.0');
      await until('stdout captured', () => existsSync(file) && readFileSync(file, 'utf8') === want);
      const logs = (...extra: string[]): string => cli(['alloc', 'logs', '--data-dir', b.sb.dataDir, ...extra, id, 'web']).stdout;
      assert.equal(logs(), want);
      await until('stderr captured', () => /^to-stderr$/m.test(logs('-stderr')));
      assert.equal(taskPids(id).length, 1, 'one app process');
      assert.deepEqual(pods(b).map((p) => p.state), ['running']);
    } finally {
      await agent.stop();
    }
  });

  test('no user: the app runs as nobody (65534) and writes its own local/, secrets/ and alloc/data; user = "root" asks for root', async () => {
    const b = box();
    const agent = agentFor(b);
    try {
      const script = 'id -u; echo x > "$NOMAD_TASK_DIR/f" && echo x > "$NOMAD_SECRETS_DIR/s" && echo x > "$NOMAD_ALLOC_DIR/data/d-$NOMAD_TASK_NAME" && echo wrote; exec sleep 300';
      b.sb.writeJob('anon.nomad', rktJob('anon', { config: shConfig(script) }));
      b.sb.writeJob('root.nomad', rktJob('root', { config: shConfig(script), taskExtra: 'user = "root"' }));
      for (const [job, uid] of [['anon', '65534'], ['root', '0']] as const) {
        const { id } = await until(`${job} running`, () => runningAlloc(b, job));
        const file = join(b.sb.dataDir, 'alloc', id, 'alloc', 'logs', 'web.stdout.0');
        const out = await until(`${job} wrote`, () => existsSync(file) && /wrote/.test(readFileSync(file, 'utf8')) && readFileSync(file, 'utf8'));
        assert.equal(out, `${uid}\nwrote\n`);
        const [pid] = taskPids(id);
        assert.match(readFileSync(`/proc/${pid}/status`, 'utf8'), new RegExp(`^Uid:\\s+${uid}\\s`, 'm'));
        assert.equal(readFileSync(join(b.sb.dataDir, 'alloc', id, 'web', 'secrets', 's'), 'utf8'), 'x\n');
      }
    } finally {
      await agent.stop();
    }
  });

  test('trust failure and unknown image: Driver Failure with rkt\'s own message, then the restart policy', async () => {
    const b = box();
    // What the stand-in itself says, so the events are checked against rkt's words.
    const trust = runStandin(b.rkt, ['trust', '--skip-fingerprint-review=true', '--prefix=example.com/invalid', '--debug=false']);
    assert.equal(trust.code, 254);
    const trustMsg = trust.stderr.split('\n').find((l) => l.startsWith('trust:'));
    assert.ok(trustMsg, trust.stderr);
    const prep = runStandin(b.rkt, ['--insecure-options=all', 'prepare', 'example.com/nosuch:1.0']);
    assert.equal(prep.code, 254);
    const prepMsg = prep.stderr.split('\n').find((l) => l.startsWith('prepare:'));
    assert.ok(prepMsg, prep.stderr);

    const agent = agentFor(b);
    try {
      b.sb.writeJob('untrusted.nomad', rktJob('untrusted', { config: shConfig('exit 0', '        trust_prefix = "example.com/invalid"\n') }));
      b.sb.writeJob('missing.nomad', rktJob('missing', { config: '        image = "example.com/nosuch:1.0"\n' }));
      for (const [job, msg] of [['untrusted', trustMsg], ['missing', prepMsg]] as const) {
        const failed = await until(`${job} failed`, () => allocOf(b, job, (a) => a.clientStatus === 'failed'));
        const t = allocStatus(b.sb, failed.id).TaskStates.web;
        assert.deepEqual(t.Events.map((e) => e.Type), ['Received', 'Task Setup', 'Driver Failure', 'Restarting', 'Driver Failure', 'Not Restarting']);
        for (const e of t.Events.filter((x) => x.Type === 'Driver Failure')) assert.ok(e.DisplayMessage.includes(msg), `${e.DisplayMessage} carries ${msg}`);
        assert.match(t.Events[2].DisplayMessage, job === 'untrusted' ? /^Error running rkt trust: / : /^Error preparing rkt pod: /);
        // delay = 100ms plus Nomad's jitter of up to a quarter.
        const delay = Number(/^Task restarting in (\d+)ms$/.exec(t.Events[3].DisplayMessage)?.[1]);
        assert.ok(delay >= 100 && delay <= 125, t.Events[3].DisplayMessage);
        assert.equal(t.Events[5].DisplayMessage, 'Exceeded allowed attempts 1 in interval 10m0s and mode is "fail"');
        assert.equal(t.Restarts, 1);
        assert.equal(t.Failed, true);
      }
      assert.deepEqual(pods(b), [], 'no pod left behind');
    } finally {
      await agent.stop();
    }
  });

  test('kill -9 of the agent: re-attached by UUID, one pod, no second start; job file removed → stopped and rm\'d', async () => {
    const b = box();
    let agent = agentFor(b);
    try {
      b.sb.writeJob('web.nomad', rktJob('web', { config: shConfig('echo up; exec sleep 300') }));
      const alloc = await until('web running', () => runningAlloc(b, 'web'));
      const uuid = await until('pod UUID in the handle', () => b.state.uuid(alloc.id, 'web'));
      const [app] = await until('one app process', () => (taskPids(alloc.id).length === 1 ? taskPids(alloc.id) : null));
      const [rktPid] = standinPids(b.rkt.dataDir);

      await agent.kill9();
      assert.equal(runStandin(b.rkt, ['status', uuid]).stdout.split('\n')[0], 'state=running', 'the pod outlives the agent');

      agent = agentFor(b);
      // The task runner re-attaches (rkt status says running) and then only waits: from
      // "task re-attached" on, a second start could only come from a new attempt.
      await until('task re-attached', () => agent.output().includes('"msg":"task re-attached"'));
      assert.match(agent.output(), new RegExp(`"uuid":"${uuid}","state":"running","msg":"pod recovered"`));
      const t = allocStatus(b.sb, alloc.id).TaskStates.web;
      assert.equal(t.State, 'running');
      assert.equal(t.Events.filter((e) => e.Type === 'Started').length, 1, 'no second Started');
      assert.deepEqual(jobStatus(b.sb, 'web')?.Allocations.map((a) => a.ID), [alloc.id]);
      assert.deepEqual(pods(b).map((p) => [p.name, p.state]), [[uuid, 'running']]);
      assert.deepEqual(taskPids(alloc.id), [app]);
      assert.deepEqual(standinPids(b.rkt.dataDir), [rktPid]);

      b.sb.removeJob('web.nomad');
      const done = await until('alloc complete', () => allocOf(b, 'web', (a) => a.clientStatus === 'complete'));
      const types = allocStatus(b.sb, done.id).TaskStates.web.Events.map((e) => e.Type);
      assert.deepEqual(types.slice(-3), ['Killing', 'Terminated', 'Killed']);
      await until('pod removed', () => !existsSync(join(b.rkt.dataDir, 'pods', uuid)));
      assert.deepEqual(pods(b), []);
      assert.equal(runStandin(b.rkt, ['status', uuid]).code, 254);
      await until('app gone', () => taskPids(alloc.id).length === 0);
      assert.deepEqual(standinPids(b.rkt.dataDir), []);
    } finally {
      await agent.stop();
    }
  });

  for (const stage1 of ['coreos', 'fly'] as const) {
    test(`a pod that exits while the agent is down (${stage1} stage1): recorded after restart`, async () => {
      const b = box({ stage1 });
      let agent = agentFor(b);
      try {
        // The app waits for a file the test creates once the agent is gone, then exits 7.
        const script = 'while [ ! -e "$NOMAD_ALLOC_DIR/go" ]; do sleep 0.05; done; exit 7';
        b.sb.writeJob('down.nomad', rktJob('down', { config: shConfig(script), restart: 'restart {\n      attempts = 0\n      mode = "fail"\n    }' }));
        const alloc = await until('down running', () => runningAlloc(b, 'down'));
        const uuid = await until('pod UUID in the handle', () => b.state.uuid(alloc.id, 'web'));
        await agent.kill9();
        writeFileSync(join(b.sb.dataDir, 'alloc', alloc.id, 'alloc', 'go'), '');
        await until('pod process gone', () => standinPids(b.rkt.dataDir).length === 0 && taskPids(alloc.id).length === 0);
        assert.equal(runStandin(b.rkt, ['status', uuid]).stdout.split('\n')[0], 'state=exited');

        agent = agentFor(b);
        const failed = await until('alloc failed', () => allocOf(b, 'down', (a) => a.clientStatus === 'failed'));
        const t = allocStatus(b.sb, failed.id).TaskStates.web;
        const types = t.Events.map((e) => e.Type);
        // rkt's own status, recorded on the host by the exit-status shim: known with either
        // stage1, though fly records no exit code in the pod.
        assert.deepEqual(types, ['Received', 'Task Setup', 'Started', 'Terminated', 'Not Restarting']);
        assert.equal(t.Events[3].DisplayMessage, 'Exit Code: 7');
      } finally {
        await agent.stop();
      }
    });
  }

  test('argument vectors through the agent: trust, resources, static and dynamic ports, task-dir mounts, volumes, dns, user/group', async () => {
    const b = box();
    // A logging rkt in front of the stand-in: one record per call, args split by \x1f.
    const log = join(b.sb.root, 'rkt-calls.log');
    const logged = join(b.rkt.binDir, 'rkt-logged');
    writeFileSync(logged, `#!/bin/sh\nrec=''\nfor a in "$@"; do rec="$rec$a$(printf '\\037')"; done\nprintf '%s\\036' "$rec" >> ${JSON.stringify(log)}\nexec ${JSON.stringify(b.rkt.rktPath)} "$@"\n`);
    chmodSync(logged, 0o755);
    const calls = (): string[][] =>
      existsSync(log) ? readFileSync(log, 'utf8').split('\x1e').filter((r) => r !== '').map((r) => r.split('\x1f').slice(0, -1)) : [];

    const data = join(b.sb.root, 'vol-data');
    const ro = join(b.sb.root, 'vol-ro');
    mkdirSync(data);
    mkdirSync(ro);
    const staticPort = 18_431;
    const agent = startAgent(b.sb, ['--config', b.config, '--rkt-path', logged]);
    try {
      b.sb.writeJob('ports.nomad', rktJob('ports', {
        task: 'web_srv',
        cpu: 250,
        memory: 64,
        group: `network {\n      port "http" {\n        static = ${staticPort}\n      }\n      port "admin" {}\n    }`,
        taskExtra: 'user = "nobody"',
        config: shConfig('echo "$NOMAD_PORT_http $NOMAD_PORT_admin"; exec sleep 300', [
          '        trust_prefix       = "example.com/sh"',
          '        group              = "nogroup"',
          `        volumes            = ["${data}:/data", "${ro}:/ro:readOnly"]`,
          '        dns_servers        = ["8.8.8.8", "8.8.4.4"]',
          '        dns_search_domains = ["example.com"]',
          '        port_map {\n          http  = "http"\n          admin = "admin"\n        }',
          '',
        ].join('\n')),
      }));
      const alloc = await until('ports running', () => runningAlloc(b, 'ports', 'web_srv'));
      const id = alloc.id;
      const dir = `--dir=${b.rkt.dataDir}`;
      const byCmd = (sub: string): string[][] => calls().filter((c) => c.includes(sub));
      assert.deepEqual(byCmd('trust'), [[dir, 'trust', '--skip-fingerprint-review=true', '--prefix=example.com/sh', '--debug=false']]);

      const [prepare] = byCmd('prepare');
      const env = new Map(prepare.filter((a) => a.startsWith('--set-env=')).map((a) => {
        const kv = a.slice('--set-env='.length);
        return [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const;
      }));
      const dyn = Number(env.get('NOMAD_PORT_admin'));
      assert.ok(dyn >= 20_000 && dyn <= 32_000, `dynamic port ${dyn} from the node's range`);
      assert.equal(env.get('NOMAD_PORT_http'), String(staticPort));
      assert.match(env.get('NOMAD_ADDR_http') ?? '', new RegExp(`^[0-9.]+:${staticPort}$`));
      assert.equal(env.get('NOMAD_ALLOC_DIR'), '/alloc');
      assert.equal(env.get('NOMAD_TASK_DIR'), '/local');
      assert.equal(env.get('NOMAD_SECRETS_DIR'), '/secrets');
      assert.equal(env.get('BIVOUAC_TASK_ID')?.startsWith(`${id}.`), true);

      const root = join(b.sb.dataDir, 'alloc', id);
      const vol = (s: string): string => `${id}-web-srv-${s}`; // '_' is not an AC name character
      assert.deepEqual(prepare.filter((a) => !a.startsWith('--set-env=')), [
        dir, '--debug=false', 'prepare',
        `--volume=${vol('alloc')},kind=host,source=${join(root, 'alloc')}`, `--mount=volume=${vol('alloc')},target=/alloc`,
        `--volume=${vol('local')},kind=host,source=${join(root, 'web_srv', 'local')}`, `--mount=volume=${vol('local')},target=/local`,
        `--volume=${vol('secrets')},kind=host,source=${join(root, 'web_srv', 'secrets')}`, `--mount=volume=${vol('secrets')},target=/secrets`,
        `--volume=${vol('0')},kind=host,source=${data},readOnly=false`, `--mount=volume=${vol('0')},target=/data`,
        `--volume=${vol('1')},kind=host,source=${ro},readOnly=true`, `--mount=volume=${vol('1')},target=/ro`,
        'example.com/sh:1.0', '--exec=/bin/sh', '--memory=64M', '--cpu=250m',
        `--port=http:${staticPort}`, `--port=admin:${dyn}`,
        '--user=nobody', '--group=nogroup',
        '--', '-c', 'echo "$NOMAD_PORT_http $NOMAD_PORT_admin"; exec sleep 300',
      ]);

      const uuid = await until('pod UUID in the handle', () => b.state.uuid(id, 'web_srv'));
      // The handle is written once run-prepared is spawned, maybe before the wrapper logged it.
      await until('run-prepared logged', () => byCmd('run-prepared').length > 0);
      assert.deepEqual(byCmd('run-prepared'), [[dir, '--debug=false', 'run-prepared', '--dns=8.8.8.8', '--dns=8.8.4.4', '--dns-search=example.com', uuid]]);

      // What rkt made of it: the pod manifest.
      const cat = runStandin(b.rkt, ['cat-manifest', uuid]);
      assert.equal(cat.code, 0, cat.stderr);
      interface Manifest {
        apps: { app: { user: string; group: string; isolators: { name: string; value: { limit: string } }[] }; mounts: { volume: string; path: string }[] }[];
        volumes: { name: string; source: string; readOnly?: boolean }[];
        ports: { name: string; hostPort: number }[];
      }
      const m = JSON.parse(cat.stdout) as Manifest;
      const app = m.apps[0];
      assert.deepEqual(app.app.isolators.map((i) => [i.name, i.value.limit]), [['resource/memory', '64M'], ['resource/cpu', '250m']]);
      assert.deepEqual([app.app.user, app.app.group], ['nobody', 'nogroup']);
      assert.deepEqual(m.ports, [{ name: 'http', hostPort: staticPort }, { name: 'admin', hostPort: dyn }]);
      const mounts = new Map(app.mounts.map((x) => [x.path, m.volumes.find((v) => v.name === x.volume)?.source]));
      assert.deepEqual(Object.fromEntries(mounts), {
        '/alloc': join(root, 'alloc'), '/local': join(root, 'web_srv', 'local'), '/secrets': join(root, 'web_srv', 'secrets'), '/data': data, '/ro': ro,
      });

      // The app really runs as nobody and sees its ports.
      const [pid] = await until('one app process', () => (taskPids(id).length === 1 ? taskPids(id) : null));
      assert.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /^Uid:\s+65534\s/m);
      const out = join(root, 'alloc', 'logs', 'web_srv.stdout.0');
      await until('ports echoed', () => existsSync(out) && readFileSync(out, 'utf8') === `${staticPort} ${dyn}\n`);
    } finally {
      await agent.stop();
    }
  });

  test('a pod that exits by itself is rkt rm\'d, as after a stop', async () => {
    const b = box();
    const agent = agentFor(b);
    try {
      b.sb.writeJob('once.nomad', rktJob('once', { config: shConfig('exit 0'), restart: 'restart {\n      attempts = 0\n      mode = "fail"\n    }' }));
      await until('alloc settled', () => allocOf(b, 'once', (a) => a.clientStatus !== 'pending' && a.clientStatus !== 'running'));
      const pods = join(b.rkt.dataDir, 'pods');
      assert.ok(existsSync(pods), 'a pod was prepared');
      // until's 30 s: rkt may refuse the first rm (the pod just exited), and the driver
      // retries after 2 s, then 4 s (src/drivers/rkt/removal.ts).
      await until('pod removed', () => readdirSync(pods).length === 0);
    } finally {
      await agent.stop();
    }
  });

  test('BIVOUAC_RKT_PATH keeps the config file\'s rkt settings (rkt_min_version, rkt_dir)', async () => {
    const b = box();
    writeFileSync(b.config, `bivouac {\n  rkt_dir = ${JSON.stringify(b.rkt.dataDir)}\n  rkt_min_version = "1.31.0"\n}\n`);
    const agent = startAgent(b.sb, ['--config', b.config], { BIVOUAC_RKT_PATH: b.rkt.rktPath });
    try {
      const node = await until('rkt fingerprinted', () => b.state.rktDetected() && nodeJson(b));
      assert.equal(node.Drivers.rkt.Healthy, false, 'rkt 1.30.0 is below the configured 1.31.0');
      assert.match(node.Drivers.rkt.HealthDescription, /1\.30\.0.*1\.31\.0/);
    } finally {
      await agent.stop();
    }
  });
});
