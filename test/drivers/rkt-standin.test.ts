/**
 * The rkt stand-in against reference/rkt.md §5 and §8: exact outputs, stderr prefixes and
 * exit codes, pod states on disk, and apps run as real processes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { makeRktSandbox, runStandin, standinImagesDir, type RktSandbox } from '../helpers/rkt.js';
import { waitFor } from './contract.js';

const sandboxes: RktSandbox[] = [];
after(() => sandboxes.forEach((s) => s.cleanup()));
const sandbox = (o = {}): RktSandbox => {
  const s = makeRktSandbox(o);
  sandboxes.push(s);
  return s;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$/;
const stderrLines = (s: string): string[] => s.split('\n').filter((l) => l !== '' && !l.startsWith('image:') && !l.includes('group "rkt" not found'));

describe('rkt stand-in: version', () => {
  const cases = [
    { format: '0.8', want: 'rkt version 0.8.1\nappc version 0.6.1\n' },
    { format: '0.16', want: 'rkt Version: 0.16.0\nappc Version: 0.7.4\n' },
    { format: '1.x', want: 'rkt Version: 1.30.0\nappc Version: 0.8.11\nGo Version: go1.19.8\nGo OS/Arch: linux/amd64\nFeatures: -TPM -SDJOURNAL\n' },
  ] as const;
  for (const c of cases) {
    test(`format ${c.format}`, () => {
      const r = runStandin(sandbox({ versionFormat: c.format }), ['version']);
      assert.deepEqual([r.code, r.stdout], [0, c.want]);
    });
  }
  test('hooks: garbage output, failure', () => {
    assert.equal(runStandin(sandbox({ versionMode: 'garbage' }), ['version']).stdout, 'rocket launcher, build unknown\n');
    assert.equal(runStandin(sandbox({ versionMode: 'fail' }), ['version']).code, 254);
  });
});

describe('rkt stand-in: command line', () => {
  const sb = sandbox();
  test('no command exits 2, unknown flag and command exit 254 with cobra words', () => {
    const none = runStandin(sb, []);
    assert.equal(none.code, 2);
    assert.equal(none.stderr, 'missing command\n');
    const flag = runStandin(sb, ['version', '--bogus-flag']);
    assert.deepEqual([flag.code, flag.stderr], [254, 'Error: unknown flag: --bogus-flag\n']);
    assert.match(flag.stdout, /^Usage:/);
    const cmd = runStandin(sb, ['bogus']);
    assert.deepEqual([cmd.code, cmd.stderr], [254, `Error: unknown command "bogus" for "rkt"\nRun 'rkt --help' for usage.\n`]);
  });
  test('subcommand prefix matching and global flags after the subcommand', () => {
    const r = runStandin(sb, ['stat', '--debug=true', '0000']);
    assert.deepEqual([r.code, r.stderr], [254, 'status: problem retrieving pod: no matches found for "0000"\n']);
  });
  test('--exec and args after the image, global and pod flags after the image too', () => {
    const r = runStandin(sb, ['run', '--set-env=A=1', 'example.com/hello', '--exec=/bin/echo', '--insecure-options=image', '--', 'a', 'b c', '---']);
    assert.deepEqual([r.code, r.stdout], [0, 'a b c\n']);
  });
  const quantities = [
    { args: ['--memory=64M', 'example.com/hello'], code: 254, err: 'Error: invalid argument "64M" for --memory=64M: --memory must follow an image' },
    { args: ['example.com/hello', '--memory=abc'], code: 254, err: `prepare: error parsing app image arguments: invalid argument "abc" for --memory=abc: error parsing request: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'` },
    { args: ['example.com/hello', '--memory=16m'], code: 254, err: 'prepare: error parsing app image arguments: invalid argument "16m" for --memory=16m: memory limit of 1 bytes too low. Try a reasonable value, such as --memory=16M' },
    { args: ['example.com/hello', '--cpu=5mm'], code: 254, err: `prepare: error parsing app image arguments: invalid argument "5mm" for --cpu=5mm: error parsing request: unable to parse quantity's suffix` },
    { args: ['example.com/hello', '--memory=256M', '--cpu=500m'], code: 0, err: null },
    { args: ['example.com/hello', '--memory=1.5Gi', '--cpu=2'], code: 0, err: null },
    { args: ['example.com/hello', '--net=host'], code: 254, err: 'prepare: error parsing app image arguments: unknown flag: --net' },
    { args: ['--', 'x'], code: 254, err: 'prepare: error parsing app image arguments: an image is required before any app arguments' },
    { args: ['example.com/hello', '--port=nosuch:80'], code: 254, err: 'prepare: error setting up stage0: port name "nosuch" could not be found in any apps' },
  ];
  for (const q of quantities) {
    test(`prepare ${q.args.join(' ')}`, () => {
      const r = runStandin(sb, ['prepare', ...q.args]);
      assert.equal(r.code, q.code);
      if (q.err === null) assert.match(r.stdout, UUID);
      else assert.equal(stderrLines(r.stderr)[0], q.err);
    });
  }
});

describe('rkt stand-in: images and trust', () => {
  const sb = sandbox();
  const table = [
    { image: 'docker://redis:7', insecure: false, err: 'prepare: error finding images: signature verification for docker images is not supported (try --insecure-options=image)' },
    { image: 'docker://redis:7', insecure: true, err: null },
    { image: 'https://example.com/images/x.aci', insecure: true, err: null },
    { image: join(standinImagesDir, 'hello.aci'), insecure: false, err: `prepare: error finding images: open ${join(standinImagesDir, 'hello.aci')}.asc: no such file or directory` },
    { image: join(standinImagesDir, 'hello.aci'), insecure: true, err: null },
    { image: '/nonexistent/x.aci', insecure: true, err: 'prepare: error finding images: open /nonexistent/x.aci: no such file or directory' },
    { image: 'nosuch.example/app', insecure: true, err: 'prepare: error finding images: discovery failed' },
    { image: 'coreos.com/etcd:v2.0.4', insecure: false, err: 'prepare: error finding images: openpgp: signature made by unknown entity' },
  ];
  for (const c of table) {
    test(`${c.image} ${c.insecure ? 'insecure' : 'secure'}`, () => {
      const r = runStandin(sb, [...(c.insecure ? ['--insecure-options=image'] : []), 'prepare', c.image]);
      if (c.err === null) assert.deepEqual([r.code, UUID.test(r.stdout)], [0, true]);
      else assert.deepEqual([r.code, stderrLines(r.stderr)], [254, [c.err]]);
    });
  }
  test('an image by hash from the store; run --pull-policy=never of an unknown name', () => {
    const hello = runStandin(sb, ['image', 'list', '--full', '--no-legend']).stdout.split('\n').find((l) => l.includes('example.com/hello'));
    assert.ok(hello);
    const r = runStandin(sb, ['run', hello.split('\t')[0]]);
    assert.deepEqual([r.code, r.stdout], [0, 'hello from rkt\n']);
    const never = runStandin(sb, ['run', '--pull-policy=never', 'nosuch.example/app']);
    assert.equal(stderrLines(never.stderr)[0], 'run: unable to fetch image from image name "nosuch.example/app": either image was not found in the store or store was disabled and fetching from remote yielded nothing or it was disabled');
  });
  test('trust: unknown prefix, URL scheme, then a trusted prefix lets the signed image through', () => {
    const bad = runStandin(sb, ['trust', '--skip-fingerprint-review=true', '--prefix=example.com/invalid', '--debug=false']);
    assert.deepEqual([bad.code, bad.stderr], [254, 'prefix: "example.com/invalid"\ntrust: error determining key location: discovery failed\n']);
    assert.equal(runStandin(sb, ['trust', '--prefix=https://coreos.com/etcd']).code, 254);
    const ok = runStandin(sb, ['trust', '--skip-fingerprint-review=true', '--prefix=coreos.com/etcd']);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /^gpg key fingerprint is: 8B86 DE38 /);
    assert.match(ok.stdout, /Trusting "https:\/\/coreos.com\/etcd\/pubkeys.gpg" for prefix "coreos.com\/etcd" without fingerprint review\.\nAdded key for prefix "coreos.com\/etcd" at "/);
    assert.equal(runStandin(sb, ['prepare', 'coreos.com/etcd:v2.0.4']).code, 0);
  });
});

describe('rkt stand-in: pod lifecycle', () => {
  const prepare = (sb: RktSandbox, ...args: string[]): string => {
    const r = runStandin(sb, ['--insecure-options=image', 'prepare', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  test('prepare → run-prepared → status records the exit code (coreos)', () => {
    const sb = sandbox();
    const uuid = prepare(sb, 'example.com/sh', '--exec=/bin/sh', '--', '-c', 'echo out; echo err >&2; exit 3');
    assert.deepEqual(runStandin(sb, ['status', uuid]).stdout.split('\n').slice(0, 1), ['state=prepared']);
    const run = runStandin(sb, ['run-prepared', uuid]);
    assert.deepEqual([run.code, run.stdout, stderrLines(run.stderr)], [3, 'out\n', ['err']]);
    assert.match(run.stderr, /^run-prepared: group "rkt" not found, will use default gid when rendering images$/m);
    const text = runStandin(sb, ['status', uuid]).stdout.split('\n');
    assert.deepEqual([text[0], text[3], text[5], text[6]], ['state=exited', 'networks=', 'exited=true', 'app-sh=3']);
    assert.match(text[1], /^created=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,3})? \+0000 UTC$/);
    const json = JSON.parse(runStandin(sb, ['status', '--format=json', uuid]).stdout);
    assert.deepEqual([json.name, json.state, json.app_names, json.apps[0].exit_code, json.apps[0].state], [uuid, 'exited', ['sh'], 3, 'exited']);
    const again = runStandin(sb, ['run-prepared', uuid]);
    assert.deepEqual([again.code, again.stderr], [254, `run-prepared: pod "${uuid}" is not prepared\n`]);
  });
  test('fly stage1 records no exit code', () => {
    const sb = sandbox({ stage1: 'fly' });
    const uuid = prepare(sb, 'example.com/sh', '--exec=/bin/sh', '--', '-c', 'exit 4');
    assert.equal(runStandin(sb, ['run-prepared', uuid]).code, 4);
    assert.ok(!runStandin(sb, ['status', uuid]).stdout.includes('app-'));
    assert.equal(JSON.parse(runStandin(sb, ['status', '--format=json', uuid]).stdout).apps[0].exit_code, undefined);
  });
  test('volumes: mounts mapped to host sources, a missing host path fails at run', () => {
    const sb = sandbox();
    const host = join(sb.root, 'alloc');
    mkdirSync(host);
    const uuid = prepare(sb, `--volume=a-alloc,kind=host,source=${host}`, '--mount=volume=a-alloc,target=/alloc', '--set-env=NOMAD_ALLOC_DIR=/alloc', 'example.com/sh', '--exec=/bin/sh', '--', '-c', 'echo hi > $NOMAD_ALLOC_DIR/f');
    assert.equal(runStandin(sb, ['run-prepared', uuid]).code, 0);
    assert.equal(readFileSync(join(host, 'f'), 'utf8'), 'hi\n');
    assert.match(runStandin(sb, ['cat-manifest', uuid]).stdout, /"target"|"path": "\/alloc"/);
    const gone = prepare(sb, '--volume=v,kind=host,source=/nonexistent-dir', 'example.com/hello');
    const r = runStandin(sb, ['run-prepared', gone]);
    assert.deepEqual([r.code, stderrLines(r.stderr)], [254, ['run: stat of host path /nonexistent-dir: stat /nonexistent-dir: no such file or directory']]);
    const fly = runStandin(sb, ['run', 'example.com/data:1.0'], { RKT_STANDIN_STAGE1: 'fly' });
    assert.deepEqual([fly.code, stderrLines(fly.stderr)], [254, ['run: can\'t evaluate mounts: missing volume for mountpoint "data"']]);
  });
  test('stop, rm and gc with rkt\'s outputs', async () => {
    const sb = sandbox();
    const uuid = prepare(sb, 'example.com/sh', '--exec=/bin/sleep', '--', '30');
    const child = spawn(sb.rktPath, [`--dir=${sb.dataDir}`, 'run-prepared', uuid], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    await waitFor(() => runStandin(sb, ['status', uuid]).stdout.startsWith('state=running'), 'pod running');
    const rmRunning = runStandin(sb, ['rm', uuid]);
    assert.deepEqual([rmRunning.code, rmRunning.stderr], [254, `rm: pod "${uuid}" is currently running\nrm: failed to remove one or more pods\n`]);
    assert.deepEqual(runStandin(sb, ['stop', uuid]).stdout, `"${uuid}"\n`);
    assert.equal(await exited, 143);
    assert.equal(runStandin(sb, ['stop', uuid]).stdout, `pod "${uuid}" is already stopped\n`);
    assert.match(runStandin(sb, ['status', uuid]).stdout, /app-sh=143/);
    assert.equal(runStandin(sb, ['rm', uuid]).stdout, `"${uuid}"\n`);
    const rmAgain = runStandin(sb, ['rm', uuid]);
    assert.deepEqual([rmAgain.code, rmAgain.stderr], [254, `rm: cannot get pod: no matches found for "${uuid}"\nrm: failed to remove one or more pods\n`]);
    const stopGone = runStandin(sb, ['stop', uuid]);
    assert.deepEqual([stopGone.code, stopGone.stderr], [254, `stop: cannot get pod: no matches found for "${uuid}"\nstop: failed to stop 1 pod(s)\n`]);
    const other = prepare(sb, 'example.com/hello');
    runStandin(sb, ['run-prepared', other]);
    runStandin(sb, ['gc', '--mark-only']);
    assert.match(runStandin(sb, ['status', other]).stdout, /^state=exited garbage$/m);
    const gc = runStandin(sb, ['gc', '--grace-period=0s']);
    assert.deepEqual([gc.code, gc.stdout], [0, `Garbage collecting pod "${other}"\n`]);
  });
});
