import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../src/jobspec/types.js';
import { planJobSync, type KnownJob } from '../../src/agent/job-sync.js';
import type { FileResult, JobSnapshot } from '../../src/agent/jobs-source.js';
import { isJobFileName } from '../../src/jobspec/files.js';

const job = (id: string): Job => ({
  id,
  name: id,
  type: 'service',
  priority: 50,
  region: 'global',
  namespace: 'default',
  datacenters: ['*'],
  allAtOnce: false,
  constraints: [],
  meta: {},
  periodic: null,
  parameterized: null,
  groups: [],
  extra: {},
});
const ok = (id: string, hash = `h-${id}`): FileResult => ({ kind: 'job', job: job(id), hash, sha: `sha-${hash}` });
const bad: FileResult = { kind: 'error', message: 'x.nomad:3:1: broken', diagnostics: [] };
const snap = (entries: [string, FileResult][], complete = true): JobSnapshot => ({ complete, files: new Map(entries) });
const kinds = (p: ReturnType<typeof planJobSync>) => p.actions.map((a) => `${a.kind}:${a.kind === 'stop' ? a.jobId : a.file}`);

describe('planJobSync', () => {
  test('a new file registers its job', () => {
    assert.deepEqual(kinds(planJobSync([], snap([['a.nomad', ok('a')]]))), ['put:a.nomad']);
  });

  test('an unchanged hash does nothing; a new hash puts', () => {
    const known: KnownJob[] = [{ id: 'a', sourceFile: 'a.nomad', hash: 'h-a', stopped: false }];
    assert.deepEqual(kinds(planJobSync(known, snap([['a.nomad', ok('a')]]))), []);
    assert.deepEqual(kinds(planJobSync(known, snap([['a.nomad', ok('a', 'h2')]]))), ['put:a.nomad']);
  });

  test('a broken file keeps its job and records the error', () => {
    const known: KnownJob[] = [{ id: 'a', sourceFile: 'a.nomad', hash: 'h-a', stopped: false }];
    const p = planJobSync(known, snap([['a.nomad', bad]]));
    assert.deepEqual(p.actions, [{ kind: 'fileError', file: 'a.nomad', jobId: 'a', message: bad.kind === 'error' ? bad.message : '', diagnostics: [] }]);
  });

  test('a removed file stops its job, but only on a complete listing', () => {
    const known: KnownJob[] = [{ id: 'a', sourceFile: 'a.nomad', hash: 'h-a', stopped: false }];
    assert.deepEqual(kinds(planJobSync(known, snap([]))), ['stop:a']);
    assert.deepEqual(kinds(planJobSync(known, snap([], false))), []);
  });

  test('a second file claiming a job is an error and the owner keeps it', () => {
    const known: KnownJob[] = [{ id: 'a', sourceFile: 'z.nomad', hash: 'h-a', stopped: false }];
    const p = planJobSync(known, snap([['b.nomad', ok('a', 'other')], ['z.nomad', ok('a')]]));
    assert.deepEqual(kinds(p), ['fileError:b.nomad']);
    assert.ok(p.errorFiles.has('b.nomad'));
  });

  test('two new files claiming one job: the first by name wins', () => {
    assert.deepEqual(kinds(planJobSync([], snap([['a.nomad', ok('x')], ['b.nomad', ok('x', 'h2')]]))), ['put:a.nomad', 'fileError:b.nomad']);
  });

  test('a job moved to another file is re-claimed there, not stopped', () => {
    const known: KnownJob[] = [{ id: 'a', sourceFile: 'old.nomad', hash: 'h-a', stopped: false }];
    assert.deepEqual(kinds(planJobSync(known, snap([['new.nomad', ok('a')]]))), ['put:new.nomad']);
  });

  test('a file that now declares another job stops the old one', () => {
    const known: KnownJob[] = [{ id: 'a', sourceFile: 'a.nomad', hash: 'h-a', stopped: false }];
    assert.deepEqual(kinds(planJobSync(known, snap([['a.nomad', ok('b')]]))), ['put:a.nomad', 'stop:a']);
  });

  test('a stopped job whose file returns is put again', () => {
    const known: KnownJob[] = [{ id: 'a', sourceFile: 'a.nomad', hash: 'h-a', stopped: true }];
    assert.deepEqual(kinds(planJobSync(known, snap([['a.nomad', ok('a')]]))), ['put:a.nomad']);
  });
});

describe('isJobFileName', () => {
  const cases: [string, boolean][] = [
    ['web.nomad', true],
    ['web.hcl', true],
    ['web.nomad.hcl', true],
    ['.web.nomad', false],
    ['web.nomad~', false],
    ['.web.nomad.swp', false],
    ['web.nomad.bak', false],
    ['web.nomad.tmp', false],
    ['web.json', false],
    ['.nomad', false],
    ['README.md', false],
  ];
  for (const [name, want] of cases) test(name, () => assert.equal(isJobFileName(name), want));
});
