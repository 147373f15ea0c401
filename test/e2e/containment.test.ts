/**
 * Containment end to end, as root on this host's cgroups: the real agent, real tasks that
 * daemonise, `alloc status` as a user reads it, and no cgroup left behind.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readProcStat } from '../../src/drivers/proc.js';
import { getHandle, listAllocsForJob, openState, type AllocRecord } from '../../src/state/index.js';
import { cli, sandbox, startAgent, waitFor, type RunningAgent, type Sandbox } from '../helpers/agent.js';
import { makeRktSandbox, runStandin, type RktSandbox } from '../helpers/rkt.js';
import { listBivouacCgroups } from '../cgroups/helpers.js';

const boxes: Sandbox[] = [];
const rkts: RktSandbox[] = [];
function box(): Sandbox {
  const b = sandbox('bivouac-e2e-cg-');
  boxes.push(b);
  return b;
}
function nodeIdOf(sb: Sandbox): string {
  return readFileSync(join(sb.dataDir, 'node-id'), 'utf8').trim();
}
after(() => {
  const ids = boxes.filter((b) => existsSync(join(b.dataDir, 'node-id'))).map(nodeIdOf);
  boxes.forEach((b) => b.cleanup());
  rkts.forEach((r) => r.cleanup());
  // No cgroup of these agents is left once their tests are over.
  const left = listBivouacCgroups().filter((d) => ids.some((id) => d.endsWith(`bivouac-${id}`)));
  assert.deepEqual(left, []);
});

const until = <T>(what: string, fn: () => T | undefined | null | false): Promise<T> => waitFor(what, fn, 40_000, 100);

function allocs(sb: Sandbox, job: string): AllocRecord[] {
  const db = openState(join(sb.dataDir, 'state.db'), { readonly: true });
  try {
    return listAllocsForJob(db, job);
  } finally {
    db.close();
  }
}
function running(sb: Sandbox, job: string, version?: number): AllocRecord | undefined {
  return allocs(sb, job).find((a) => a.clientStatus === 'running' && a.desiredStatus === 'run' && (version === undefined || a.jobVersion === version));
}
function alive(pid: number): boolean {
  const st = readProcStat('/proc', pid);
  return st !== null && st.state !== 'Z';
}
/** The task cgroups this agent has now (names), read from the host. */
function taskCgroups(sb: Sandbox): string[] {
  const id = nodeIdOf(sb);
  const base = listBivouacCgroups().find((d) => d.endsWith(`bivouac-${id}`));
  return base ? readdirSync(base, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];
}

const job = (id: string, script: string, o: { type?: string; restart?: string; env?: string; driver?: string; config?: string } = {}): string => `job "${id}" {
  type = "${o.type ?? 'service'}"
  group "g" {
    ${o.restart ?? 'restart {\n      attempts = 3\n      interval = "10m"\n      delay = "100ms"\n      mode = "fail"\n    }'}
    task "t" {
      driver = "${o.driver ?? 'raw_exec'}"
      kill_timeout = "1s"
      config {
${o.config ?? `        command = "/bin/sh"\n        args = ["-c", ${JSON.stringify(script)}]`}
      }
      env {
        ${o.env ?? 'MARK = "one"'}
      }
      resources {
        cpu = 100
        memory = 64
      }
    }
  }
}
`;

/**
 * Starts a setsid daemon that records its pid in local/daemon.<n>, n counting the task's
 * attempts (local/ outlives a restart), waits (bounded) until that file is there, then runs
 * `then`. Named by attempt, not by pid: pids wrap, so their order is not the attempts'.
 */
const daemonise = (then: string): string =>
  `n=1; while [ -e "$NOMAD_TASK_DIR/daemon.$n" ]; do n=$((n+1)); done; ` +
  `setsid sh -c 'echo $$ > "$NOMAD_TASK_DIR/daemon.$1.tmp" && mv "$NOMAD_TASK_DIR/daemon.$1.tmp" "$NOMAD_TASK_DIR/daemon.$1"; exec sleep 300' daemon "$n" & ` +
  `i=0; while [ ! -e "$NOMAD_TASK_DIR/daemon.$n" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; ${then}`;

