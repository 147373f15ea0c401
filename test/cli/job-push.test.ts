/**
 * `bivouac job push` against a local HTTP server (port 0) that answers as the recorded Nomad
 * 1.0.18 agent did (reference nomad-api/), recording every request it gets.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliPath, repoRoot } from '../helpers/paths.js';

const RECORDING = [join(repoRoot, '..', 'shared', 'reference', 'nomad-api'), '/work/shared/reference/nomad-api'].find((d) => existsSync(d));

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: { Job: { ID: string; TaskGroups: { Count: number }[] }; Diff?: boolean; EnforceIndex?: boolean; JobModifyIndex?: number };
}

function recorded(name: string): { status: number; body: unknown } {
  const r = JSON.parse(readFileSync(join(RECORDING ?? '', name), 'utf8')) as { response: { status: number; body: unknown } };
  return r.response;
}

const job = (id: string, count: number): string => `job "${id}" {
  datacenters = ["dc1"]
  group "web" {
    count = ${count}
    task "server" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "sleep 1000"]
      }
      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
`;

function push(args: readonly string[], env: Readonly<Record<string, string>>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cliPath, 'job', 'push', ...args], { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('bivouac job push', { skip: RECORDING === undefined ? 'the recorded Nomad API is not beside this checkout' : false }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'bivouac-push-'));
  let server: Server;
  let addr = '';
  const seen: Seen[] = [];
  /** What the next requests get: a recorded reply, or an error as Nomad sends one (plain text). */
  let reply: (url: string) => { status: number; body: unknown } = () => ({ status: 500, body: 'not set' });

  before(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (d: Buffer) => (text += d.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: JSON.parse(text) as Seen['body'] });
        const r = reply(req.url ?? '');
        const plain = typeof r.body === 'string';
        res.writeHead(r.status, { 'Content-Type': plain ? 'text/plain; charset=utf-8' : 'application/json' });
        res.end(plain ? r.body : JSON.stringify(r.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    addr = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    mkdirSync(join(tmp, 'jobs'));
    writeFileSync(join(tmp, 'jobs', 'webapp.nomad'), job('webapp', 3));
    writeFileSync(join(tmp, 'jobs', 'api.hcl'), job('api', 1));
    writeFileSync(join(tmp, 'jobs', '.webapp.nomad.swp'), 'not a job');
    // As the agent's API writes a job: Nomad's API JSON.
    writeFileSync(join(tmp, 'jobs', 'batch-once.nomad.json'), JSON.stringify({ Job: { ID: 'batch-once', Name: 'batch-once', Type: 'batch', Datacenters: ['dc1'], TaskGroups: [{ Name: 'b', Count: 1, Tasks: [{ Name: 'hello', Driver: 'raw_exec', Config: { command: '/bin/echo', args: ['batch done'] } }] }] } }));
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(tmp, { recursive: true, force: true });
  });

  test("registers the job with PUT /v1/jobs, the exported JSON and the token; prints Nomad's eval ID", async () => {
    seen.length = 0;
    reply = () => recorded('PUT_v1_jobs.json');
    const r = await push(['jobs/webapp.nomad'], { NOMAD_ADDR: addr, NOMAD_TOKEN: 'secret-1' }, tmp);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Job registration successful\nEvaluation ID: 7404cf7f-3854-a8d0-3b46-bd5246ec3209\n');
    assert.equal(seen.length, 1);
    assert.equal(seen[0].method, 'PUT');
    assert.equal(seen[0].url, '/v1/jobs');
    assert.equal(seen[0].headers['x-nomad-token'], 'secret-1');
    assert.equal(seen[0].body.Job.ID, 'webapp');
    assert.equal(seen[0].body.Job.TaskGroups[0].Count, 3);
    assert.equal(seen[0].body.EnforceIndex, undefined);
  });

  test('a directory: every job file in name order; -address and -token win over the environment; -check-index', async () => {
    seen.length = 0;
    reply = () => recorded('PUT_v1_jobs.json');
    const r = await push(['-address', addr, '-token', 'flag-token', '-check-index', '10', 'jobs'], { NOMAD_ADDR: 'http://127.0.0.1:1', NOMAD_TOKEN: 'env-token' }, tmp);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(seen.map((s) => s.body.Job.ID), ['api', 'batch-once', 'webapp']);
    assert.ok(seen.every((s) => s.headers['x-nomad-token'] === 'flag-token'));
    assert.ok(seen.every((s) => s.body.EnforceIndex === true && s.body.JobModifyIndex === 10));
    assert.equal(r.stdout.match(/^Evaluation ID: /gm)?.length, 3);
    assert.match(r.stdout, /^==> jobs\/api\.hcl\n/);
  });

  test("-dry-run: the cluster's plan, rendered as job plan renders it; exit 1 when allocations would be created", async () => {
    seen.length = 0;
    reply = () => recorded('PUT_v1_job_ID_plan.json');
    const r = await push(['-dry-run', 'jobs/webapp.nomad'], { NOMAD_ADDR: addr }, tmp);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(seen[0].url, '/v1/job/webapp/plan');
    assert.equal(seen[0].body.Diff, true);
    assert.equal(seen[0].headers['x-nomad-token'], undefined);
    const lines = r.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 3), ['+/- Job: "webapp"', '+/- Task Group: "web" (1 create, 2 ignore)', '  +/- Count: "2" => "3"']);
    assert.ok(lines.includes('  +/- Task: "server" (forces create/destroy update)'), r.stdout);
    assert.ok(r.stdout.includes('\nScheduler dry-run:\n- All tasks successfully allocated.\n'), r.stdout);
    assert.ok(r.stdout.includes('Job Modify Index: 10\n'), r.stdout);
    const same = await (async () => {
      reply = () => recorded('PUT_v1_job_ID_plan__nochange.json');
      return push(['-dry-run', 'jobs/webapp.nomad'], { NOMAD_ADDR: addr }, tmp);
    })();
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout, /^Job: "webapp"\nTask Group: "web" \(3 ignore\)\n/);
  });

  test('errors from the cluster are shown verbatim, exit 1 (255 for -dry-run)', async () => {
    reply = () => ({ status: 403, body: 'Permission denied' });
    const r = await push(['jobs/webapp.nomad'], { NOMAD_ADDR: addr }, tmp);
    assert.deepEqual([r.code, r.stderr], [1, 'Error submitting job: Unexpected response code: 403 (Permission denied)\n']);
    reply = () => ({ status: 400, body: '1 error occurred:\n\t* Task group web validation failed' });
    const p = await push(['-dry-run', 'jobs/webapp.nomad'], { NOMAD_ADDR: addr }, tmp);
    assert.deepEqual([p.code, p.stderr], [255, 'Error during plan: Unexpected response code: 400 (1 error occurred:\n\t* Task group web validation failed)\n']);
  });

  test('https: NOMAD_CACERT trusts the cluster\'s CA; without it the TLS error is shown and nothing is sent', { skip: existsSync('/usr/bin/openssl') ? false : 'no openssl here' }, async () => {
    const key = join(tmp, 'tls.key');
    const cert = join(tmp, 'tls.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const got: string[] = [];
    const tls = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      req.resume();
      req.on('end', () => {
        got.push(`${req.method} ${req.url}`);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(recorded('PUT_v1_jobs.json').body));
      });
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    try {
      const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
      const ok = await push(['jobs/webapp.nomad'], { NOMAD_ADDR: url, NOMAD_CACERT: cert }, tmp);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /^Evaluation ID: 7404cf7f-/m);
      assert.deepEqual(got, ['PUT /v1/jobs']);
      const untrusted = await push(['jobs/webapp.nomad'], { NOMAD_ADDR: url }, tmp);
      assert.equal(untrusted.code, 1);
      assert.match(untrusted.stderr, /^Error submitting job: PUT https:\/\/127\.0\.0\.1:\d+\/v1\/jobs: self[- ]signed certificate/);
      assert.equal(got.length, 1);
    } finally {
      await new Promise<void>((r) => tls.close(() => r()));
    }
  });
});
