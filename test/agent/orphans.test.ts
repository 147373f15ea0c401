/** The orphan sweep kills by cgroup: a daemon without the task marker, out of the group, still goes. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { distinctDirs } from '../../src/cgroups/index.js';
import { killOrphans, parseTaskMarker, sweepCgroups } from '../../src/agent/orphans.js';
import { readProcStat } from '../../src/drivers/proc.js';
import { silentLogger } from '../../src/util/logger.js';
import { cleanupManager, testManager } from '../cgroups/helpers.js';
import { waitFor } from '../helpers/agent.js';

const cgroups = testManager('orphans');
after(() => cleanupManager(cgroups));

function alive(pid: number): boolean {
  const st = readProcStat('/proc', pid);
  return st !== null && st.state !== 'Z';
}

/** A process with no marker in its environment and its own session, joined to the task's cgroup. */
async function daemonIn(allocId: string, task: string): Promise<{ pid: number; dirs: string[] }> {
  const cg = await cgroups.create(allocId, task);
  const p = spawn('/bin/sleep', ['300'], { env: {}, detached: true, stdio: 'ignore' });
  assert.ok(p.pid);
  cgroups.join(cg, p.pid);
  p.unref();
  return { pid: p.pid, dirs: distinctDirs(cg) };
}

describe('orphans', () => {
  test('parseTaskMarker: alloc, attempt, task with dots', () => {
    assert.deepEqual(parseTaskMarker('abc-1.3.web.front'), { allocId: 'abc-1', task: 'web.front' });
    assert.equal(parseTaskMarker('nonsense'), null);
  });

  test('an interrupted start: the task cgroup and everything in it go, marker or not', async () => {
    const allocId = randomUUID();
    const d = await daemonIn(allocId, 'web');
    const n = await killOrphans({ procRoot: '/proc', cgroups, log: silentLogger }, `${allocId}.1.web`);
    assert.equal(n, 1);
    await waitFor('daemon gone', () => !alive(d.pid));
    for (const dir of d.dirs) assert.ok(!existsSync(dir));
  });

  test('at start: cgroups of allocations that are over or unknown are removed, live ones kept', async () => {
    const live = randomUUID();
    const over = randomUUID();
    const a = await daemonIn(live, 't');
    const b = await daemonIn(over, 't');
    assert.equal(await sweepCgroups(cgroups, new Set([live]), silentLogger), 1);
    await waitFor('over daemon gone', () => !alive(b.pid));
    assert.ok(alive(a.pid));
    assert.deepEqual(cgroups.list().map((c) => c.name), [`${live}.t`]);
  });
});
