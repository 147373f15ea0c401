/** The containment invariants f and g catch what they are for, on this host's real cgroups. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { createCgroupManager, detectLayout } from '../../src/cgroups/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { cleanupManager, requireFeature } from '../cgroups/helpers.js';
import { makeTestDir } from '../helpers/paths.js';
import { checkCgroups } from './cgroups.js';
import type { DbSnap } from './invariants.js';
import { markedProcesses } from './procs.js';

const dir = makeTestDir('bivouac-torture-cg-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('f: a task process outside its cgroup, g: a cgroup without an allocation', async () => {
  const found = detectLayout();
  requireFeature('cgroups', found.layout !== null);
  assert.ok(found.layout);
  const nodeId = randomUUID();
  writeFileSync(join(dir, 'node-id'), `${nodeId}\n`);
  mkdirSync(join(dir, 'alloc'));
  const m = createCgroupManager({ layout: found.layout, scope: nodeId, log: silentLogger });
  after(() => cleanupManager(m));
  const allocId = randomUUID();
  const cg = await m.create(allocId, 't');
  const child = spawn('/bin/sleep', ['30'], { env: { BIVOUAC_TASK_ID: `${allocId}.1.t` }, stdio: 'ignore' });
  after(() => child.kill('SIGKILL'));
  const procs = markedProcesses(new Set([allocId]));
  assert.equal(procs.length, 1);
  const none: DbSnap = { allocs: new Map(), integrity: 'ok', stateKey: '' };
  const v = checkCgroups(none, none, procs, dir);
  assert.deepEqual(v.map((x) => x.invariant).sort(), ['f', 'g']);
  // In its cgroup, with a live allocation: nothing to report.
  assert.ok(child.pid);
  m.join(cg, child.pid);
  const live: DbSnap = {
    allocs: new Map([[allocId, { id: allocId, jobId: 'j', clientStatus: 'running', tasks: [{ task: 't', state: 'running', starting: false, attempt: 1, handle: null }], events: [] }]]),
    integrity: 'ok',
    stateKey: '',
  };
  assert.deepEqual(checkCgroups(live, live, markedProcesses(new Set([allocId])), dir), []);
});
