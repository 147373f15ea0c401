import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { listFileErrors, listJobs, openState, type Database } from '../../src/state/index.js';
import { applySyncActions, planSync } from '../../src/agent/apply-sync.js';
import type { FileResult, JobSnapshot } from '../../src/agent/jobs-source.js';
import { silentLogger } from '../../src/util/logger.js';
import { job } from '../scheduler/builders.js';

const FILES = ['a.nomad', 'b.nomad', 'c.nomad', 'd.nomad', 'e.nomad'];
const IDS = ['x', 'y', 'z'];

/** A small deterministic generator, so a failure names its seed and replays. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function result(rand: () => number): FileResult | null {
  const r = rand();
  if (r < 0.15) return null;
  if (r < 0.3) return { kind: 'error', message: 'broken', diagnostics: [] };
  const id = IDS[Math.floor(rand() * IDS.length)];
  const hash = `h${Math.floor(rand() * 2)}`;
  return { kind: 'job', job: job({ id, name: id, meta: { hash } }), hash: `${id}-${hash}`, sha: `${id}-${hash}` };
}

function apply(db: Database, snap: JobSnapshot, changed: ReadonlySet<string> | null, now: number): void {
  const plan = planSync(db, snap, changed);
  applySyncActions(db, plan.actions, now, silentLogger, snap.complete ? plan : null);
}

const state = (db: Database): string =>
  JSON.stringify({
    jobs: listJobs(db).map((j) => [j.id, j.version, j.stopped, j.sourceFile]),
    errors: listFileErrors(db).map((e) => [e.file, e.jobId, e.message]),
  });

describe('planSync on the named files only (state on :memory:)', () => {
  test('ends where planning every file against every job ends, over random edits', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rand = rng(seed);
      const named = openState(':memory:');
      const whole = openState(':memory:');
      const files = new Map<string, FileResult>();
      for (const f of FILES) {
        const r = result(rand);
        if (r) files.set(f, r);
      }
      let now = 1_000;
      apply(named, { complete: true, files: new Map(files) }, null, now);
      apply(whole, { complete: true, files: new Map(files) }, null, now);
      for (let step = 0; step < 12; step++) {
        now += 1_000;
        const changed = new Set<string>();
        const n = 1 + Math.floor(rand() * 2);
        for (let i = 0; i < n; i++) {
          const f = FILES[Math.floor(rand() * FILES.length)];
          changed.add(f);
          const r = result(rand);
          if (r) files.set(f, r);
          else files.delete(f);
        }
        const snap: JobSnapshot = { complete: true, files: new Map([...files].sort(([p], [q]) => (p < q ? -1 : 1))) };
        apply(named, snap, changed, now);
        apply(whole, snap, null, now);
        assert.equal(state(named), state(whole), `seed ${seed}, step ${step}, changed ${[...changed].join(',')}`);
      }
    }
  });
});
