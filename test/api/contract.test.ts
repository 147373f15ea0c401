/**
 * The acceptance test of the HTTP API: the requests Nomad 1.0.18's CLI made (recorded beside
 * the repository) replayed in order against a real bivouac agent, each response held field
 * for field against the recorded one (IDs, times and values aside). Errors must match Nomad's
 * status and text exactly.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox, type Sandbox } from '../helpers/agent.js';
import { call, recorded, recordingDir, startApiAgent, waitApi, type ApiAgent, type Reply } from './helpers.js';
import { shapeDiff } from './shape.js';

interface Stub {
  ID: string;
  Name: string;
  ClientStatus: string;
  DesiredStatus: string;
  TaskStates: Record<string, { State: string; Events: { Type: string }[] }>;
}

/** Recorded IDs (see the recording's README) → the ones this agent made. */
const ids = new Map<string, string>();
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const mapIds = (s: string): string => s.replace(UUID, (u) => ids.get(u) ?? u);

describe('HTTP API contract (Nomad 1.0.18 recording)', { skip: recordingDir === null ? 'the Nomad API recording is not beside the repository' : false }, () => {
  let sb: Sandbox;
  let api: ApiAgent;

  before(async () => {
    sb = sandbox('bivouac-api-contract-');
    api = await startApiAgent(sb);
  });
  after(async () => {
    await api.agent.stop();
    sb.cleanup();
  });

  /** Replays one recorded exchange (ID-mapped) and holds our answer against it. */
  async function replay(file: string, opts: { body?: unknown; token?: boolean; path?: string } = {}): Promise<Reply> {
    const rec = recorded(file);
    const path = opts.path ?? mapIds(rec.request.path);
    const body = opts.body ?? (rec.request.body === null ? undefined : rec.request.body);
    const r = await call(api.addr, rec.request.method, path, { body, token: opts.token ? api.token : undefined });
    assert.equal(r.status, rec.response.status, `${file}: ${rec.request.method} ${path} → ${r.status} ${r.text.slice(0, 300)}`);
    if (rec.response.status !== 200) {
      assert.equal(r.text, rec.response.body, `${file}: Nomad's error text`);
      assert.match(String(r.headers['content-type']), /^text\/plain/);
    } else {
      assert.deepEqual(shapeDiff(rec.response.body, r.json()), [], `${file}: fields differ from Nomad's`);
    }
    return r;
  }

  test('an agent with no jobs lists none', async () => {
    await replay('GET_v1_jobs__empty.json');
  });

  test('job run: PUT /v1/jobs registers the job as a file and answers with an evaluation', async () => {
    const r = await replay('PUT_v1_jobs.json', { token: true });
    ids.set('7404cf7f-3854-a8d0-3b46-bd5246ec3209', r.json<{ EvalID: string }>().EvalID);
    assert.ok(existsSync(join(sb.jobsDir, 'webapp.nomad.json')));
    await replay('PUT_v1_jobs__batch_detach.json', { token: true });
    await replay('GET_v1_evaluation_ID.json');
    const web = await waitApi('both webapp allocations running', api.addr, '/v1/job/webapp/allocations', (b2) => {
      const l = b2 as Stub[];
      return l.length === 2 && l.every((a) => a.ClientStatus === 'running') ? l : null;
    });
    for (const a of web) ids.set(a.Name === 'webapp.web[0]' ? '6f2e2336-44d0-6bd5-8fe0-d3e1755828cb' : '20128eef-986e-d779-1bbc-3dc5de536105', a.ID);
    const batch = await waitApi('the batch allocation complete', api.addr, '/v1/job/batch-once/allocations', (b2) => (b2 as Stub[]).find((a) => a.ClientStatus === 'complete'));
    ids.set('4aebcdeb-19a1-5a82-40b6-0561953abab1', batch.ID);
    const nodes = (await call(api.addr, 'GET', '/v1/nodes')).json<{ ID: string }[]>();
    ids.set('6a37386b-b00d-0627-8abc-5b8927d817e8', nodes[0].ID);
    const evalAllocs = await replay('GET_v1_evaluation_ID_allocations.json');
    assert.deepEqual(evalAllocs.json<Stub[]>().map((a) => a.ID).sort(), web.map((a) => a.ID).sort(), "the registration's evaluation lists the allocations it placed");
  });

  test('job status reads: jobs, job, allocations, evaluations, deployment, summary', async () => {
    for (const f of ['GET_v1_jobs.json', 'GET_v1_jobs__stale.json', 'GET_v1_jobs__prefix.json', 'GET_v1_jobs__prefix_2char.json', 'GET_v1_jobs__prefix_nomatch.json']) await replay(f);
    for (const f of ['GET_v1_job_ID.json', 'GET_v1_job_ID__batch.json', 'GET_v1_job_ID__404.json']) await replay(f);
    for (const f of ['GET_v1_job_ID_allocations.json', 'GET_v1_job_ID_allocations__batch.json', 'GET_v1_job_ID_allocations__all_true.json']) await replay(f);
    for (const f of ['GET_v1_job_ID_evaluations.json', 'GET_v1_job_ID_evaluations__batch.json', 'GET_v1_job_ID_summary.json', 'GET_v1_job_ID_summary__batch.json']) await replay(f);
    await replay('GET_v1_job_ID_deployment__batch_null.json');
    await replay('GET_v1_evaluations.json');
    await replay('GET_v1_deployments.json');
    // Blocking queries whose index is already passed answer at once, like any query.
    await replay('GET_v1_jobs__blocking_timeout.json');
    await replay('GET_v1_job_ID_allocations__blocking_woken.json');
    // bivouac carries out no update strategy, so a service job has no deployment either: Nomad's answer for one without.
    const dep = await call(api.addr, 'GET', '/v1/job/webapp/deployment?namespace=default');
    assert.equal(dep.status, 200);
    assert.equal(dep.text, 'null');
  });

  test('the jobs list stub carries JobSummary.Namespace, which the CLI reads', async () => {
    const list = (await call(api.addr, 'GET', '/v1/jobs')).json<{ Namespace: string; JobSummary: { Namespace: string } }[]>();
    assert.ok(list.length === 2 && list.every((j) => j.Namespace === '' && j.JobSummary.Namespace === 'default'));
  });

  test('alloc status reads: allocations with prefixes, allocation, stats', async () => {
    for (const f of ['GET_v1_allocations.json', 'GET_v1_allocations__prefix_full_id.json', 'GET_v1_allocations__prefix_nomatch.json']) await replay(f);
    const full = ids.get('6f2e2336-44d0-6bd5-8fe0-d3e1755828cb') ?? '';
    await replay('GET_v1_allocations__prefix_4char.json', { path: `/v1/allocations?prefix=${full.slice(0, 4)}` });
    // An odd-length prefix is cut to even length, as Nomad's server does.
    const odd = await call(api.addr, 'GET', `/v1/allocations?prefix=${full.slice(0, 5)}`);
    assert.ok(odd.json<Stub[]>().some((a) => a.ID === full));
    for (const f of ['GET_v1_allocation_ID.json', 'GET_v1_allocation_ID__batch_complete.json', 'GET_v1_allocation_ID__404.json']) await replay(f);
    await replay('GET_v1_client_allocation_ID_stats.json');
    // The agent's sampler (every 2 s) measures the running task: its memory shows.
    await waitApi('a measured RSS', api.addr, `/v1/client/allocation/${full}/stats`, (b) => (b as { Tasks: { server: { ResourceUsage: { MemoryStats: { RSS: number } } } } }).Tasks.server.ResourceUsage.MemoryStats.RSS > 0);
    await replay('GET_v1_client_allocation_ID_stats__batch_complete.json');
  });

  test('the allocation carries every field the CLI dereferences without a nil check', async () => {
    const a = (await call(api.addr, 'GET', `/v1/allocation/${ids.get('6f2e2336-44d0-6bd5-8fe0-d3e1755828cb')}`)).json<{
      Job: { Version: number; TaskGroups: { Tasks: { Name: string }[] }[] };
      TaskResources: Record<string, { CPU: number; MemoryMB: number }>;
      Resources: { DiskMB: number };
      AllocatedResources: { Shared: { Networks: { DynamicPorts: { Label: string; Value: number }[] }[] } };
      TaskStates: Record<string, { Events: { Message: unknown; DisplayMessage: unknown; Details: Record<string, unknown>; Type: string }[] }>;
    }>();
    assert.equal(typeof a.Job.Version, 'number');
    assert.equal(a.Job.TaskGroups[0].Tasks[0].Name, 'server');
    assert.equal(a.TaskResources.server.CPU, 50);
    assert.equal(a.TaskResources.server.MemoryMB, 32);
    assert.equal(a.Resources.DiskMB, 300);
    assert.equal(a.AllocatedResources.Shared.Networks[0].DynamicPorts[0].Label, 'http');
    for (const e of a.TaskStates.server.Events) {
      assert.equal(typeof e.Message, 'string');
      assert.equal(typeof e.DisplayMessage, 'string');
      for (const v of Object.values(e.Details)) assert.equal(typeof v, 'string', `${e.Type} details are Nomad's string map`);
    }
    const setup = a.TaskStates.server.Events.find((e) => e.Type === 'Task Setup');
    assert.deepEqual([setup?.Message, setup?.Details], ['Building Task Directory', { message: 'Building Task Directory' }]);
  });

  test('node status reads: nodes, node, its allocations, client stats, agent self', async () => {
    for (const f of ['GET_v1_nodes.json', 'GET_v1_nodes__prefix.json', 'GET_v1_node_ID.json', 'GET_v1_node_ID_allocations.json']) await replay(f);
    for (const f of ['GET_v1_client_stats.json', 'GET_v1_client_stats__node_id.json']) await replay(f);
    const node = (await call(api.addr, 'GET', `/v1/node/${ids.get('6a37386b-b00d-0627-8abc-5b8927d817e8')}`)).json<{ HTTPAddr: string; Status: string }>();
    assert.equal(node.HTTPAddr, api.addr, 'alloc logs connects to Node.HTTPAddr directly');
    assert.equal(node.Status, 'ready');
    const self = (await call(api.addr, 'GET', '/v1/agent/self')).json<{ stats: Record<string, unknown>; member: unknown }>();
    const rec = recorded('GET_v1_agent_self.json').response.body as { stats: Record<string, unknown>; member: unknown };
    // bivouac is no raft or serf cluster and has no vault: those stat groups are left out, not faked.
    for (const group of ['client', 'nomad', 'runtime']) assert.deepEqual(shapeDiff(rec.stats[group], self.stats[group]), [], group);
    assert.deepEqual(shapeDiff(rec.member, self.member), []);
    assert.equal((self.stats.client as { node_id: string }).node_id, ids.get('6a37386b-b00d-0627-8abc-5b8927d817e8'));
    for (const f of ['GET_v1_agent_health.json', 'GET_v1_agent_members.json', 'GET_v1_regions.json', 'GET_v1_status_peers.json']) {
      const rec2 = recorded(f);
      const r = await call(api.addr, 'GET', rec2.request.path);
      assert.equal(r.status, 200);
      // health: bivouac is a client only, so the server half of Nomad's answer is absent.
      const want = f === 'GET_v1_agent_health.json' ? { client: (rec2.response.body as { client: unknown }).client } : rec2.response.body;
      assert.deepEqual(shapeDiff(want, r.json()), [], f);
    }
    for (const f of ['GET_v1_status_leader.json', 'GET_v1_status_leader__region.json']) {
      const r = await call(api.addr, 'GET', recorded(f).request.path);
      assert.equal(typeof r.json(), 'string');
    }
  });

  test('search by prefix: job, alloc, node, none', async () => {
    await replay('PUT_v1_search.json');
    const alloc = ids.get('20128eef-986e-d779-1bbc-3dc5de536105') ?? '';
    const r = await replay('PUT_v1_search__alloc_match.json', { body: { ...(recorded('PUT_v1_search__alloc_match.json').request.body as object), Prefix: alloc.slice(0, 4) } });
    assert.ok(r.json<{ Matches: { allocs: string[] } }>().Matches.allocs.includes(alloc));
    const node = ids.get('6a37386b-b00d-0627-8abc-5b8927d817e8') ?? '';
    const n = await replay('PUT_v1_search__node_match.json', { body: { ...(recorded('PUT_v1_search__node_match.json').request.body as object), Prefix: node.slice(0, 4) } });
    assert.deepEqual(n.json<{ Matches: { nodes: string[] } }>().Matches.nodes, [node]);
    await replay('PUT_v1_search__nomatch.json');
  });

  test('alloc logs: frames, plain, tail, errors', async () => {
    const alloc = ids.get('20128eef-986e-d779-1bbc-3dc5de536105');
    await replay('GET_v1_client_fs_logs_ID__400_no_task.json');
    await replay('GET_v1_client_fs_logs_ID__400_bad_task.json');
    await waitApi('60 bytes of output', api.addr, `/v1/client/fs/ls/${alloc}?path=/alloc/logs`, (b) => (b as { Name: string; Size: number }[]).find((f) => f.Name === 'server.stdout.0' && f.Size >= 60));
    await replay('GET_v1_client_fs_ls_ID.json');
    for (const f of ['GET_v1_client_fs_logs_ID.json', 'GET_v1_client_fs_logs_ID__tail.json', 'GET_v1_client_fs_logs_ID__batch.json']) {
      const rec = recorded(f);
      const r = await call(api.addr, 'GET', mapIds(rec.request.path));
      assert.equal(r.status, 200, f);
      const frames = JSON.parse(`[${r.text.replace(/\}\{/g, '},{')}]`) as Record<string, unknown>[];
      assert.ok(frames.length > 0, f);
      for (const fr of frames) assert.deepEqual(shapeDiff(rec.response_frames_decoded?.[0] ? { Data: 's', File: 's', Offset: 0 } : {}, fr), [], f);
      const text = frames.map((fr) => Buffer.from(String(fr.Data), 'base64').toString()).join('');
      assert.match(text, f.includes('batch') ? /batch done/ : /tick \d+ port \d+/);
    }
    const plain = await call(api.addr, 'GET', mapIds(recorded('GET_v1_client_fs_logs_ID__plain.json').request.path));
    assert.match(String(plain.headers['content-type']), /^text\/plain/);
    assert.equal(plain.text.length, 60);
  });

  test('metrics: Nomad JSON and Prometheus text with Nomad names', async () => {
    const r = await call(api.addr, 'GET', '/v1/metrics');
    const rec = recorded('GET_v1_metrics.json').response.body as Record<string, unknown>;
    assert.deepEqual(Object.keys(r.json<Record<string, unknown>>()).sort(), Object.keys(rec).sort());
    const gauges = r.json<{ Gauges: { Name: string; Labels: Record<string, string>; Value: number }[] }>().Gauges;
    const recGauges = (rec.Gauges as { Name: string }[]).map((g) => g.Name);
    for (const name of ['nomad.client.allocated.cpu', 'nomad.client.unallocated.memory', 'nomad.client.allocations.running', 'nomad.client.host.memory.total', 'nomad.client.allocs.memory.rss']) {
      assert.ok(recGauges.includes(name), `${name} is Nomad's`);
      assert.ok(gauges.some((g) => g.Name === name), `${name} served`);
    }
    assert.equal(gauges.find((g) => g.Name === 'nomad.client.allocated.cpu')?.Value, 100);
    assert.equal(gauges.find((g) => g.Name === 'nomad.client.allocations.running')?.Value, 2);
    const rss = gauges.find((g) => g.Name === 'nomad.client.allocs.memory.rss');
    assert.deepEqual(Object.keys(rss?.Labels ?? {}).sort(), ['alloc_id', 'host', 'job', 'namespace', 'task', 'task_group']);
    const p = await call(api.addr, 'GET', '/v1/metrics?format=prometheus');
    assert.match(String(p.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(p.text, /^nomad_client_allocated_cpu\{[^}]*node_id="[^"]+"[^}]*\} 100$/m);
    assert.match(p.text, /^bivouac_reconcile_pass_seconds_count \d+$/m);
    assert.match(p.text, /^bivouac_tasks_started \d+$/m);
  });

  test('plan, validate, parse, and a second version', async () => {
    const v2 = recorded('PUT_v1_job_ID_plan.json').request.body as { Job: unknown };
    const plan = await replay('PUT_v1_job_ID_plan.json', { token: true });
    const tg = plan.json<{ Annotations: { DesiredTGUpdates: { web: Record<string, number> } } }>().Annotations.DesiredTGUpdates.web;
    assert.equal(tg.Place, 1);
    await replay('PUT_v1_validate_job.json');
    await replay('POST_v1_jobs_parse.json');
    const run = await call(api.addr, 'PUT', '/v1/jobs', { body: v2, token: api.token });
    assert.equal(run.status, 200, run.text);
    await replay('PUT_v1_job_ID_plan__nochange.json', { token: true, body: v2 });
    await replay('GET_v1_job_ID__after_update.json');
    await replay('GET_v1_job_ID_versions.json');
    await replay('GET_v1_job_ID_versions__diffs.json');
    const diffs = (await call(api.addr, 'GET', '/v1/job/webapp/versions?diffs=true')).json<{ Diffs: { TaskGroups: { Fields: { Name: string; Old: string; New: string }[] }[] }[] }>().Diffs;
    assert.deepEqual(diffs[0].TaskGroups[0].Fields.find((f) => f.Name === 'Count'), { Type: 'Edited', Name: 'Count', Old: '2', New: '3', Annotations: null });
    // The new version replaced the allocations (a config change is destructive): web[0] is a new one now.
    const v1 = await waitApi('three allocations of version 1 running', api.addr, '/v1/job/webapp/allocations', (b) => {
      const live = (b as (Stub & { JobVersion: number })[]).filter((a) => a.JobVersion === 1 && a.ClientStatus === 'running');
      return live.length === 3 ? live : null;
    }, 60_000);
    ids.set('6f2e2336-44d0-6bd5-8fe0-d3e1755828cb', v1.find((a) => a.Name === 'webapp.web[0]')?.ID ?? '');
  });

  test('alloc restart, signal, signal while not running, stop', async () => {
    const id = ids.get('6f2e2336-44d0-6bd5-8fe0-d3e1755828cb') ?? '';
    await waitApi('web[0] running', api.addr, `/v1/allocation/${id}`, (b) => (b as Stub).TaskStates.server?.State === 'running');
    await replay('PUT_v1_client_allocation_ID_restart.json', { token: true });
    const after = (await call(api.addr, 'GET', `/v1/allocation/${id}`)).json<Stub>();
    const types = after.TaskStates.server.Events.map((e) => e.Type);
    assert.deepEqual(types.slice(types.indexOf('Restart Signaled')).slice(0, 3), ['Restart Signaled', 'Terminated', 'Restarting']);
    await waitApi('web[0] running again', api.addr, `/v1/allocation/${id}`, (b) => (b as Stub).TaskStates.server?.State === 'running');
    await replay('PUT_v1_client_allocation_ID_signal.json', { token: true });
    await waitApi('web[0] waiting out its restart delay', api.addr, `/v1/allocation/${id}`, (b) => (b as Stub).TaskStates.server?.State === 'pending');
    await replay('PUT_v1_client_allocation_ID_signal__500_task_not_running.json', { token: true });
    const stop = await replay('PUT_v1_allocation_ID_stop.json', { token: true });
    ids.set('af0255c1-7465-9c2e-ef81-2e03392f7518', stop.json<{ EvalID: string }>().EvalID);
    const eva = await call(api.addr, 'GET', `/v1/evaluation/${ids.get('af0255c1-7465-9c2e-ef81-2e03392f7518')}`);
    assert.equal(eva.json<{ Status: string; TriggeredBy: string }>().Status, 'complete');
    const stopped = await waitApi('web[0] stopped', api.addr, `/v1/allocation/${id}`, (b) => ((b as Stub).ClientStatus !== 'running' && (b as Stub).ClientStatus !== 'pending' ? (b as Stub) : null));
    assert.equal(stopped.DesiredStatus, 'stop');
    await waitApi('a replacement for web[0]', api.addr, '/v1/job/webapp/allocations', (b) =>
      (b as Stub[]).find((a) => a.Name === 'webapp.web[0]' && a.ID !== id && a.ClientStatus === 'running'),
    );
  });

  test('job stop, then stop -purge', async () => {
    const r = await replay('DELETE_v1_job_ID.json', { token: true });
    ids.set('195af869-b234-d2e8-26b9-fddab9017a57', r.json<{ EvalID: string }>().EvalID);
    await replay('GET_v1_evaluation_ID__job_deregister.json');
    assert.ok(!existsSync(join(sb.jobsDir, 'webapp.nomad.json')));
    assert.ok(existsSync(join(sb.dataDir, 'stopped-jobs', 'webapp.nomad.json')));
    await waitApi('webapp stopped', api.addr, '/v1/job/webapp', (b) => (b as { Stop: boolean; Status: string }).Status === 'dead');
    await replay('GET_v1_job_ID__stopped.json');
    await replay('DELETE_v1_job_ID__purge.json', { token: true });
    await replay('GET_v1_job_ID__404.json', { path: '/v1/job/webapp' });
    assert.ok(!existsSync(join(sb.dataDir, 'stopped-jobs', 'webapp.nomad.json')), 'the API-written file goes with the purge');
    const purgeBatch = await call(api.addr, 'DELETE', '/v1/job/batch-once?global=false&namespace=default&purge=true', { token: api.token });
    assert.equal(purgeBatch.status, 200);
    await replay('GET_v1_jobs__empty.json');
  });
});
