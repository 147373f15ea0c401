/**
 * The text CLI in Nomad 1.0's layouts against a real agent running real raw_exec tasks: ID
 * prefixes with Nomad's rules and words, Allocation Addresses, Queued for an unplaced group,
 * and an unknown `${attr.x}` failing its task with Failed Validation.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliPath } from '../helpers/paths.js';
import { allocStatus, cli, jobStatus, sandbox, startAgent, waitFor, type RunningAgent, type Sandbox } from '../helpers/agent.js';

const WEB = `job "web" {
  datacenters = ["dc1"]
  group "g" {
    network {
      port "http" {}
    }
    task "server" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["1000"]
      }
      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
`;

/** More memory than any test machine has: the group cannot be placed. */
const HUGE = `job "huge" {
  datacenters = ["dc1"]
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["1000"]
      }
      resources {
        memory = 100000000
      }
    }
  }
}
`;

const BADATTR = `job "badattr" {
  datacenters = ["dc1"]
  group "g" {
    restart {
      attempts = 3
      delay    = "1s"
      mode     = "fail"
    }
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/echo"
        args    = ["\${attr.no.such.thing}"]
      }
    }
  }
}
`;

describe('status layouts against a running agent', () => {
  let sb: Sandbox;
  let agent: RunningAgent;
  let webAlloc = '';

  before(async () => {
    sb = sandbox('bivouac-cli-layout-');
    sb.writeJob('web.nomad', WEB);
    sb.writeJob('huge.nomad', HUGE);
    sb.writeJob('badattr.nomad', BADATTR);
    agent = startAgent(sb);
    const web = await waitFor('web running', () => {
      const s = jobStatus(sb, 'web');
      return s?.Allocations.find((a) => a.ClientStatus === 'running');
    }, 90_000);
    webAlloc = web.ID;
  });

  after(async () => {
    await agent?.stop();
    sb?.cleanup();
  });

  /** The data dir goes right after the command words: after the alloc ID, exec's arguments are the command's. */
  const run = (...args: string[]): ReturnType<typeof cli> => {
    const words = ['alloc', 'job', 'node'].includes(args[0]) ? 2 : 1;
    return cli([...args.slice(0, words), '--data-dir', sb.dataDir, ...args.slice(words)]);
  };

  test('alloc status by an odd-length prefix: Nomad 1.0 header, Allocation Addresses, Task Resources', () => {
    const r = run('alloc', 'status', webAlloc.slice(0, 5));
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, new RegExp(`^ID                  = ${webAlloc}$`, 'm'));
    assert.match(out, /^Eval ID             = ([0-9a-f]{8}|<none>)$/m);
    assert.match(out, /^Name                = web\.g\[0\]$/m);
    assert.match(out, /^Client Status       = running$/m);
    assert.match(out, /^Desired Description = <none>$/m);
    const addr = /\nAllocation Addresses\nLabel  Dynamic  Address\n\*http  yes      (\d+\.\d+\.\d+\.\d+):(\d+)\n/.exec(out);
    assert.ok(addr, out);
    // The same port the task was given in its environment.
    const env = run('alloc', 'exec', webAlloc.slice(0, 8), '/bin/sh', '-c', 'printf %s "$NOMAD_PORT_http"');
    assert.equal(env.code, 0, env.stderr);
    assert.equal(env.stdout, addr[2]);
    // Nomad's formatListWithSpaces: the empty Addresses cell leaves the separator behind.
    // The agent's first usage sample may or may not be in yet: `100 MHz` or `0/100 MHz`.
    assert.match(out, /\nTask "server" is "running"\nTask Resources\nCPU +Memory +Disk +Addresses\n(\d+\/)?100 MHz  (\d+(\.\d)? [KMG]?i?B\/)?64 MiB  300 MiB  \n\n/);
    assert.match(out, /\nRecent Events:\nTime +Type +Description\n\S+ +Started +Task started by client\n/);
  });

  test('alloc exec (raw_exec): in the task dir, with its env, the exit code and stdin passed through', () => {
    const r = run('alloc', 'exec', webAlloc.slice(0, 4), '/bin/sh', '-c', 'pwd; printf "%s\\n" "$NOMAD_TASK_NAME" "$NOMAD_ALLOC_ID"; test -z "$BIVOUAC_TASK_ID" && echo unmarked; exit 7');
    assert.equal(r.code, 7, r.stderr);
    assert.equal(r.stdout, `${join(sb.dataDir, 'alloc', webAlloc, 'server')}\nserver\n${webAlloc}\nunmarked\n`);
    const piped = spawnSync(process.execPath, [cliPath, 'alloc', 'exec', '-task', 'server', '--data-dir', sb.dataDir, webAlloc, '/bin/cat'], { input: 'from stdin\n', encoding: 'utf8' });
    assert.deepEqual([piped.status, piped.stdout], [0, 'from stdin\n'], piped.stderr);
    const closed = spawnSync(process.execPath, [cliPath, 'alloc', 'exec', '-i=false', '--data-dir', sb.dataDir, webAlloc, '/bin/cat'], { input: 'ignored\n', encoding: 'utf8' });
    assert.deepEqual([closed.status, closed.stdout], [0, ''], closed.stderr);
    const wrong = run('alloc', 'exec', '-task', 'nope', webAlloc, '/bin/true');
    assert.deepEqual([wrong.code, wrong.stderr], [1, 'Error: Could not find task named: nope\n']);
  });

  test('node status -self: the running allocations\' measured usage once the agent has sampled them', async () => {
    const out = await waitFor('Allocation Resource Utilization', () => {
      const r = run('node', 'status', '-self');
      return r.stdout.includes('\nAllocation Resource Utilization\n') ? r.stdout : undefined;
    }, 60_000, 500);
    assert.match(out, /\nAllocation Resource Utilization\nCPU +Memory\n\d+\/\d+ MHz +\d+(\.\d)? [KMG]?i?B\/\d+(\.\d)? [KMGT]iB\n/);
    assert.match(out, /\nHost Resource Utilization\nCPU +Memory +Disk\n\d+\/\d+ MHz +/);
    assert.match(out, new RegExp(`\\nAllocations\\nID +Node ID +Task Group +Version +Desired +Status +Created +Modified\\n(.*\\n)*${webAlloc.slice(0, 8)} +`));
    const usage = run('alloc', 'status', webAlloc);
    assert.match(usage.stdout, /\n\d+\/100 MHz  \d+(\.\d)? [KMG]?i?B\/64 MiB  300 MiB  \n/);
  });

  test('alloc status -verbose: full IDs, exact times, the placement metrics lines', () => {
    const r = run('alloc', 'status', '-verbose', webAlloc);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Node ID             = [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/m);
    assert.match(r.stdout, /^Created             = \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);
    assert.match(r.stdout, /\nEvaluated Nodes     = 1\nFiltered Nodes      = 0\nExhausted Nodes     = 0\nAllocation Time     = \S+\nFailures            = 0\n/);
  });

  test('alloc exec on a terminal: the command gets the caller\'s TTY', { skip: existsSync('/usr/bin/script') ? false : 'no script(1) here' }, () => {
    // script(1) gives the CLI a pseudo-terminal, as an operator's shell would.
    const line = [process.execPath, cliPath, 'alloc', 'exec', '-t', '--data-dir', sb.dataDir, webAlloc, '/bin/sh', '-c', 'test -t 0 && test -t 1 && echo on-a-tty; exit 6'].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', line, '/dev/null'], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    assert.equal(r.status, 6, r.stderr);
    assert.match(r.stdout, /on-a-tty\r?\n/);
  });

  test('alloc exec passes a SIGTERM sent to the CLI on to the command, and exits with its code', async () => {
    const p = spawn(process.execPath, [cliPath, 'alloc', 'exec', '--data-dir', sb.dataDir, webAlloc, '/bin/sh', '-c', 'trap "echo got TERM; exit 5" TERM; echo ready; while :; do sleep 0.1; done'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
    await waitFor('the command is ready', () => out.includes('ready\n'), 60_000);
    p.kill('SIGTERM');
    assert.equal(await exited, 5);
    assert.equal(out, 'ready\ngot TERM\n');
  });

  test("short IDs: one character, no match, Nomad's words and exit 1", () => {
    assert.deepEqual(pick(run('alloc', 'status', webAlloc[0])), [1, 'Identifier must contain at least two characters.\n']);
    assert.deepEqual(pick(run('alloc', 'logs', webAlloc[0])), [1, 'Alloc ID must contain at least two characters.\n']);
    const none = webAlloc[0] === 'f' ? '0000' : 'ffff';
    assert.deepEqual(pick(run('alloc', 'status', `${none}0`)), [1, `No allocation(s) with prefix or id "${none}" found\n`]);
    assert.deepEqual(pick(run('job', 'status', 'nosuchjob')), [1, 'No job(s) with prefix or id "nosuchjob" found\n']);
    assert.deepEqual(pick(run('status', 'nosuchjob')), [1, 'Unable to resolve ID: "nosuchjob"\n']);
  });

  test('status with a job prefix shows the job; with an alloc prefix, the allocation', () => {
    const job = run('status', 'we');
    assert.equal(job.code, 0, job.stderr);
    assert.match(job.stdout, /^ID            = web$/m);
    assert.ok(job.stdout.includes('\nSummary\nTask Group  Queued  Starting  Running  Failed  Complete  Lost\ng           0       0         1        0       0         0\n'), job.stdout);
    assert.match(job.stdout, new RegExp(`\\nAllocations\\nID +Node ID +Task Group +Version +Desired +Status +Created +Modified\\n${webAlloc.slice(0, 8)} +[0-9a-f]{8} +g +0 +run +running +`));
    const alloc = run('status', webAlloc.slice(0, 6));
    assert.equal(alloc.code, 0, alloc.stderr);
    assert.match(alloc.stdout, new RegExp(`^ID                  = ${webAlloc}$`, 'm'));
  });

  test('status -verbose JOB: allocations with full IDs, Eval ID and Node Name', () => {
    const r = run('status', '-verbose', 'web');
    assert.equal(r.code, 0, r.stderr);
    // A job from a file has its registration's synthetic evaluation, which placed the allocation.
    const evalId = /\nEvaluations\nID +Priority +Triggered By +Status +Placement Failures\n([0-9a-f-]{36}) +50 +job-register +complete +false\n/.exec(r.stdout)?.[1];
    assert.ok(evalId, r.stdout);
    assert.match(r.stdout, new RegExp(`\\nAllocations\\nID +Eval ID +Node ID +Node Name +Task Group +Version +Desired +Status +Created +Modified\\n${webAlloc} +${evalId} +[0-9a-f-]{36} +\\S+ +g +0 +run +running +\\d{4}-`));
  });

  test('a group that cannot be placed counts as Queued', () => {
    const r = run('status', 'huge');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes('\nSummary\nTask Group  Queued  Starting  Running  Failed  Complete  Lost\ng           1       0         0        0       0         0\n'), r.stdout);
    assert.match(r.stdout, /\nPlacement Failure\nTask Group "g" \(failed to place 1 allocation\):\n/);
  });

  test('an unknown ${attr.x} fails the task with Failed Validation, not restarted, never run with the literal text', async () => {
    const alloc = await waitFor('badattr failed', () => {
      const s = jobStatus(sb, 'badattr');
      const a = s?.Allocations[0];
      return a && a.ClientStatus === 'failed' ? a : undefined;
    }, 90_000);
    const full = allocStatus(sb, alloc.ID);
    const t = full.TaskStates.t;
    assert.equal(t.State, 'dead');
    assert.equal(t.Failed, true);
    assert.equal(t.Restarts, 0);
    const types = t.Events.map((e) => e.Type);
    assert.ok(types.includes('Failed Validation'), types.join(', '));
    assert.ok(!types.includes('Started'), types.join(', '));
    const ev = t.Events.find((e) => e.Type === 'Failed Validation');
    assert.match(ev?.DisplayMessage ?? '', /\$\{attr\.no\.such\.thing\}/);
    const text = run('alloc', 'status', alloc.ID);
    assert.match(text.stdout, /\S+ +Failed Validation +failed to interpolate \$\{attr\.no\.such\.thing\}/);
  });
});

function pick(r: { code: number; stderr: string }): [number, string] {
  return [r.code, r.stderr];
}
