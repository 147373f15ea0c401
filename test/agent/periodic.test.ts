import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openState, putJobVersion, getLastLaunch, listChildren, tx, insertAlloc, setAllocClientStatus } from '../../src/state/index.js';
import { canonicalHash } from '../../src/jobspec/hash.js';
import type { Job, Periodic } from '../../src/jobspec/types.js';
import { JobCache } from '../../src/agent/job-cache.js';
import { PeriodicLauncher } from '../../src/agent/periodic.js';
import { silentLogger } from '../../src/util/logger.js';
import { job } from '../scheduler/builders.js';

const periodic = (over: Partial<Periodic> = {}): Periodic => ({ cron: '*/10 * * * * * *', crons: ['*/10 * * * * * *'], prohibitOverlap: false, timeZone: 'UTC', enabled: true, ...over });
const T0 = Date.UTC(2030, 0, 1, 0, 0, 0);

function setup(p: Periodic) {
  const db = openState(':memory:');
  const parent: Job = job({ id: 'cron', type: 'batch', periodic: p });
  putJobVersion(db, parent, canonicalHash(parent), 'cron.nomad', T0);
  const launcher = new PeriodicLauncher(new JobCache(db), silentLogger);
  const launch = (now: number, atStart = false): number => tx(db, () => launcher.launch(db, now, atStart));
  const ids = (): string[] => listChildren(db, 'cron').map((c) => c.id);
  return { db, launcher, launch, ids };
}

describe('periodic launcher (state on :memory:)', () => {
  test('registration records the time; each spec time then gets its child, named by its second', () => {
    const { db, launch, ids } = setup(periodic());
    assert.equal(launch(T0 + 1000), 0);
    assert.equal(getLastLaunch(db, 'cron'), T0 + 1000);
    assert.equal(launch(T0 + 9999), 0);
    assert.equal(launch(T0 + 10_000), 1);
    assert.deepEqual(ids(), [`cron/periodic-${T0 / 1000 + 10}`]);
    // The same pass again launches nothing twice.
    assert.equal(launch(T0 + 10_500), 0);
    // A slow pass that let two times go by while running: both get their child.
    assert.equal(launch(T0 + 31_000), 2);
    assert.deepEqual(ids().slice(1), [`cron/periodic-${T0 / 1000 + 20}`, `cron/periodic-${T0 / 1000 + 30}`]);
  });

  test('at agent start, launches missed while down collapse into one catch-up launch, now', () => {
    const { launch, ids } = setup(periodic());
    launch(T0);
    assert.equal(launch(T0 + 65_000, true), 1);
    assert.deepEqual(ids(), [`cron/periodic-${T0 / 1000 + 65}`]);
    // Then the schedule resumes from there.
    assert.equal(launch(T0 + 70_000), 1);
    assert.equal(ids()[1], `cron/periodic-${T0 / 1000 + 70}`);
  });

  test('at start with exactly one missed time, that time is launched as scheduled', () => {
    const { launch, ids } = setup(periodic());
    launch(T0);
    assert.equal(launch(T0 + 12_000, true), 1);
    assert.deepEqual(ids(), [`cron/periodic-${T0 / 1000 + 10}`]);
  });

  test('prohibit_overlap skips while a child has a live allocation', () => {
    const { db, launch, ids } = setup(periodic({ prohibitOverlap: true }));
    launch(T0);
    assert.equal(launch(T0 + 10_000), 1);
    // The child has not been placed yet: it counts as running.
    assert.equal(launch(T0 + 20_000), 0);
    const child = ids()[0];
    tx(db, () => insertAlloc(db, { id: 'a1', jobId: child, jobVersion: 0, taskGroup: 'web', index: 0, name: 'x', resources: { cpu: 1, memoryMB: 10, diskMB: 10 }, ports: [], tasks: [] }, T0));
    assert.equal(launch(T0 + 30_000), 0);
    setAllocClientStatus(db, 'a1', 'complete', 'All tasks have completed', T0 + 35_000);
    assert.equal(launch(T0 + 40_000), 1);
    assert.equal(ids().length, 2);
  });

  test('disabled or stopped parents launch nothing; crons take the earliest spec; time zones apply', () => {
    const off = setup(periodic({ enabled: false }));
    off.launch(T0);
    assert.equal(off.launch(T0 + 60_000), 0);
    const two = setup(periodic({ cron: '0 0 * * * * *', crons: ['0 0 * * * * *', '0 30 * * * * *'] }));
    assert.equal(two.launcher.nextLaunch(two.db, T0 + 1), T0 + 30 * 60_000);
    const ny = setup(periodic({ cron: '0 0 9 * * * *', crons: ['0 0 9 * * * *'], timeZone: 'America/New_York' }));
    // 09:00 in New York on 1 January is 14:00 UTC.
    assert.equal(ny.launcher.nextLaunch(ny.db, T0 + 1), Date.UTC(2030, 0, 1, 14));
  });
});
