/**
 * The API's own thread (api-worker.ts) on a real agent: request timings served there reach the
 * agent's metrics; the task usage the agent posts answers the stats reads; a handler on the
 * agent's thread answers with its status and body; a blocking query held open wakes on a
 * write; and a clean stop ends the thread with a blocking query and a log stream still open.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { sandbox, type Sandbox } from '../helpers/agent.js';
import { call, startApiAgent, waitApi, type ApiAgent } from './helpers.js';

interface Stub {
  ID: string;
  ClientStatus: string;
}

const JOB = `job "busy" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n      config {\n        command = "/bin/sh"\n        args = ["-c", "echo up; exec sleep 300"]\n      }\n      resources {\n        cpu = 20\n        memory = 16\n      }\n    }\n  }\n}\n`;

describe('the HTTP API in its own thread', () => {
  let sb: Sandbox;
  let api: ApiAgent;
  let alloc: Stub;

  before(async () => {
    sb = sandbox('bivouac-api-thread-');
    sb.writeJob('busy.nomad', JOB);
    api = await startApiAgent(sb);
    alloc = await waitApi('busy running', api.addr, '/v1/job/busy/allocations', (b) => (b as Stub[]).find((a) => a.ClientStatus === 'running'), 60_000);
  });
  after(async () => {
    await api.agent.stop();
    sb.cleanup();
  });

  test("requests served by the API thread are counted in the agent's metrics", async () => {
    const count = async (): Promise<number> => {
      const text = (await call(api.addr, 'GET', '/v1/metrics?format=prometheus')).text;
      return Number(/^bivouac_http_request_seconds_count\{method="GET",route="GET \/v1\/job\/:id",code="200"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    const n0 = await count();
    for (let i = 0; i < 7; i++) assert.equal((await call(api.addr, 'GET', '/v1/job/busy')).status, 200);
    assert.equal(await count(), n0 + 7);
  });

  test('the usage the agent samples answers /v1/client/allocation/:id/stats', async () => {
    const rss = await waitApi('a measured RSS', api.addr, `/v1/client/allocation/${alloc.ID}/stats`, (b) => {
      const v = (b as { Tasks: { t: { ResourceUsage: { MemoryStats: { RSS: number } } } } }).Tasks.t.ResourceUsage.MemoryStats.RSS;
      return v > 0 ? v : null;
    }, 30_000);
    assert.ok(rss > 0);
  });

  test("a handler on the agent's thread answers with its status and Nomad's body", async () => {
    const bad = await call(api.addr, 'PUT', `/v1/client/allocation/${alloc.ID}/signal`, { body: { Signal: 'SIGUSR1', Task: 'nosuch' }, token: api.token });
    assert.equal(bad.status, 400);
    assert.equal(bad.text, 'unknown task name "nosuch"');
    const missing = await call(api.addr, 'PUT', '/v1/allocation/00000000-0000-0000-0000-000000000000/stop', { token: api.token });
    assert.equal(missing.status, 404);
    assert.equal(missing.text, 'alloc not found');
  });

  test('a blocking query held by the API thread wakes when a write through the agent moves the state', async () => {
    const first = await call(api.addr, 'GET', '/v1/jobs');
    const index = Number(first.headers['x-nomad-index']);
    const woken = call(api.addr, 'GET', `/v1/jobs?index=${index}&wait=60s`);
    const body = { Job: { ID: 'woke', Name: 'woke', Type: 'batch', Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: '/bin/true' } }] }] } };
    assert.equal((await call(api.addr, 'PUT', '/v1/jobs', { body, token: api.token })).status, 200);
    const r = await woken;
    assert.ok(Number(r.headers['x-nomad-index']) > index);
    assert.ok(r.json<{ ID: string }[]>().some((j) => j.ID === 'woke'));
  });

  test('a clean stop ends the thread with a blocking query and a followed log stream still open', async () => {
    const index = Number((await call(api.addr, 'GET', '/v1/jobs')).headers['x-nomad-index']);
    const held = call(api.addr, 'GET', `/v1/jobs?index=${index + 1000}&wait=5m`).catch((e: Error) => e);
    const [host, port] = api.addr.split(':');
    const stream = request({ host, port: Number(port), path: `/v1/client/fs/logs/${alloc.ID}?task=t&type=stdout&follow=true&origin=start&offset=0` });
    stream.on('error', () => {});
    stream.end();
    await new Promise((r) => setTimeout(r, 300));
    const code = await api.agent.stop();
    assert.equal(code, 0, api.agent.output().slice(-2000));
    // The held query ends with the thread (its connection is closed), not after its 5 minutes.
    assert.ok((await held) instanceof Error, 'the held query was closed, not answered');
  });
});