/** The daemons' pids, in the order of the attempts that started them. */
function daemonPids(sb: Sandbox, alloc: string): number[] {
  const dir = join(sb.dataDir, 'alloc', alloc, 't', 'local');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^daemon\.\d+$/.test(n))
    .map((n) => ({ attempt: Number(n.slice(7)), pid: Number(readFileSync(join(dir, n), 'utf8').trim()) }))
    .sort((x, y) => x.attempt - y.attempt)
    .map((d) => d.pid);
}

describe('containment through the agent (raw_exec)', { concurrency: 2 }, () => {
  test('a setsid grandchild is gone after stop, update and restart', async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      // restart: the task exits by itself leaving its daemon; the next attempt starts clean.
      sb.writeJob('d.nomad', job('d', daemonise('[ -e "$NOMAD_TASK_DIR/again" ] && exec sleep 300; touch "$NOMAD_TASK_DIR/again"; exit 1')));
      const a = await until('d restarted and running', () => {
        const r = running(sb, 'd');
        return r && daemonPids(sb, r.id).length >= 2 ? r : undefined;
      });
      const [first, second] = daemonPids(sb, a.id);
      await until('first daemon killed at the restart', () => !alive(first) || undefined);
      assert.ok(alive(second), 'the running attempt keeps its daemon');
      assert.deepEqual(taskCgroups(sb), [`${a.id}.t`]);

      // update: a new version replaces the allocation; the old one's daemon goes with it.
      sb.writeJob('d.nomad', job('d', daemonise('exec sleep 300'), { env: 'MARK = "two"' }));
      const b = await until('d v1 running', () => running(sb, 'd', 1));
      await until('old daemon killed by the update', () => !alive(second) || undefined);
      const [third] = await until('new daemon', () => (daemonPids(sb, b.id).length > 0 ? daemonPids(sb, b.id) : undefined));

      // stop: the job file removed.
      sb.removeJob('d.nomad');
      await until('alloc complete', () => allocs(sb, 'd').every((x) => x.clientStatus !== 'running') || undefined);
      await until('daemon killed by the stop', () => !alive(third) || undefined);
      await until('no task cgroup left', () => taskCgroups(sb).length === 0 || undefined);
    } finally {
      await agent.stop();
    }
  });

  test('a busy task shows non-zero CPU and memory in alloc status; node attributes name the cgroup layout', async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      sb.writeJob('busy.nomad', job('busy', 'x=0; while :; do x=$((x+1)); done'));
      const a = await until('busy running', () => running(sb, 'busy'));
      const line = await until('usage in alloc status', () => {
        const r = cli(['alloc', 'status', '--data-dir', sb.dataDir, a.id]);
        const m = /^(\d+)\/100 MHz\s+([\d.]+ [KMG]iB|\d+ B)\/64 MiB\s+300 MiB/m.exec(r.stdout);
        return m && Number(m[1]) > 0 && !m[2].endsWith(' B') ? m[0] : undefined;
      });
      assert.match(line, /MHz/);
      const verbose = cli(['alloc', 'status', '-verbose', '--data-dir', sb.dataDir, a.id]).stdout;
      assert.match(verbose, /Memory Stats\nCache +Max Usage +RSS +Swap +Usage\n/);
      assert.match(verbose, /CPU Stats\nPercent +System Mode +Total Ticks +User Mode\n/);
      const node = JSON.parse(cli(['node', 'status', '-self', '--json', '--data-dir', sb.dataDir]).stdout) as { Attributes: Record<string, string> };
      assert.equal(node.Attributes['unique.cgroup.mountpoint'], '/sys/fs/cgroup');
      assert.match(node.Attributes['unique.cgroup.version'], /^v[12]$/);
      assert.equal(node.Attributes['bivouac.containment'], 'cgroup');
      sb.removeJob('busy.nomad');
      await until('busy stopped', () => taskCgroups(sb).length === 0 || undefined);
    } finally {
      await agent.stop();
    }
  });
});

