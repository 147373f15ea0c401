/**
 * `bivouac alloc exec` into a real exec-driver task (root, real namespaces and cgroups): the
 * command runs in the task's PID namespace, root, cgroup and user, with the task's env, and
 * its exit code and stdin come through.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cli, jobStatus, sandbox, startAgent, waitFor, type RunningAgent, type Sandbox } from '../helpers/agent.js';
import { cliPath } from '../helpers/paths.js';
import { makeRktSandbox, type RktSandbox } from '../helpers/rkt.js';

const JOB = `job "isolated" {
  group "g" {
    task "t" {
      driver = "exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo ready > /local/mark; exec sleep 1000"]
      }
      env {
        GREETING = "hello from the task env"
      }
      resources {
        cpu    = 20
        memory = 32
      }
    }
  }
}
`;

const root = process.getuid?.() === 0;

describe('alloc exec into an exec task', { skip: root ? false : 'the exec driver needs root' }, () => {
  let sb: Sandbox;
  let agent: RunningAgent;
  let allocId = '';

  before(async () => {
    sb = sandbox('bivouac-cli-exec-');
    sb.writeJob('isolated.nomad', JOB);
    agent = startAgent(sb);
    const a = await waitFor('exec task running', () => jobStatus(sb, 'isolated')?.Allocations.find((x) => x.ClientStatus === 'running'), 60_000);
    allocId = a.ID;
    await waitFor('the task wrote its mark', () => {
      try {
        return readFileSync(join(sb.dataDir, 'alloc', allocId, 't', 'local', 'mark'), 'utf8') === 'ready\n';
      } catch {
        return false;
      }
    }, 60_000);
  });

  after(async () => {
    await agent?.stop();
    sb?.cleanup();
  });

  test("in the task's PID namespace, root, cgroup and user, with its env; the exit code is the command's", () => {
    const script = [
      'cat /proc/1/cmdline | tr "\\0" " "; echo',
      'id -u',
      'cat /local/mark',
      'printf "%s\\n" "$GREETING" "$NOMAD_ALLOC_DIR"',
      'cat /proc/self/cgroup',
      'exit 3',
    ].join('; ');
    const r = cli(['alloc', 'exec', '--data-dir', sb.dataDir, allocId.slice(0, 6), '/bin/sh', '-c', script]);
    assert.equal(r.code, 3, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0].trim(), 'sleep 1000', r.stdout);
    assert.equal(lines[1], '65534');
    assert.equal(lines[2], 'ready');
    assert.equal(lines[3], 'hello from the task env', r.stdout);
    assert.equal(lines[4], '/alloc');
    assert.ok(lines.slice(5).some((l) => l.includes(`${allocId}.t`)), `not in the task's cgroup:\n${r.stdout}`);
  });

  test('stdin passes through; the task dir seen inside is the task root', () => {
    const r = spawnSync(process.execPath, [cliPath, 'alloc', 'exec', '--data-dir', sb.dataDir, allocId, '/bin/sh', '-c', 'cat > /local/from-exec'], { input: 'piped in\n', encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(sb.dataDir, 'alloc', allocId, 't', 'local', 'from-exec'), 'utf8'), 'piped in\n');
  });

  test('-t: the command inside the namespaces has a terminal on stdin and stdout, still in the task\'s cgroup; the exit code is its own', () => {
    const r = spawnSync(process.execPath, [cliPath, 'alloc', 'exec', '-t', '--data-dir', sb.dataDir, allocId, '/bin/sh', '-c', '[ -t 0 ] && [ -t 1 ] && echo isatty; cat /proc/self/cgroup; exit 5'], { input: '', encoding: 'utf8' });
    assert.equal(r.status, 5, r.stderr);
    const lines = r.stdout.split('\r\n');
    assert.equal(lines[0], 'isatty', r.stdout);
    assert.ok(lines.some((l) => l.includes(`${allocId}.t`)), `not in the task's cgroup:\n${r.stdout}`);
  });
});

describe('alloc exec -t: a pseudo-terminal of its own (raw_exec)', () => {
  let sb: Sandbox;
  let agent: RunningAgent;
  let allocId = '';

  before(async () => {
    sb = sandbox('bivouac-cli-exec-tty-');
    sb.writeJob('plain.nomad', 'job "plain" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n      config {\n        command = "/bin/sleep"\n        args = ["1000"]\n      }\n      resources {\n        cpu = 20\n        memory = 16\n      }\n    }\n  }\n}\n');
    agent = startAgent(sb);
    allocId = (await waitFor('raw_exec task running', () => jobStatus(sb, 'plain')?.Allocations.find((x) => x.ClientStatus === 'running'), 60_000)).ID;
  });

  after(async () => {
    await agent?.stop();
    sb?.cleanup();
  });

  const exec = (flags: string[], command: string[], input: string): SpawnSyncReturns<string> =>
    spawnSync(process.execPath, [cliPath, 'alloc', 'exec', ...flags, '--data-dir', sb.dataDir, allocId, ...command], { input, encoding: 'utf8' });

  test('tty prints a /dev/pts path, stdin reaches the command through the terminal, the exit code is the command\'s', () => {
    const r = exec(['-t'], ['/bin/sh', '-c', 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo isatty; head -1; exit 6'], 'hello through the pty\nsecond\n');
    assert.equal(r.status, 6, r.stderr);
    const lines = r.stdout.split('\r\n');
    assert.match(lines[0], /^\/dev\/pts\/\d+$/, r.stdout);
    assert.equal(lines[1], 'isatty');
    // Echo is off: the line arrives once, from the command.
    assert.equal(lines[2], 'hello through the pty', r.stdout);
    assert.ok(!r.stdout.includes('second'), r.stdout);
  });

  test('arguments reach the command as they were, quotes and spaces included; the task\'s SHELL is not the broker\'s', () => {
    const r = exec(['-t'], ['/bin/sh', '-c', 'printf "[%s]" "$@"; printf "{%s}" "${SHELL-unset}"', 'sh', "it's", 'a b', '$HOME', ''], '');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `[it's][a b][$HOME][]{${process.env.SHELL ?? 'unset'}}`);
  });

  test('without -t and with stdin not a terminal there is none (Nomad\'s default); -t=false likewise', () => {
    for (const flags of [[], ['-t=false']]) {
      const r = exec(flags, ['/bin/sh', '-c', 'tty; exit 0'], '');
      assert.equal(r.stdout, 'not a tty\n', `${flags.join(' ')}: ${r.stdout}`);
    }
  });
});

describe('alloc exec into an rkt task (the rkt stand-in)', { skip: root ? false : 'rkt enter needs root' }, () => {
  let sb: Sandbox;
  let rkt: RktSandbox;
  let agent: RunningAgent;
  let allocId = '';
  let config = '';

  before(async () => {
    sb = sandbox('bivouac-cli-exec-rkt-');
    rkt = makeRktSandbox();
    config = join(sb.root, 'agent.hcl');
    writeFileSync(config, `bivouac {\n  rkt_dir = ${JSON.stringify(rkt.dataDir)}\n}\n`);
    sb.writeJob(
      'pod.nomad',
      `job "pod" {
  group "g" {
    task "web" {
      driver = "rkt"
      config {
        image        = "example.com/sh:1.0"
        trust_prefix = "example.com/sh"
        command      = "/bin/sh"
        args         = ["-c", "exec sleep 300"]
      }
      env {
        GREETING = "hello from the pod"
      }
      resources {
        cpu    = 20
        memory = 32
      }
    }
  }
}
`,
    );
    agent = startAgent(sb, ['--config', config, '--rkt-path', rkt.rktPath]);
    allocId = (await waitFor('pod running', () => jobStatus(sb, 'pod')?.Allocations.find((x) => x.ClientStatus === 'running'), 60_000)).ID;
  });

  after(async () => {
    await agent?.stop();
    sb?.cleanup();
    rkt?.cleanup();
  });

  test('rkt enter <pod uuid> with the agent config: the app env, the exit code, stdin', () => {
    const r = spawnSync(process.execPath, [cliPath, 'alloc', 'exec', '--data-dir', sb.dataDir, '-config', config, allocId, '/bin/sh', '-c', 'printf "%s|%s|" "$AC_APP_NAME" "$GREETING"; cat; exit 4'], {
      input: 'in',
      encoding: 'utf8',
      env: { ...process.env, BIVOUAC_RKT_PATH: rkt.rktPath },
    });
    assert.equal(r.status, 4, r.stderr);
    // The app is named after its image (example.com/sh), as rkt names apps.
    assert.equal(r.stdout, 'sh|hello from the pod|in');
  });
});
