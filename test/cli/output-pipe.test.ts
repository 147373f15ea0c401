/**
 * The commands write to fd 1 with write(2) (cmd/io.ts), not through process.stdout: a reader
 * that goes away early (`bivouac status --json | head -c 100`) ends the output quietly, exit 0,
 * and a reader that keeps reading gets every byte, in order. A real SQLite file, the real CLI.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalHash } from '../../src/jobspec/hash.js';
import { closeState, openState, putJobVersion, tx } from '../../src/state/index.js';
import { cliPath } from '../helpers/paths.js';
import { cli } from '../helpers/agent.js';
import { job } from '../scheduler/builders.js';

const root = mkdtempSync(join(tmpdir(), 'bivouac-output-pipe-'));
const dataDir = join(root, 'data');
after(() => rmSync(root, { recursive: true, force: true }));

before(() => {
  mkdirSync(dataDir);
  const db = openState(join(dataDir, 'state.db'));
  // ~600 KB of `status --json`: many times a pipe's buffer.
  tx(db, () => {
    for (let i = 0; i < 1000; i++) {
      const j = job({ id: `job-${String(i).padStart(4, '0')}`, name: `job-${i}` });
      putJobVersion(db, j, canonicalHash(j), `${j.id}.nomad`, 1_700_000_000_000 + i);
    }
  });
  closeState(db);
});

describe("the commands' output on a pipe", () => {
  test('a reader gone after the first bytes: the command ends quietly, exit 0', async () => {
    const child = spawn(process.execPath, [cliPath, 'status', '--json', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });

  test('a reader that reads it all gets every byte in order', () => {
    const r = cli(['status', '--json', '--data-dir', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    const jobs = JSON.parse(r.stdout) as { ID: string }[];
    assert.equal(jobs.length, 1000);
    assert.deepEqual(jobs.map((j) => j.ID), jobs.map((j) => j.ID).sort());
    assert.ok(r.stdout.length > 256 * 1024, `${r.stdout.length} bytes`);
  });
});
