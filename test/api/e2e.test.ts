/**
 * The API end to end on a real agent: a job registered through PUT /v1/jobs runs from the
 * file it becomes and DELETE stops it; a followed log stream sees appended lines; writes
 * without the token are refused and change nothing; malformed bodies are 4xx and leave the
 * agent healthy; blocking queries wake on a change; an operator's file is never overridden.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { sandbox, taskPids, waitFor, type Sandbox } from '../helpers/agent.js';
import { call, startApiAgent, waitApi, type ApiAgent } from './helpers.js';

interface Stub {
  ID: string;
  ClientStatus: string;
  DesiredStatus: string;
  TaskStates: Record<string, { State: string }>;
}

function jobBody(id: string, script: string): { Job: Record<string, unknown> } {
  return {
    Job: {
      ID: id, Name: id, Type: 'service', Datacenters: ['dc1'],
      TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: '/bin/sh', args: ['-c', script] }, Resources: { CPU: 20, MemoryMB: 16 } }] }],
    },
  };
}

describe('HTTP API end to end', () => {
  let sb: Sandbox;
  let api: ApiAgent;

  before(async () => {
    sb = sandbox('bivouac-api-e2e-');
    sb.writeJob('hand.nomad', `job "hand" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n      config {\n        command = "/bin/sleep"\n        args = ["300"]\n      }\n      resources {\n        cpu = 20\n        memory = 16\n      }\n    }\n  }\n}\n`);
    api = await startApiAgent(sb);
  });
  after(async () => {
    await api.agent.stop();
    sb.cleanup();
  });

  const runningAlloc = (job: string): Promise<Stub> =>
    waitApi(`${job} running`, api.addr, `/v1/job/${job}/allocations`, (b) => (b as Stub[]).find((a) => a.ClientStatus === 'running' && a.DesiredStatus === 'run'), 60_000);

  test('a job registered through PUT /v1/jobs runs from its file; DELETE stops it and moves the file aside', async () => {
    const r = await call(api.addr, 'PUT', '/v1/jobs', { body: jobBody('viaapi', 'exec sleep 300'), token: api.token });
    assert.equal(r.status, 200, r.text);
    const file = join(sb.jobsDir, 'viaapi.nomad.json');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), jobBody('viaapi', 'exec sleep 300'));
    const alloc = await runningAlloc('viaapi');
    assert.ok(taskPids(alloc.ID).length > 0, 'the task runs');
    const d = await call(api.addr, 'DELETE', '/v1/job/viaapi', { token: api.token });
    assert.equal(d.status, 200, d.text);
    assert.ok(!existsSync(file));
    assert.ok(existsSync(join(sb.dataDir, 'stopped-jobs', 'viaapi.nomad.json')));
    await waitFor('the task gone', () => taskPids(alloc.ID).length === 0, 30_000);
    const job = (await call(api.addr, 'GET', '/v1/job/viaapi')).json<{ Stop: boolean; Status: string }>();
    assert.equal(job.Stop, true);
    // Planning the stopped job again: Nomad's diff shows Stop going back to false, and a placement.
    const plan = await call(api.addr, 'PUT', '/v1/job/viaapi/plan', { body: { ...jobBody('viaapi', 'exec sleep 300'), Diff: true }, token: api.token });
    assert.equal(plan.status, 200, plan.text);
    const p = plan.json<{ Diff: { Type: string; Fields: { Name: string; Old: string; New: string }[] }; Annotations: { DesiredTGUpdates: { g: { Place: number } } } }>();
    assert.deepEqual(p.Diff.Fields.filter((f) => f.Name === 'Stop').map((f) => [f.Old, f.New]), [['true', 'false']]);
    assert.equal(p.Diff.Type, 'Edited');
    assert.equal(p.Annotations.DesiredTGUpdates.g.Place, 1);
  });

  test('a job an operator file defines is refused with 400 naming the file, and nothing changes', async () => {
    await runningAlloc('hand');
    const r = await call(api.addr, 'PUT', '/v1/jobs', { body: jobBody('hand', 'exec sleep 300'), token: api.token });
    assert.equal(r.status, 400);
    assert.match(r.text, /hand\.nomad/);
    assert.ok(!existsSync(join(sb.jobsDir, 'hand.nomad.json')));
  });

  test('a followed log stream sees appended lines, with heartbeats between', async () => {
    await call(api.addr, 'PUT', '/v1/jobs', { body: jobBody('logger', 'echo started; exec sleep 300'), token: api.token });
    const alloc = await runningAlloc('logger');
    const logFile = join(sb.dataDir, 'alloc', alloc.ID, 'alloc', 'logs', 't.stdout.0');
    await waitFor('the first line', () => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('started'));
    const [host, port] = api.addr.split(':');
    let received = '';
    let raw = '';
    const req = request({ host, port: Number(port), path: `/v1/client/fs/logs/${alloc.ID}?follow=true&offset=0&origin=start&task=t&type=stdout&region=global` });
    req.on('response', (res) =>
      res.on('data', (d: Buffer) => {
        raw += d.toString();
        for (const m of raw.matchAll(/"Data":"([^"]*)"/g)) received = Buffer.from(m[1], 'base64').toString();
      }),
    );
    req.end();
    try {
      await waitFor('the earlier output', () => raw.includes('"Data"') && received.includes('started'));
      const marker = `marker-${Date.now()}\n`;
      appendFileSync(logFile, marker);
      await waitFor('the appended line in the stream', () => [...raw.matchAll(/"Data":"([^"]*)"/g)].some((m) => Buffer.from(m[1], 'base64').toString().includes(marker)), 10_000, 10);
      await waitFor('a heartbeat', () => raw.includes('{}'), 10_000);
    } finally {
      req.destroy();
    }
  });

  test('alloc signal reaches the task\'s own process, recorded as a Signaling event', async () => {
    await call(api.addr, 'PUT', '/v1/jobs', { body: jobBody('trapper', "trap 'echo got-usr1' USR1; echo ready; while true; do sleep 0.1; done"), token: api.token });
    const alloc = await runningAlloc('trapper');
    const logFile = join(sb.dataDir, 'alloc', alloc.ID, 'alloc', 'logs', 't.stdout.0');
    await waitFor('the trap set', () => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('ready'));
    const r = await call(api.addr, 'PUT', `/v1/client/allocation/${alloc.ID}/signal`, { body: { Task: 't', Signal: 'SIGUSR1' }, token: api.token });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json(), { Index: 0 });
    await waitFor('the task to handle SIGUSR1', () => readFileSync(logFile, 'utf8').includes('got-usr1'));
    const a = (await call(api.addr, 'GET', `/v1/allocation/${alloc.ID}`)).json<{ ClientStatus: string; TaskStates: { t: { Events: { Type: string; Details: Record<string, string> }[] } } }>();
    assert.equal(a.ClientStatus, 'running', 'the shim passed the signal on and did not die of it');
    assert.deepEqual(a.TaskStates.t.Events.find((e) => e.Type === 'Signaling')?.Details, { signal: 'SIGUSR1' });
    const unknown = await call(api.addr, 'PUT', `/v1/client/allocation/${alloc.ID}/signal`, { body: { Task: 'nope', Signal: 'SIGUSR1' }, token: api.token });
    assert.equal(unknown.status, 400);
  });

  test('writes without the token are 403 Permission denied and change nothing; reads need none on loopback', async () => {
    const before = readdirSync(sb.jobsDir).sort();
    const jobsBefore = (await call(api.addr, 'GET', '/v1/jobs')).text;
    const attempts = [
      call(api.addr, 'PUT', '/v1/jobs', { body: jobBody('sneaky', 'true') }),
      call(api.addr, 'PUT', '/v1/jobs', { body: jobBody('sneaky', 'true'), token: 'wrong-token' }),
      call(api.addr, 'DELETE', '/v1/job/hand'),
      call(api.addr, 'DELETE', '/v1/job/hand?purge=true', { token: `${api.token}x` }),
      call(api.addr, 'PUT', '/v1/jobs', { body: jobBody('sneaky', 'true'), socketPath: api.socket }),
    ];
    for (const r of await Promise.all(attempts)) {
      assert.equal(r.status, 403);
      assert.equal(r.text, 'Permission denied');
    }
    const alloc = await runningAlloc('hand');
    for (const path of [`/v1/allocation/${alloc.ID}/stop`, `/v1/client/allocation/${alloc.ID}/restart`, `/v1/client/allocation/${alloc.ID}/signal`]) {
      assert.equal((await call(api.addr, 'PUT', path, { body: {} })).status, 403, path);
    }
    assert.deepEqual(readdirSync(sb.jobsDir).sort(), before);
    assert.equal((await call(api.addr, 'GET', '/v1/jobs')).text, jobsBefore);
    assert.equal((await call(api.addr, 'GET', `/v1/allocation/${alloc.ID}`)).json<Stub>().DesiredStatus, 'run');
    const viaSocket = await call(api.addr, 'GET', '/v1/jobs', { socketPath: api.socket });
    assert.equal(viaSocket.status, 200);
    assert.equal(statSync(api.socket).mode & 0o777, 0o600);
  });

  test('a blocking query returns when the state changes, and after its wait when it does not', async () => {
    const first = await call(api.addr, 'GET', '/v1/jobs');
    const index = Number(first.headers['x-nomad-index']);
    assert.ok(index > 0);
    const timedOut = await call(api.addr, 'GET', `/v1/jobs?index=${index + 1000}&wait=200ms`);
    assert.equal(timedOut.status, 200);
    const blocked = call(api.addr, 'GET', `/v1/jobs?index=${index}&wait=60s`);
    const now = Number((await call(api.addr, 'GET', '/v1/jobs')).headers['x-nomad-index']);
    if (now === index) await call(api.addr, 'PUT', '/v1/jobs', { body: jobBody('waker', 'exec sleep 300'), token: api.token });
    const woke = await blocked;
    assert.ok(Number(woke.headers['x-nomad-index']) > index);
  });

  test("stop -purge of an operator's job moves its file to stopped-jobs/ and keeps it there", async () => {
    const alloc = await runningAlloc('hand');
    const r = await call(api.addr, 'DELETE', '/v1/job/hand?purge=true', { token: api.token });
    assert.equal(r.status, 200, r.text);
    assert.ok(!existsSync(join(sb.jobsDir, 'hand.nomad')));
    assert.match(readFileSync(join(sb.dataDir, 'stopped-jobs', 'hand.nomad'), 'utf8'), /job "hand"/);
    assert.equal(taskPids(alloc.ID).length, 0);
    assert.equal((await call(api.addr, 'GET', '/v1/job/hand')).status, 404);
    assert.equal((await call(api.addr, 'GET', `/v1/allocation/${alloc.ID}`)).status, 404, 'the rows and history are gone');
  });

  test('1,000 malformed request bodies are each refused with a 4xx, and the agent stays healthy', async () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const valid = JSON.stringify(jobBody('fuzzed', 'true'));
    const garbage = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(rand(256))).join('');
    const wrongTypes: unknown[] = [42, 'x', true, [], [1, 'a'], { a: 1 }, -1];
    const mutate = (): string => {
      switch (rand(9)) {
        case 0:
          return valid.slice(0, 1 + rand(valid.length - 2));
        case 1:
          return garbage(1 + rand(200));
        case 2:
          return JSON.stringify(wrongTypes[rand(wrongTypes.length)]);
        case 3:
          return JSON.stringify({ Job: { ...jobBody('fuzzed', 'true').Job, TaskGroups: wrongTypes[rand(wrongTypes.length)] } });
        case 4:
          return JSON.stringify({ Job: { ...jobBody('fuzzed', 'true').Job, ID: [123, '', '../etc', '.hidden', 'a/b', null][rand(6)] } });
        case 5:
          return JSON.stringify({ Job: { ...jobBody('fuzzed', 'true').Job, [`Bogus${rand(1000)}`]: [42, 'x', true, [1], { a: 1 }][rand(5)] } });
        case 6:
          return '['.repeat(1000 + rand(20_000));
        case 7: {
          const j = jobBody('fuzzed', 'true');
          const t = (j.Job.TaskGroups as { Tasks: Record<string, unknown>[] }[])[0].Tasks[0];
          // Each field with a value it can never take.
          const wrong: [string, unknown[]][] = [
            ['Driver', [42, { a: 1 }, true, [1]]],
            ['Resources', ['x', 42, true, [1, 'a']]],
            ['Config', ['x', 42, true, [1, 'a']]],
            ['KillTimeout', ['soon', true, { a: 1 }, [1]]],
            ['RestartPolicy', ['x', 42, [1]]],
          ];
          const [field, values] = wrong[rand(wrong.length)];
          t[field] = values[rand(values.length)];
          return JSON.stringify(j);
        }
        default:
          return `{"Job": {"ID": "big", "Name": "${'x'.repeat(1024 * 1024 + rand(1000))}"}}`;
      }
    };
    const targets = ['/v1/jobs', '/v1/job/fuzzed', '/v1/job/fuzzed/plan', '/v1/search'];
    const before = readdirSync(sb.jobsDir).sort();
    const bad: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const target = targets[rand(targets.length)];
      const body = mutate();
      const method = target === '/v1/job/fuzzed' ? 'POST' : 'PUT';
      const r = await call(api.addr, method, target, { raw: body, token: api.token });
      if (r.status < 400 || r.status >= 500) bad.push(`${method} ${target} ${r.status} ${body.slice(0, 80)} → ${r.text.slice(0, 120)}`);
    }
    assert.deepEqual(bad, []);
    assert.deepEqual(readdirSync(sb.jobsDir).sort(), before, 'no job file was written');
    const health = await call(api.addr, 'GET', '/v1/agent/health');
    assert.deepEqual(health.json(), { client: { message: 'ok', ok: true } });
    assert.equal((await call(api.addr, 'GET', '/v1/job/fuzzed')).status, 404);
  });

  test('a body over the limit is refused with a reply the client reads, never a reset: declared, chunked, or sent to a route that refuses it unread', async () => {
    // 3 MiB: more than the sockets' buffers hold, so the client is still writing when the
    // refusal is ready; a server that closed then would reset the connection under it.
    const big = `{"Job": {"ID": "big", "Name": "${'x'.repeat(3 * 1024 * 1024)}"}}`;
    const replies: string[] = [];
    for (let i = 0; i < 5; i++) {
      for (const [path, chunked] of [['/v1/jobs', false], ['/v1/jobs', true], ['/v1/nowhere', false], ['/v1/nowhere', true]] as const) {
        const r = await call(api.addr, 'PUT', path, { raw: big, token: api.token, chunked });
        replies.push(`${path} ${chunked ? 'chunked' : 'declared'} ${r.status} ${/over the limit/.test(r.text) ? 'over' : ''}`.trim());
      }
    }
    const once = ['/v1/jobs declared 400 over', '/v1/jobs chunked 400 over', '/v1/nowhere declared 404', '/v1/nowhere chunked 404'];
    assert.deepEqual(replies, Array.from({ length: 5 }, () => once).flat());
    assert.equal((await call(api.addr, 'GET', '/v1/job/big')).status, 404);
  });
});
