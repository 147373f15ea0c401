/**
 * `bivouac status`'s text list reads its cells from one query shaped for it (listJobCells):
 * they must be what the JobStubs the API and `--json` use give (jobListCells), for every way
 * a job's status is derived. A real SQLite file, written through src/state.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalHash } from '../../src/jobspec/hash.js';
import { insertAlloc, openState, putJobVersion, putRescheduleDecision, setAllocClientStatus, setJobStopped, setPlacementFailures, tx, type ClientStatus } from '../../src/state/index.js';
import { listJobStubs } from '../../src/status/api.js';
import { jobListCells, listJobCells } from '../../src/status/job-list.js';
import { renderJobList } from '../../src/status/render-jobs.js';
import { renderJobTable } from '../../src/status/render-list.js';
import { job } from '../scheduler/builders.js';

const dir = mkdtempSync(join(tmpdir(), 'bivouac-joblist-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the status list from its own query', () => {
  test('the same cells as the JobStubs give, for running, dead, stopped, pending and system jobs', () => {
    const db = openState(join(dir, 'state.db'));
    const now = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    let n = 0;
    const add = (id: string, type: 'service' | 'batch' | 'system', statuses: readonly ClientStatus[], opts: { stop?: boolean; failures?: boolean; due?: boolean } = {}): void => {
      const j = job({ id, name: id, type, priority: 40 + n });
      tx(db, () => {
        putJobVersion(db, j, canonicalHash(j), `${id}.nomad`, now + n * 1000);
        statuses.forEach((s, i) => {
          const allocId = `00000000-0000-0000-0000-${String(++n).padStart(12, '0')}`;
          insertAlloc(db, { id: allocId, jobId: id, jobVersion: 0, taskGroup: 'g', index: i, name: `${id}.g[${i}]`, resources: { cpu: 1, memoryMB: 10, diskMB: 10 }, ports: [], tasks: [{ name: 't', driver: 'raw_exec' }] }, now);
          if (s !== 'pending') setAllocClientStatus(db, allocId, s, '', now + 1);
          if (opts.due && s === 'failed') putRescheduleDecision(db, allocId, id, now + 60_000, 60_000, now);
        });
        if (opts.failures) setPlacementFailures(db, id, [{ group: 'g', count: 1, reasons: ['Dimension "memory" exhausted on 1 node'] }]);
        if (opts.stop) setJobStopped(db, id, now + 2);
      });
      n++;
    };
    add('a-running', 'service', ['running', 'complete']);
    add('b-complete', 'service', ['complete', 'complete']);
    add('c-stopped', 'service', ['complete'], { stop: true });
    add('d-unplaced', 'service', [], { failures: true });
    add('e-empty', 'service', []);
    add('f-system-stopped', 'system', [], { stop: true });
    add('g-due', 'batch', ['failed'], { due: true });
    add('h-pending', 'service', ['pending']);
    add('i-failed', 'batch', ['failed']);
    try {
      const expected = listJobStubs(db).map(jobListCells);
      assert.deepEqual(listJobCells(db), expected);
      // Every status the list can show is in the fixture (so the comparison covers each branch).
      assert.deepEqual([...new Set(expected.map((c) => c[3]))].sort(), ['dead', 'dead (stopped)', 'pending', 'running']);
      assert.equal(renderJobTable(listJobCells(db), []), renderJobList(listJobStubs(db), []));
    } finally {
      db.close();
    }
  });
});
