/**
 * Synthetic evaluations for every registration and stop (schema 008), whichever way the job
 * came: a hand-written file, an edit of it, its removal, and a PUT /v1/jobs (one evaluation,
 * not two). Nomad's CLI and scripts follow these from /v1/job/:id/evaluations to
 * /v1/evaluation/:id and its allocations.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sandbox, type Sandbox } from '../helpers/agent.js';
import { call, recorded, recordingDir, startApiAgent, waitApi, type ApiAgent } from './helpers.js';
import { shapeDiff } from './shape.js';

interface Eval {
  ID: string;
  JobID: string;
  TriggeredBy: string;
  Status: string;
  JobModifyIndex: number;
  CreateIndex: number;
  CreateTime: number;
}
interface Stub {
  ID: string;
  ClientStatus: string;
  DesiredStatus: string;
  JobVersion: number;
}

const hcl = (id: string, seconds: number): string =>
  `job "${id}" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n      config {\n        command = "/bin/sleep"\n        args = ["${seconds}"]\n      }\n      resources {\n        cpu = 20\n        memory = 16\n      }\n    }\n  }\n}\n`;

describe('synthetic evaluations for every registration and stop', () => {
  let sb: Sandbox;
  let api: ApiAgent;

  before(async () => {
    sb = sandbox('bivouac-api-evals-');
    sb.writeJob('filejob.nomad', hcl('filejob', 300));
    api = await startApiAgent(sb);
  });
  after(async () => {
    await api.agent.stop();
    sb.cleanup();
  });

  const evals = async (job: string): Promise<Eval[]> => (await call(api.addr, 'GET', `/v1/job/${job}/evaluations`)).json<Eval[]>();
  const evalAllocs = async (id: string): Promise<Stub[]> => {
    const r = await call(api.addr, 'GET', `/v1/evaluation/${id}/allocations`);
    assert.equal(r.status, 200, r.text);
    return r.json<Stub[]>();
  };

  test('a file-registered job has one complete job-register evaluation, and its allocation is the evaluation\'s', async () => {
    const alloc = await waitApi('filejob running', api.addr, '/v1/job/filejob/allocations', (b) => (b as Stub[]).find((a) => a.ClientStatus === 'running'), 60_000);
    const list = await evals('filejob');
    assert.equal(list.length, 1, JSON.stringify(list));
    const [e] = list;
    assert.equal(e.TriggeredBy, 'job-register');
    assert.equal(e.Status, 'complete');
    assert.equal(e.JobID, 'filejob');
    assert.ok(e.CreateTime > 0 && e.JobModifyIndex > 0);
    const one = await call(api.addr, 'GET', `/v1/evaluation/${e.ID}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.json<Eval>().ID, e.ID);
    assert.match(e.ID, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual((await evalAllocs(e.ID)).map((a) => a.ID), [alloc.ID]);
    const job = (await call(api.addr, 'GET', '/v1/job/filejob')).json<{ JobModifyIndex: number }>();
    assert.equal(e.JobModifyIndex, job.JobModifyIndex);
    if (recordingDir !== null) {
      // Field for field as Nomad 1.0.18 answered for its job's evaluation, the list and its allocations.
      assert.deepEqual(shapeDiff(recorded('GET_v1_evaluation_ID.json').response.body, one.json()), []);
      assert.deepEqual(shapeDiff(recorded('GET_v1_job_ID_evaluations.json').response.body, list), []);
      const allocs = (await call(api.addr, 'GET', `/v1/evaluation/${e.ID}/allocations`)).json();
      assert.deepEqual(shapeDiff(recorded('GET_v1_evaluation_ID_allocations.json').response.body, allocs), []);
    }
  });

  test('an edit makes a second evaluation, listed first, owning the replacement; removing the file makes a job-deregister one', async () => {
    const [first] = await evals('filejob');
    sb.writeJob('filejob.nomad', hcl('filejob', 301));
    const replacement = await waitApi('version 1 running', api.addr, '/v1/job/filejob/allocations', (b) => (b as Stub[]).find((a) => a.JobVersion === 1 && a.ClientStatus === 'running'), 60_000);
    const list = await evals('filejob');
    assert.deepEqual(list.map((e) => e.TriggeredBy), ['job-register', 'job-register']);
    assert.equal(list[1].ID, first.ID);
    assert.ok(list[0].CreateIndex > first.CreateIndex && list[0].JobModifyIndex > first.JobModifyIndex);
    assert.deepEqual((await evalAllocs(list[0].ID)).map((a) => a.ID), [replacement.ID]);
    assert.ok(!(await evalAllocs(first.ID)).some((a) => a.ID === replacement.ID), 'the first evaluation does not own the replacement');
    sb.removeJob('filejob.nomad');
    const stopped = await waitApi('a deregister evaluation', api.addr, '/v1/job/filejob/evaluations', (b) => (b as Eval[]).find((e) => e.TriggeredBy === 'job-deregister'), 60_000);
    assert.equal(stopped.Status, 'complete');
    if (recordingDir !== null) assert.deepEqual(shapeDiff(recorded('GET_v1_evaluation_ID__job_deregister.json').response.body, stopped), []);
    assert.equal((await evals('filejob')).length, 3);
    // A stop of an already stopped job (the file is gone) changes nothing and makes no further evaluation.
    await waitApi('the job stopped', api.addr, '/v1/job/filejob', (b) => (b as { Stop: boolean }).Stop);
    assert.equal((await evals('filejob')).length, 3);
  });

  test('a job registered through the API has exactly one evaluation: the one the response names', async () => {
    const body = {
      Job: {
        ID: 'apijob', Name: 'apijob', Type: 'service', Datacenters: ['dc1'],
        TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: '/bin/sleep', args: ['300'] }, Resources: { CPU: 20, MemoryMB: 16 } }] }],
      },
    };
    const r = await call(api.addr, 'PUT', '/v1/jobs', { body, token: api.token });
    assert.equal(r.status, 200, r.text);
    const { EvalID } = r.json<{ EvalID: string }>();
    let list = await evals('apijob');
    assert.deepEqual(list.map((e) => e.ID), [EvalID]);
    // The same job again: nothing changes, yet Nomad makes an evaluation for every register.
    const again = await call(api.addr, 'PUT', '/v1/jobs', { body, token: api.token });
    assert.equal(again.status, 200, again.text);
    list = await evals('apijob');
    assert.equal(list.length, 2);
    assert.equal(list[0].ID, again.json<{ EvalID: string }>().EvalID);
    const d = await call(api.addr, 'DELETE', '/v1/job/apijob', { token: api.token });
    assert.equal(d.status, 200, d.text);
    list = await evals('apijob');
    assert.deepEqual(list.map((e) => e.TriggeredBy), ['job-deregister', 'job-register', 'job-register']);
    assert.equal(list[0].ID, d.json<{ EvalID: string }>().EvalID);
  });
});
