/**
 * A pod whose `rkt rm` fails is not forgotten by an agent restart: the driver stores it
 * (the agent's SQLite, through the same state functions the agent wires in) and the next
 * driver retries it. The stand-in is made to fail `rm` once (standin-rm-busy).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createRktDriver, type PodRemovalStore } from '../../src/drivers/rkt/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { addPodRemoval, closeState, deletePodRemoval, listPodRemovals, openState, type Database } from '../../src/state/index.js';
import { isBivouacError } from '../../src/util/errors.js';
import { silentLogger } from '../../src/util/logger.js';
import { shellPodConfig } from './rkt-task.js';
import { makeRktSandbox, runStandin, type RktSandbox } from '../helpers/rkt.js';
import { waitFor } from './contract.js';

const sb: RktSandbox = makeRktSandbox({ stage1: 'fly' });
const dbs: Database[] = [];
after(() => {
  dbs.forEach((d) => closeState(d));
  sb.cleanup();
});

/** The agent's state, opened as an agent (re)start opens it. */
function openDb(): Database {
  const db = openState(join(sb.root, 'state.db'));
  dbs.push(db);
  return db;
}

function storeOf(db: Database): PodRemovalStore {
  return { list: () => listPodRemovals(db), add: (uuid, taskId) => addPodRemoval(db, uuid, taskId, Date.now()), remove: (uuid) => deletePodRemoval(db, uuid) };
}

function driver(db: Database, removalRetryMs: number): Driver {
  return createRktDriver({ log: silentLogger, rktPath: sb.rktPath, rktDir: sb.dataDir, isRoot: () => true, execTimeoutMs: 20_000, pollIntervalMs: 50, podRemovals: storeOf(db), removalRetryMs });
}


const podExists = (uuid: string): boolean => runStandin(sb, ['status', uuid]).code === 0;

/** The stand-in's switch: the next `n` `rm` of the pod fail as while a concurrent gc holds it. */
function failRm(uuid: string, n: number): void {
  writeFileSync(join(sb.dataDir, 'pods', uuid, 'standin-rm-busy'), String(n));
}

describe('rkt: a pod rkt refuses to remove survives an agent restart', () => {
  test('rm fails once: the destroy says so, the pod is stored; the next agent removes it and forgets it', async () => {
    let db = openDb();
    // No retry within this agent's life: only the restart can remove the pod.
    const first = driver(db, 3_600_000);
    const h = await first.startTask(shellPodConfig(sb, 'exit 0'));
    const uuid = String(h.state.uuid);
    assert.equal((await first.waitTask(h.taskId)).exitCode, 0);
    failRm(uuid, 1);
    await assert.rejects(
      first.destroyTask(h.taskId, false),
      (e: unknown) => isBivouacError(e) && e.userMessage === `rkt rm ${uuid} failed, will retry: rm: pod "${uuid}" is currently being deleted; rm: failed to remove one or more pods`,
    );
    assert.deepEqual(listPodRemovals(db), [uuid]);
    assert.ok(podExists(uuid), 'the pod is still there');

    // The agent restarts: state reopened, a new driver.
    closeState(db);
    db = openDb();
    driver(db, 50);
    await waitFor(() => !podExists(uuid), 'the pod removed by the next agent', 30_000);
    await waitFor(() => listPodRemovals(db).length === 0, 'the stored pod forgotten');
  });

  test('a pod removed meanwhile by someone else (rm: no matches found) is forgotten too', async () => {
    const db = openDb();
    addPodRemoval(db, '00000000-0000-4000-8000-0000000000aa', 'gone/app', Date.now());
    driver(db, 50);
    await waitFor(() => !listPodRemovals(db).includes('00000000-0000-4000-8000-0000000000aa'), 'the unknown pod forgotten', 30_000);
  });

  test('rm that keeps failing stays stored while the driver retries, and succeeds once rkt lets go', async () => {
    const db = openDb();
    const d = driver(db, 50);
    const h = await d.startTask(shellPodConfig(sb, 'exit 0'));
    const uuid = String(h.state.uuid);
    await d.waitTask(h.taskId);
    failRm(uuid, 3);
    await assert.rejects(d.destroyTask(h.taskId, false), (e: unknown) => isBivouacError(e) && /will retry/.test(e.userMessage));
    assert.ok(listPodRemovals(db).includes(uuid));
    await waitFor(() => !podExists(uuid) && !listPodRemovals(db).includes(uuid), 'removed on the third retry', 30_000);
  });
});
