/**
 * PUT /v1/job/:id/dispatch and /v1/job/:id/periodic/force on a real agent: the child job
 * runs with the payload and meta, the answer carries Nomad's JobDispatchResponse fields and
 * an evaluation that owns the child's allocation; refusals change nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox, type Sandbox } from '../helpers/agent.js';
import { PARAM_JOB } from '../helpers/jobs.js';
import { call, startApiAgent, waitApi, type ApiAgent } from './helpers.js';


const PERIODIC_JOB = `job "per" {
  type = "batch"
  periodic {
    cron = "0 0 1 1 *"
  }
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/true"
      }
      resources {
        cpu = 20
        memory = 16
      }
    }
  }
}
`;

interface Stub {
  ID: string;
  ClientStatus: string;
}
interface Job {
  ID: string;
}

describe('dispatch and periodic force over HTTP', () => {
  let sb: Sandbox;
  let api: ApiAgent;

  before(async () => {
    sb = sandbox('bivouac-api-dispatch-');
    sb.writeJob('proc.nomad', PARAM_JOB);
    sb.writeJob('per.nomad', PERIODIC_JOB);
    api = await startApiAgent(sb);
    await waitApi('both parents registered', api.addr, '/v1/jobs', (b) => (b as Job[]).length === 2, 60_000);
  });
  after(async () => {
    await api.agent.stop();
    sb.cleanup();
  });

  const children = async (prefix: string): Promise<string[]> => (await call(api.addr, 'GET', `/v1/jobs?prefix=${encodeURIComponent(prefix)}`)).json<Job[]>().map((j) => j.ID);

  test('a dispatch with Payload and Meta runs the child; the response is Nomad\'s, its evaluation owns the child\'s allocation', async () => {
    const r = await call(api.addr, 'PUT', '/v1/job/proc/dispatch', {
      body: { JobID: 'proc', Payload: Buffer.from('hello payload\n').toString('base64'), Meta: { input: 'x1' } },
      token: api.token,
    });
    assert.equal(r.status, 200, r.text);
    const d = r.json<{ DispatchedJobID: string; EvalID: string; EvalCreateIndex: number; JobCreateIndex: number; Index: number }>();
    assert.match(d.DispatchedJobID, /^proc\/dispatch-\d+-[0-9a-f]{8}$/);
    assert.ok(d.EvalCreateIndex > 0 && d.JobCreateIndex > 0 && d.Index >= d.EvalCreateIndex, r.text);
    assert.equal(r.headers['x-nomad-index'], String(d.Index));
    const child = encodeURIComponent(d.DispatchedJobID);
    const ev = (await call(api.addr, 'GET', `/v1/evaluation/${d.EvalID}`)).json<{ JobID: string; Status: string; TriggeredBy: string }>();
    assert.deepEqual([ev.JobID, ev.Status, ev.TriggeredBy], [d.DispatchedJobID, 'complete', 'job-register']);
    const done = await waitApi('the child complete', api.addr, `/v1/job/${child}/allocations`, (b) => (b as Stub[]).find((a) => a.ClientStatus === 'complete'), 60_000);
    assert.equal(readFileSync(join(sb.dataDir, 'alloc', done.ID, 'alloc', 'logs', 't.stdout.0'), 'utf8'), 'hello payload\ninput=x1 team=a\n');
    const owned = (await call(api.addr, 'GET', `/v1/evaluation/${d.EvalID}/allocations`)).json<Stub[]>();
    assert.deepEqual(owned.map((a) => a.ID), [done.ID]);
  });

  test('refusals: no token 403, a bad body 400, Nomad\'s dispatch rules and words for an unknown job; none makes a child', async () => {
    const before = await children('proc/');
    const ok = { Meta: { input: 'x' } };
    const noToken = await call(api.addr, 'PUT', '/v1/job/proc/dispatch', { body: ok });
    assert.equal(noToken.status, 403);
    assert.equal(noToken.text, 'Permission denied');
    for (const body of [{ Payload: 'not base64!' }, { Meta: { input: 1 } }, { Meta: ['input'] }, { JobID: 'other', ...ok }, 'text']) {
      const r = await call(api.addr, 'PUT', '/v1/job/proc/dispatch', { body, token: api.token });
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.status} ${r.text}`);
    }
    const missing = await call(api.addr, 'PUT', '/v1/job/proc/dispatch', { body: {}, token: api.token });
    assert.equal(missing.status, 500);
    assert.match(missing.text, /Dispatch did not provide required meta keys: \[input\]/);
    const extra = await call(api.addr, 'PUT', '/v1/job/proc/dispatch', { body: { Meta: { input: 'x', color: 'red' } }, token: api.token });
    assert.match(extra.text, /Dispatch request included unpermitted metadata keys: \[color\]/);
    const notParam = await call(api.addr, 'PUT', '/v1/job/per/dispatch', { body: ok, token: api.token });
    assert.match(notParam.text, /Specified job "per" is not a parameterized job/);
    const unknown = await call(api.addr, 'PUT', '/v1/job/nosuch/dispatch', { body: ok, token: api.token });
    assert.deepEqual([unknown.status, unknown.text], [500, 'parameterized job not found']);
    assert.deepEqual(await children('proc/'), before);
  });

  test('periodic force launches a child now and answers with its evaluation; a job that is not periodic is refused', async () => {
    const r = await call(api.addr, 'PUT', '/v1/job/per/periodic/force', { token: api.token });
    assert.equal(r.status, 200, r.text);
    const f = r.json<{ EvalID: string; EvalCreateIndex: number; Index: number }>();
    assert.equal(f.Index, f.EvalCreateIndex);
    const ev = (await call(api.addr, 'GET', `/v1/evaluation/${f.EvalID}`)).json<{ JobID: string; CreateIndex: number }>();
    assert.match(ev.JobID, /^per\/periodic-\d+$/);
    assert.equal(ev.CreateIndex, f.EvalCreateIndex);
    await waitApi('the forced child complete', api.addr, `/v1/job/${encodeURIComponent(ev.JobID)}/allocations`, (b) => (b as Stub[]).some((a) => a.ClientStatus === 'complete'), 60_000);
    const no = await call(api.addr, 'PUT', '/v1/job/proc/periodic/force', { token: api.token });
    assert.deepEqual([no.status, no.text], [500, "can't force launch non-periodic job"]);
    const unknown = await call(api.addr, 'PUT', '/v1/job/nosuch/periodic/force', { token: api.token });
    assert.deepEqual([unknown.status, unknown.text], [500, 'job not found']);
    assert.equal((await call(api.addr, 'PUT', '/v1/job/per/periodic/force')).status, 403);
  });
});
