/** ID prefixes with Nomad's rules (src/status/resolve.ts), on a real state file. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { canonicalHash, parseJobFile } from '../../src/jobspec/index.js';
import { insertAlloc, insertEval, openState, putJobVersion, setPlacementFailures, type Database } from '../../src/state/index.js';
import { jobStatusJson, renderJobStatus } from '../../src/status/render-jobs.js';
import { resolveAlloc, resolveJob, resolveNode, sanitizeUUIDPrefix } from '../../src/status/resolve.js';

const T0 = Date.parse('2024-05-02T09:00:00Z');
const job = (id: string): string => `job "${id}" {\n  datacenters = ["dc1"]\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n      config {\n        command = "/bin/true"\n      }\n    }\n  }\n}\n`;

describe('ID prefixes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bivouac-resolve-'));
  let db: Database;
  before(async () => {
    db = openState(join(dir, 'state.db'));
    for (const id of ['web', 'webapp', 'api']) {
      const { job: j } = await parseJobFile(`${id}.nomad`, job(id));
      assert.ok(j);
      putJobVersion(db, j, canonicalHash(j), `${id}.nomad`, T0);
    }
    for (const id of ['20128eef-986e-d779-1bbc-3dc5de536105', '2012ffff-0000-4000-8000-000000000000', '6f2e2336-44d0-6bd5-8fe0-d3e1755828cb']) {
      insertAlloc(db, { id, jobId: 'web', jobVersion: 0, taskGroup: 'g', index: 0, name: 'web.g[0]', resources: { cpu: 100, memoryMB: 300, diskMB: 300 }, ports: [], tasks: [{ name: 't', driver: 'raw_exec' }] }, T0);
    }
  });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('sanitizeUUIDPrefix cuts an odd number of hex digits to even; hyphens do not count', () => {
    assert.equal(sanitizeUUIDPrefix('20128'), '2012');
    assert.equal(sanitizeUUIDPrefix('2012'), '2012');
    assert.equal(sanitizeUUIDPrefix('20128eef-9'), '20128eef-');
    assert.equal(sanitizeUUIDPrefix('20128eef-98'), '20128eef-98');
  });

  test('allocations: one character refused; an odd prefix cut; several matches listed; none named', () => {
    assert.deepEqual(resolveAlloc(db, '2', T0), { ok: false, message: 'Identifier must contain at least two characters.' });
    assert.deepEqual(resolveAlloc(db, '2', T0, 'Alloc ID'), { ok: false, message: 'Alloc ID must contain at least two characters.' });
    const one = resolveAlloc(db, '6f2e2', T0);
    assert.ok(one.ok && one.value.id.startsWith('6f2e2336'));
    const many = resolveAlloc(db, '20128', T0);
    assert.equal(many.ok, false);
    assert.equal(
      many.ok ? '' : many.message,
      'Prefix matched multiple allocations\n\nID        Node ID  Task Group  Version  Desired  Status   Created  Modified\n' +
        '20128eef  <none>   g           0        run      pending  0s ago   0s ago\n2012ffff  <none>   g           0        run      pending  0s ago   0s ago\n',
    );
    assert.deepEqual(resolveAlloc(db, 'ffff0', T0), { ok: false, message: 'No allocation(s) with prefix or id "ffff" found' });
    const full = resolveAlloc(db, '20128eef-986e-d779-1bbc-3dc5de536105', T0);
    assert.ok(full.ok);
  });

  test('jobs: the exact ID wins over longer ones; an ambiguous prefix lists the jobs; none named', () => {
    const list = (jobs: readonly { job: { id: string } }[]): string => jobs.map((j) => j.job.id).join(',');
    const exact = resolveJob(db, 'web', list);
    assert.ok(exact.ok && exact.value.job.id === 'web');
    assert.deepEqual(resolveJob(db, 'we', list), { ok: false, message: 'Prefix matched multiple jobs\n\nweb,webapp' });
    const unique = resolveJob(db, 'webap', list);
    assert.ok(unique.ok && unique.value.job.id === 'webapp');
    assert.deepEqual(resolveJob(db, 'nosuch', list), { ok: false, message: 'No job(s) with prefix or id "nosuch" found' });
  });

  test('the node: prefix rules as for allocations', () => {
    const id = '6a37386b-b00d-0627-8abc-5b8927d817e8';
    assert.deepEqual(resolveNode(id, '6a373'), { ok: true, value: id });
    assert.deepEqual(resolveNode(id, '6'), { ok: false, message: 'Identifier must contain at least two characters.' });
    assert.deepEqual(resolveNode(id, 'ffff'), { ok: false, message: 'No node(s) with prefix "ffff" found' });
  });
});

describe('job status -verbose with evaluations (a job registered through the API)', () => {
  test('the Evaluations table, newest first; the newest carries the placement failures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bivouac-evals-'));
    const db = openState(join(dir, 'state.db'));
    try {
      const { job: j } = await parseJobFile('web.nomad', job('web'));
      assert.ok(j);
      putJobVersion(db, j, canonicalHash(j), 'web.nomad.json', T0);
      const base = { jobId: 'web', namespace: 'default', priority: 50, type: 'service', status: 'complete', jobModifyIndex: 1, createTime: T0 };
      insertEval(db, { ...base, id: '7404cf7f-3854-a8d0-3b46-bd5246ec3209', triggeredBy: 'job-register' });
      insertEval(db, { ...base, id: '195af869-0000-4000-8000-000000000000', triggeredBy: 'job-deregister' });
      setPlacementFailures(db, 'web', [{ group: 'g', count: 1, reasons: ['Dimension "memory" exhausted on 1 node'] }]);
      const s = jobStatusJson(db, 'web');
      assert.ok(s);
      const out = renderJobStatus(s, T0, true);
      assert.ok(
        out.includes(
          '\nEvaluations\nID                                    Priority  Triggered By    Status    Placement Failures\n' +
            '195af869-0000-4000-8000-000000000000  50        job-deregister  complete  true\n' +
            '7404cf7f-3854-a8d0-3b46-bd5246ec3209  50        job-register    complete  false\n',
        ),
        out,
      );
      assert.ok(out.includes('\nSummary\nTask Group  Queued  Starting  Running  Failed  Complete  Lost\ng           1       0         0        0       0         0\n'), out);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