describe('containment through the agent (rkt stand-in)', () => {
  function rktAgent(sb: Sandbox, rkt: RktSandbox): RunningAgent {
    const config = join(sb.root, 'agent.hcl');
    writeFileSync(config, `bivouac {\n  rkt_dir = ${JSON.stringify(rkt.dataDir)}\n}\n`);
    return startAgent(sb, ['--config', config, '--rkt-path', rkt.rktPath]);
  }
  const rktJob = (id: string, script: string, type = 'service'): string =>
    job(id, '', {
      type,
      driver: 'rkt',
      restart: 'restart {\n      attempts = 0\n      mode = "fail"\n    }',
      config: `        image = "example.com/sh:1.0"\n        command = "/bin/sh"\n        args = ${JSON.stringify(['-c', script])}`,
    });

  test('a batch pod (fly) that exits 0 while the agent is down is complete after restart, and ran once', async () => {
    const sb = box();
    const rkt = makeRktSandbox({ stage1: 'fly' });
    rkts.push(rkt);
    let agent = rktAgent(sb, rkt);
    try {
      const script = 'echo run >> "$NOMAD_ALLOC_DIR/data/runs"; while [ ! -e "$NOMAD_ALLOC_DIR/data/go" ]; do sleep 0.05; done; exit 0';
      sb.writeJob('b.nomad', rktJob('b', script, 'batch'));
      const a = await until('b running', () => running(sb, 'b'));
      const runs = join(sb.dataDir, 'alloc', a.id, 'alloc', 'data', 'runs');
      await until('app ran', () => existsSync(runs) || undefined);
      const db = openState(join(sb.dataDir, 'state.db'), { readonly: true });
      const uuid = String((getHandle(db, a.id, 't')?.handle as { state: { uuid: string } }).state.uuid);
      db.close();
      await agent.kill9();
      writeFileSync(join(sb.dataDir, 'alloc', a.id, 'alloc', 'data', 'go'), '');
      await until('pod exited', () => /state=exited/.test(runStandin(rkt, ['status', uuid]).stdout) || undefined);
      agent = rktAgent(sb, rkt);
      const done = await until('b complete', () => allocs(sb, 'b').find((x) => x.clientStatus === 'complete' || x.clientStatus === 'failed'));
      assert.equal(done.clientStatus, 'complete');
      assert.equal(readFileSync(runs, 'utf8'), 'run\n', 'ran once');
      assert.equal(allocs(sb, 'b').length, 1);
      await until('pod removed', () => runStandin(rkt, ['status', uuid]).code === 254 || undefined);
      await until('no task cgroup left', () => taskCgroups(sb).length === 0 || undefined);
    } finally {
      await agent.stop();
    }
  });

  test('a pod whose app leaves a background child is stopped, emptied and rkt rm\'d', async () => {
    const sb = box();
    const rkt = makeRktSandbox();
    rkts.push(rkt);
    const agent = rktAgent(sb, rkt);
    try {
      sb.writeJob('bg.nomad', rktJob('bg', 'sleep 300 & echo $! > "$NOMAD_ALLOC_DIR/data/bg.pid"; wait'));
      const a = await until('bg running', () => running(sb, 'bg'));
      const pidFile = join(sb.dataDir, 'alloc', a.id, 'alloc', 'data', 'bg.pid');
      await until('child started', () => existsSync(pidFile) || undefined);
      const child = Number(readFileSync(pidFile, 'utf8'));
      const db = openState(join(sb.dataDir, 'state.db'), { readonly: true });
      const uuid = String((getHandle(db, a.id, 't')?.handle as { state: { uuid: string } }).state.uuid);
      db.close();
      sb.removeJob('bg.nomad');
      await until('pod removed', () => runStandin(rkt, ['status', uuid]).code === 254 || undefined);
      assert.ok(!alive(child), 'the background child is gone');
      assert.doesNotMatch(agent.output(), /must gc manually/);
      await until('no task cgroup left', () => taskCgroups(sb).length === 0 || undefined);
    } finally {
      await agent.stop();
    }
  });
});
