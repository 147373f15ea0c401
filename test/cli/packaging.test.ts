/**
 * The package and the service files: what `npm pack` puts in the tarball, the bin's shebang,
 * the systemd unit (checked by systemd-analyze where it exists) and the agent config it
 * starts with. The full `npm install -g` of the tarball into a temp prefix needs the npm
 * registry and a native build (minutes): it runs with BIVOUAC_TEST_INSTALL=1.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { loadConfigFile } from '../../cmd/agent.js';
import { mergeConfig } from '../../src/agent/config.js';

interface PackFile {
  readonly path: string;
  readonly mode: number;
}

describe('npm pack', () => {
  // --ignore-scripts: list what is built now, without rebuilding dist/ under running tests.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const files = (JSON.parse(out) as { files: PackFile[] }[])[0].files;
  const paths = new Set(files.map((f) => f.path));

  test('ships the bundled CLI (with the parser and spawner entries), the service files and the docs; no tests, benches or sources', () => {
    for (const p of ['package.json', 'README.md', 'dist/bin/bivouac.cjs', 'dist/bin/esm-import.cjs', 'dist/bin/status.cjs.cache', 'dist/bin/hcl-worker.js', 'dist/bin/spawner-main.js', 'contrib/bivouac.service', 'contrib/agent.hcl', 'docs/DESIGN.md']) {
      assert.ok(paths.has(p), `${p} missing from the package`);
    }
    for (const p of paths) assert.doesNotMatch(p, /^(dist\/test|dist\/bench|dist\/src|dist\/cmd|test|bench|src|cmd|jobs)\//, `${p} should not be packed`);
  });

  test('the bin is executable and starts with its shebang', () => {
    const bin = files.find((f) => f.path === 'dist/bin/bivouac.cjs');
    assert.equal((bin?.mode ?? 0) & 0o111, 0o111);
    assert.equal(readFileSync(join(repoRoot, 'dist/bin/bivouac.cjs'), 'utf8').split('\n')[0], '#!/usr/bin/env node');
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    assert.deepEqual(pkg.bin, { bivouac: 'dist/bin/bivouac.cjs' });
  });
});

describe('contrib/bivouac.service', () => {
  const unit = readFileSync(join(repoRoot, 'contrib/bivouac.service'), 'utf8');
  const keys = (section: string): Map<string, string[]> => {
    const body = unit.split(/^\[/m).find((s) => s.startsWith(`${section}]`)) ?? '';
    const m = new Map<string, string[]>();
    for (const line of body.split('\n').slice(1)) {
      const eq = line.indexOf('=');
      if (line.startsWith('#') || eq < 0) continue;
      m.set(line.slice(0, eq), [...(m.get(line.slice(0, eq)) ?? []), line.slice(eq + 1)]);
    }
    return m;
  };

  test('tasks survive an agent restart, cgroups are delegated, the agent restarts on failure', () => {
    const s = keys('Service');
    assert.deepEqual(s.get('KillMode'), ['process']);
    assert.deepEqual(s.get('Delegate'), ['yes']);
    assert.deepEqual(s.get('Restart'), ['on-failure']);
    assert.deepEqual(s.get('ExecStart'), ['/usr/local/bin/bivouac agent --config /etc/bivouac/agent.hcl']);
    assert.deepEqual(keys('Install').get('WantedBy'), ['multi-user.target']);
  });

  test('systemd-analyze verify finds nothing wrong', { skip: existsSync('/usr/bin/systemd-analyze') ? false : 'no systemd-analyze here' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'bivouac-unit-'));
    try {
      // The bin is not installed at /usr/local/bin here: point ExecStart at a real executable.
      writeFileSync(join(dir, 'bivouac.service'), unit.replace('/usr/local/bin/bivouac', process.execPath));
      const r = spawnSync('systemd-analyze', ['verify', join(dir, 'bivouac.service')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr.trim(), '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the agent config it starts with parses: state in /var/lib/bivouac, jobs in /etc/bivouac/jobs', async () => {
    const config = mergeConfig(await loadConfigFile(join(repoRoot, 'contrib/agent.hcl')));
    assert.equal(config.dataDir, '/var/lib/bivouac');
    assert.equal(config.jobsDir, '/etc/bivouac/jobs');
    assert.equal(config.rawExecEnabled, false);
  });
});

describe('npm install -g of the packed tarball', { skip: process.env.BIVOUAC_TEST_INSTALL === '1' ? false : 'set BIVOUAC_TEST_INSTALL=1 (needs the npm registry, takes minutes)' }, () => {
  test('puts a working bivouac on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bivouac-install-'));
    try {
      execFileSync('npm', ['pack', '--pack-destination', dir], { cwd: repoRoot, stdio: 'ignore' });
      const tgz = join(dir, `bivouac-${(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version}.tgz`);
      execFileSync('npm', ['install', '-g', '--prefix', join(dir, 'prefix'), '--allow-scripts=better-sqlite3', tgz], { stdio: 'ignore' });
      const bin = join(dir, 'prefix', 'bin');
      const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
      assert.match(execFileSync('bivouac', ['version'], { env, encoding: 'utf8' }), /^bivouac v\d+\.\d+\.\d+/);
      mkdirSync(join(dir, 'data'));
      assert.equal(execFileSync('bivouac', ['status', '--data-dir', join(dir, 'data')], { env, encoding: 'utf8' }), 'No running jobs\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
