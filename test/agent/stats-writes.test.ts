/**
 * The stats sampler against a real raw_exec task and a real state file: which rounds write
 * task_stats. An idle task's unchanged figures are not written again until their row is a
 * minute old; a task gone loses its row; the first write replaces rows an earlier agent left.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StatsSampler } from '../../src/agent/stats.js';
import { canonicalHash } from '../../src/jobspec/index.js';
import { createRawExecDriver } from '../../src/drivers/raw_exec/index.js';
import type { Driver } from '../../src/drivers/types.js';
import { insertAlloc, listTaskStats, markRunning, openState, putJobVersion, replaceTaskStats, tx, type Database } from '../../src/state/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { hostTaskConfig, makeTempDir } from '../drivers/contract.js';
import { waitFor } from '../helpers/agent.js';
import { group, job, task } from '../scheduler/builders.js';

const tmp = makeTempDir('stats-writes');
after(() => rmSync(tmp, { recursive: true, force: true }));
const T0 = 1_700_000_000_000;

interface Setup {
  readonly db: Database;
  readonly driver: Driver;
  readonly sampler: StatsSampler;
  readonly allocId: string;
  readonly taskId: string;
  readonly clock: { t: number; now(): number };
}

/** One allocation with two tasks stored as running; `web` is a real sleeping raw_exec task. */
async function setup(): Promise<Setup> {
  const dir = join(tmp, randomUUID());
  mkdirSync(dir);
  const db = openState(join(dir, 'state.db'));
  const clock = { t: T0, now: () => clock.t };
  const driver = createRawExecDriver({ log: silentLogger, enabled: true, pollIntervalMs: 50, clock });
  const handle = await driver.startTask(hostTaskConfig({ command: '/bin/sleep', args: ['300'] }, { root: dir, id: `web-${randomUUID()}` }));
  const spec = job({ id: 'stats', name: 'stats', groups: [group({ name: 'g', tasks: [task({ name: 'web' }), task({ name: 'side' })] })] });
  const allocId = randomUUID();
  tx(db, () => {
    putJobVersion(db, spec, canonicalHash(spec), 'stats.nomad', T0);
    insertAlloc(db, { id: allocId, jobId: 'stats', jobVersion: 0, taskGroup: 'g', index: 0, name: 'stats.g[0]', resources: { cpu: 100, memoryMB: 300, diskMB: 300 }, ports: [], tasks: [{ name: 'web', driver: 'raw_exec' }, { name: 'side', driver: 'raw_exec' }] }, T0);
    markRunning(db, allocId, 'web', 1, 'raw_exec', handle, T0);
  });
  const sampler = new StatsSampler({ db, drivers: new Map([['raw_exec', driver]]), clock, log: silentLogger, mhzPerCore: () => 1000 });
  return { db, driver, sampler, allocId, taskId: handle.taskId, clock };
}

async function teardown(s: Setup): Promise<void> {
  await s.driver.destroyTask(s.taskId, true);
  s.db.close();
}

/** One sampler round `ms` after the last, then a write. */
function round(s: Setup, ms: number): void {
  s.clock.t += ms;
  s.sampler.sampleOnce();
  s.sampler.writeOnce();
}

const storedAt = (s: Setup, task: string): number | undefined => listTaskStats(s.db, s.allocId).find((r) => r.task === task)?.sampledAt;

describe('StatsSampler writes', () => {
  test("an idle task's unchanged figures are written again only once their row is a minute old", async () => {
    const s = await setup();
    try {
      round(s, 0);
      assert.equal(storedAt(s, 'web'), T0, 'the first write');
      // Until the task has settled (exec'd, paged in), its figures move: wait for a round that writes nothing.
      const settled = await waitFor('a write that leaves the row as it was', () => {
        const before = storedAt(s, 'web');
        round(s, 5_000);
        return storedAt(s, 'web') === before ? before : undefined;
      }, 30_000, 20);
      assert.ok(settled !== undefined);
      const fresh = s.sampler.usage(s.allocId, 'web');
      assert.equal(fresh?.Timestamp, s.clock.t * 1e6, 'the in-memory usage is the latest round');
      assert.equal(fresh?.ResourceUsage.CpuStats.Percent, 0);
      // A minute after the stored sample it is written again, figures unchanged or not.
      while (s.clock.t - settled < 60_000) {
        assert.equal(storedAt(s, 'web'), settled);
        round(s, 5_000);
      }
      assert.equal(storedAt(s, 'web'), s.clock.t);
    } finally {
      await teardown(s);
    }
  });

  test('a task no longer sampled loses its row at the next write; rows an earlier agent left go at the first', async () => {
    const s = await setup();
    try {
      // An earlier agent's row for a task this sampler never sees.
      replaceTaskStats(s.db, [{ allocId: s.allocId, task: 'side', sampledAt: T0 - 1, sampleJson: '{}' }]);
      round(s, 0);
      assert.deepEqual(listTaskStats(s.db, s.allocId).map((r) => r.task), ['web']);
      await s.driver.destroyTask(s.taskId, true);
      round(s, 5_000);
      assert.deepEqual(listTaskStats(s.db, s.allocId), []);
      assert.equal(s.sampler.usage(s.allocId, 'web'), null);
    } finally {
      s.db.close();
    }
  });
});
