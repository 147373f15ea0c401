/**
 * Through the real agent: a pod whose `rkt rm` fails after its task is over shows in the
 * allocation's events, stays in the agent's state across a restart, and the next agent
 * removes it once rkt lets it go.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { closeState, getHandle, listPodRemovals, openState } from '../../src/state/index.js';
import { allocStatus, jobStatus, sandbox, startAgent, waitFor, type Sandbox } from '../helpers/agent.js';
import { makeRktSandbox, runStandin, type RktSandbox } from '../helpers/rkt.js';

const sandboxes: Sandbox[] = [];
const rkts: RktSandbox[] = [];
after(() => {
  sandboxes.forEach((s) => s.cleanup());
  rkts.forEach((r) => r.cleanup());
});

/** Reads the agent's state.db read-only, as `status` does. */
function withState<T>(sb: Sandbox, fn: (db: ReturnType<typeof openState>) => T): T {
  const db = openState(join(sb.dataDir, 'state.db'), { readonly: true });
  try {
    return fn(db);
  } finally {
    closeState(db);
  }
}

describe('rkt pod removal across an agent restart', () => {
  test('rm refused: a Driver event, the pod kept in state while the agent is down, removed by the next agent', async () => {
    const sb = sandbox('bivouac-rkt-rm-');
    sandboxes.push(sb);
    const rkt = makeRktSandbox({ stage1: 'fly' });
    rkts.push(rkt);
    const config = join(sb.root, 'agent.hcl');
    writeFileSync(config, `bivouac {\n  rkt_dir = ${JSON.stringify(rkt.dataDir)}\n}\n`);
    const args = ['--config', config, '--rkt-path', rkt.rktPath];
    // The app (nobody) waits for a file the test creates once the pod is set to refuse rm.
    const gate = join(rkt.root, 'gate');
    mkdirSync(gate);
    chmodSync(gate, 0o777);
    const app = `        image   = "example.com/sh:1.0"\n        command = "/bin/sh"\n        args    = ["-c", "while [ ! -e ${gate}/go ]; do sleep 0.05; done; exit 0"]`;
    sb.writeJob('b.nomad', `job "b" {\n  type = "batch"\n  group "g" {\n    task "t" {\n      driver = "rkt"\n      config {\n${app}\n      }\n      resources {\n        cpu    = 50\n        memory = 64\n      }\n    }\n  }\n}\n`);

    let agent = startAgent(sb, args);
    let uuid = '';
    let allocId = '';
    const busy = (): string => join(rkt.dataDir, 'pods', uuid, 'standin-rm-busy');
    try {
      const a = await waitFor('the task running', () => jobStatus(sb, 'b')?.Allocations.find((x) => x.ClientStatus === 'running'), 30_000, 200);
      allocId = a.ID;
      uuid = withState(sb, (db) => String((getHandle(db, allocId, 't')?.handle as { state: { uuid: string } }).state.uuid));
      // Every rm fails for now, as while another rkt process holds the pod.
      writeFileSync(busy(), '1000');
      writeFileSync(join(gate, 'go'), '');
      await waitFor('the allocation complete', () => jobStatus(sb, 'b')?.Allocations.find((x) => x.ClientStatus === 'complete'), 30_000, 200);
      const events = allocStatus(sb, allocId).TaskStates.t.Events;
      const driverEvent = events.find((e) => e.Type === 'Driver');
      assert.ok(driverEvent, JSON.stringify(events));
      assert.match(driverEvent.DisplayMessage, new RegExp(`rkt rm ${uuid} failed, will retry: rm: pod "${uuid}" is currently being deleted`));
      assert.deepEqual(withState(sb, (db) => listPodRemovals(db)), [uuid]);
    } finally {
      await agent.stop();
    }

    // The agent is down; the pod is still there, and so is the record of it.
    assert.equal(runStandin(rkt, ['status', uuid]).code, 0);
    assert.deepEqual(withState(sb, (db) => listPodRemovals(db)), [uuid]);
    // Whatever held the pod lets go while no agent runs.
    rmSync(busy(), { force: true });
    assert.ok(!existsSync(busy()));

    agent = startAgent(sb, args);
    try {
      await waitFor('the pod removed by the next agent', () => runStandin(rkt, ['status', uuid]).code === 254, 60_000, 250);
      await waitFor('the record gone', () => withState(sb, (db) => listPodRemovals(db)).length === 0, 15_000, 200);
    } finally {
      await agent.stop();
    }
  });
});
