/** `bivouac job validate` / `job inspect` through the compiled CLI (`npx tsc -p .` first). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cliPath, fixturesDir } from '../helpers/paths.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], cwd = join(fixturesDir, 'jobspec')): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { cwd }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const skip = existsSync(cliPath) ? false : `compiled CLI not found at ${cliPath}: run npx tsc -p . first`;

describe('bivouac job validate', { skip }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'bivouac-jobspec-cli-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('a good file: "Job validation successful", exit 0', async () => {
    const r = await run(['job', 'validate', 'rkt-web.nomad']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Job validation successful\n');
  });

  test('an invalid file: Nomad\'s error list, one "\\t* " line per error, exit 1', async () => {
    const r = await run(['job', 'validate', 'invalid.nomad']);
    assert.equal(r.code, 1);
    const lines = r.stderr.split('\n');
    assert.equal(lines[0], 'Job validation errors:');
    assert.equal(lines[1], '5 errors occurred:');
    const bullets = lines.filter((l) => l.startsWith('\t* '));
    assert.equal(bullets.length, 5);
    assert.ok(bullets.includes('\t* invalid.nomad:6:7: job "invalid" → group "g" → restart: unknown key "nterval"'), r.stderr);
  });

  test('a file that does not parse: "Error getting job struct" with the position, exit 1', async () => {
    const r = await run(['job', 'validate', 'syntax-error.nomad']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error getting job struct: Error parsing job file from syntax-error\.nomad:\nsyntax-error\.nomad:4:3: /);
  });

  test('-var supplies a variable; without it the error names the variable', async () => {
    const bad = await run(['job', 'validate', 'variables.nomad.hcl']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /"region"/);
    const good = await run(['job', 'validate', '-var', 'region=eu', '-var=replicas=4', 'variables.nomad.hcl']);
    assert.equal(good.code, 0, good.stderr);
  });

  test('a directory: every job file, with a heading each, skipping dotfiles and editor leftovers', async () => {
    const dir = join(tmp, 'jobs');
    mkdirSync(dir);
    copyFileSync(join(fixturesDir, 'jobspec', 'rkt-web.nomad'), join(dir, 'a.nomad'));
    copyFileSync(join(fixturesDir, 'jobspec', 'raw-batch.nomad.hcl'), join(dir, 'b.nomad.hcl'));
    writeFileSync(join(dir, '.hidden.nomad'), 'not hcl {');
    writeFileSync(join(dir, 'a.nomad~'), 'not hcl {');
    writeFileSync(join(dir, 'notes.txt'), 'not hcl {');
    const r = await run(['job', 'validate', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `==> ${join(dir, 'a.nomad')}\nJob validation successful\n==> ${join(dir, 'b.nomad.hcl')}\nJob validation successful\n`);
  });

  test('a file over 1 MiB is refused', async () => {
    const big = join(tmp, 'big.nomad');
    writeFileSync(big, `job "x" {\n${'#'.repeat(1024 * 1024)}\n}\n`);
    const r = await run(['job', 'validate', big]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /1 MiB/);
  });
});

describe('bivouac job inspect', { skip }, () => {
  test('prints the API JSON with two-space indent', async () => {
    const r = await run(['job', 'inspect', 'raw-batch.nomad.hcl']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith('{\n  "Job": {\n    "Region": "global",'), r.stdout.slice(0, 80));
    const api = JSON.parse(r.stdout) as { Job: { ID: string; TaskGroups: { Tasks: { KillTimeout: number }[] }[] } };
    assert.equal(api.Job.ID, 'nightly');
    assert.equal(api.Job.TaskGroups[0].Tasks[0].KillTimeout, 5_000_000_000);
  });

  test('an invalid file exits 1 with the errors', async () => {
    const r = await run(['job', 'inspect', 'invalid.nomad']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Job validation errors:/);
  });
});
