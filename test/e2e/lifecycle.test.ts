import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allocStatus, jobStatus, sandboxes, startAgent, waitFor, type AllocJson } from '../helpers/agent.js';

interface TaskSpec {
  readonly name: string;
  readonly script: string;
  readonly hook?: string;
  readonly sidecar?: boolean;
  readonly killSignal?: string;
}

function task(t: TaskSpec): string {
  const lifecycle = t.hook ? `lifecycle {\n        hook = "${t.hook}"\n        sidecar = ${t.sidecar === true}\n      }` : '';
  return `
    task "${t.name}" {
      driver = "raw_exec"
      kill_timeout = "5s"
      ${t.killSignal ? `kill_signal = "${t.killSignal}"` : ''}
      ${lifecycle}
      config {
        command = "/bin/sh"
        args = ["-c", ${JSON.stringify(t.script)}]
      }
      resources {
        cpu = 20
        memory = 16
      }
    }`;
}

function lifecycleJob(id: string, type: string, tasks: readonly TaskSpec[]): string {
  return `job "${id}" {
  type = "${type}"
  group "g" {
    restart {
      attempts = 0
      mode = "fail"
    }
${tasks.map(task).join('\n')}
  }
}
`;
}

type Ev = AllocJson['TaskStates'][string]['Events'][number] & { Time: number };
const events = (a: AllocJson, t: string): Ev[] => (a.TaskStates[t]?.Events ?? []) as Ev[];
const at = (a: AllocJson, t: string, type: string): number => {
  const e = events(a, t).find((x) => x.Type === type);
  assert.ok(e, `${t} has no "${type}" event: ${JSON.stringify(events(a, t).map((x) => x.Type))}`);
  return e.Time;
};

