/**
 * Nomad's API JSON decodes to the same Job as the HCL it came from: the recorded bodies
 * Nomad's CLI sent (its own parse of the job files) against bivouac's parse of those files.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeApiJob, isApiJobFileName, parseApiJobFile } from '../../src/jobspec/api-decode.js';
import { parseJobFile, canonicalHash } from '../../src/jobspec/index.js';
import { recorded, recordingDir } from './helpers.js';

describe('API JSON jobs', { skip: recordingDir === null ? 'the Nomad API recording is not beside the repository' : false }, () => {
  for (const [file, jobFile] of [['PUT_v1_jobs.json', 'webapp.nomad'], ['PUT_v1_jobs__batch_detach.json', 'batch.nomad'], ['PUT_v1_job_ID_plan.json', 'webapp.v2.nomad']] as const) {
    test(`${file} decodes to the job ${jobFile} parses to`, async () => {
      const fromApi = decodeApiJob('request', recorded(file).request.body);
      assert.deepEqual(fromApi.diagnostics, []);
      const fromHcl = await parseJobFile(jobFile, readFileSync(join(recordingDir ?? '', 'jobs', jobFile), 'utf8'));
      assert.ok(fromApi.job && fromHcl.job);
      assert.equal(canonicalHash(fromApi.job), canonicalHash(fromHcl.job));
    });
  }
});

describe('API JSON decoding errors', () => {
  test('a set field bivouac does not know is an unknown key, not a silent drop', () => {
    const r = decodeApiJob('x.nomad.json', { Job: { ID: 'j', TaskGroups: [{ Name: 'g', Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: '/bin/true' }, Bogus: 3 }] }] } });
    assert.equal(r.job, null);
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['UNKNOWN_KEY']);
    assert.match(r.diagnostics[0].message, /Bogus/);
  });

  test('the same checks as HCL: a group without tasks, a wrong type', () => {
    const r = decodeApiJob('x.nomad.json', { Job: { ID: 'j', Priority: 'high', TaskGroups: [{ Name: 'g' }] } });
    assert.deepEqual(r.diagnostics.map((d) => d.code).sort(), ['NO_TASKS', 'WRONG_TYPE']);
  });

  test('not JSON, no job, no ID', () => {
    assert.equal(parseApiJobFile('a.nomad.json', '{"Job": ').diagnostics[0].code, 'SYNTAX');
    assert.equal(parseApiJobFile('a.nomad.json', '[1]').diagnostics[0].code, 'NO_JOB');
    assert.equal(parseApiJobFile('a.nomad.json', '{"Job": {"TaskGroups": []}}').diagnostics[0].code, 'MISSING_REQUIRED');
  });

  test('which files are API JSON jobs', () => {
    assert.ok(isApiJobFileName('web.nomad.json'));
    for (const n of ['.web.nomad.json', '.nomad.json', 'web.json', '.web.nomad.json.tmp']) assert.ok(!isApiJobFileName(n), n);
  });
});