describe('task lifecycle hooks (raw_exec, real agent)', () => {
  const box = sandboxes('bivouac-lifecycle-');

  test('prestart completes before main; a prestart sidecar runs beside main and is stopped with its kill_signal; poststart after main started; poststop after main ended', async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      const D = '$NOMAD_ALLOC_DIR';
      sb.writeJob('lc.nomad', lifecycleJob('lc', 'batch', [
        // The sidecar is started before main (see the events below) but may not have run its first
        // command yet: main waits for its mark, bounded, and fails without it, so the sidecar is
        // seen running beside main.
        { name: 'main', script: `test -f ${D}/ready || exit 3; cat ${D}/ready > ${D}/main-saw; touch ${D}/main-start; i=0; while ! test -f ${D}/side-up && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; test -f ${D}/side-up || exit 4; sleep 1; touch ${D}/main-done` },
        { name: 'init', hook: 'prestart', script: `sleep 0.5; echo prepared > ${D}/ready` },
        { name: 'side', hook: 'prestart', sidecar: true, killSignal: 'SIGUSR1', script: `trap 'echo usr1 > ${D}/side-signal; exit 0' USR1; touch ${D}/side-up; while true; do sleep 0.1; done` },
        // Poststart runs once main is started, not once main's first command ran: it waits for main's mark.
        { name: 'post', hook: 'poststart', script: `i=0; while ! test -f ${D}/main-start && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; test -f ${D}/main-start && echo ok > ${D}/poststart` },
        { name: 'stop', hook: 'poststop', script: `test -f ${D}/main-done && test -f ${D}/side-signal && echo ok > ${D}/poststop` },
      ]));
      const alloc = await waitFor('allocation complete', () => {
        const a = jobStatus(sb, 'lc')?.Allocations[0];
        return a && (a.ClientStatus === 'complete' || a.ClientStatus === 'failed') ? a : null;
      }, 60_000);
      const full = allocStatus(sb, alloc.ID);
      assert.equal(full.ClientStatus, 'complete', JSON.stringify(full.TaskStates, null, 1));
      const dir = join(sb.dataDir, 'alloc', alloc.ID, 'alloc');
      assert.equal(readFileSync(join(dir, 'main-saw'), 'utf8'), 'prepared\n');
      assert.equal(readFileSync(join(dir, 'side-signal'), 'utf8'), 'usr1\n');
      assert.equal(readFileSync(join(dir, 'poststart'), 'utf8'), 'ok\n');
      assert.equal(readFileSync(join(dir, 'poststop'), 'utf8'), 'ok\n');
      // The order, from the recorded events.
      assert.ok(at(full, 'init', 'Terminated') <= at(full, 'main', 'Started'));
      assert.ok(at(full, 'side', 'Started') <= at(full, 'main', 'Started'), 'a prestart sidecar is started before main');
      assert.ok(at(full, 'main', 'Started') <= at(full, 'post', 'Started'));
      assert.ok(at(full, 'main', 'Terminated') <= at(full, 'side', 'Killing'));
      assert.ok(at(full, 'side', 'Killed') <= at(full, 'stop', 'Started'));
      assert.ok(events(full, 'side').some((e) => e.Type === 'Main Tasks Dead' && e.DisplayMessage === 'Main tasks in the group died'));
      for (const t of ['init', 'main', 'post', 'stop', 'side']) assert.equal(full.TaskStates[t].Failed, false, t);
      // Hook tasks that succeed are not restarted, even under a restart policy that restarts.
      assert.equal(full.TaskStates['init'].Restarts, 0);
    } finally {
      await agent.stop();
    }
  });

  test('a completed prestart task is not run again after an agent restart; poststop runs when the job file is deleted', async () => {
    const sb = box();
    let agent = startAgent(sb);
    try {
      const D = '$NOMAD_ALLOC_DIR';
      sb.writeJob('svc.nomad', lifecycleJob('svc', 'service', [
        { name: 'init', hook: 'prestart', script: `echo run >> ${D}/init-runs` },
        { name: 'main', script: 'exec sleep 300' },
        { name: 'cleanup', hook: 'poststop', script: `echo cleaned > ${D}/cleaned` },
      ]));
      const alloc = await waitFor('main running', () => {
        const id = jobStatus(sb, 'svc')?.Allocations[0]?.ID;
        const a = id === undefined ? null : allocStatus(sb, id);
        return a && a.TaskStates['main']?.State === 'running' ? a : null;
      }, 30_000);
      const dir = join(sb.dataDir, 'alloc', alloc.ID, 'alloc');
      assert.equal(readFileSync(join(dir, 'init-runs'), 'utf8'), 'run\n');
      assert.equal(existsSync(join(dir, 'cleaned')), false);

      await agent.stop();
      agent = startAgent(sb);
      await waitFor('agent re-attached', () => agent.output().includes('task re-attached'), 30_000);
      assert.equal(readFileSync(join(dir, 'init-runs'), 'utf8'), 'run\n');
      assert.equal(allocStatus(sb, alloc.ID).TaskStates['cleanup'].State, 'pending');

      sb.removeJob('svc.nomad');
      await waitFor('poststop ran', () => existsSync(join(dir, 'cleaned')), 30_000);
      const done = await waitFor('allocation complete', () => {
        const a = allocStatus(sb, alloc.ID);
        return a.ClientStatus === 'complete' ? a : null;
      }, 30_000);
      assert.equal(done.TaskStates['main'].State, 'dead');
      assert.ok(at(done, 'main', 'Killed') <= at(done, 'cleanup', 'Started'));
      assert.equal(readFileSync(join(dir, 'init-runs'), 'utf8'), 'run\n');
    } finally {
      await agent.stop();
    }
  });

  test('a failed prestart task fails the allocation and the main task never starts', async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      const D = '$NOMAD_ALLOC_DIR';
      sb.writeJob('bad.nomad', lifecycleJob('bad', 'batch', [
        { name: 'init', hook: 'prestart', script: 'exit 7' },
        { name: 'main', script: `touch ${D}/main-ran` },
      ]));
      const alloc = await waitFor('allocation failed', () => {
        const id = jobStatus(sb, 'bad')?.Allocations[0]?.ID;
        const a = id === undefined ? null : allocStatus(sb, id);
        return a && a.ClientStatus === 'failed' && a.TaskStates['main']?.State === 'dead' ? a : null;
      }, 30_000);
      assert.equal(alloc.TaskStates['init'].Failed, true);
      assert.equal(existsSync(join(sb.dataDir, 'alloc', alloc.ID, 'alloc', 'main-ran')), false);
      assert.equal(events(allocStatus(sb, alloc.ID), 'main').some((e) => e.Type === 'Started'), false);
    } finally {
      await agent.stop();
    }
  });
});
