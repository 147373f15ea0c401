import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

/**
 * Every module a command can load (static and dynamic imports, followed through the
 * compiled output). Query commands must never reach the HCL parser: its load alone costs
 * ~0.5 s, and `status` answers from SQLite.
 */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|(?:import|require|__bivouacLoad|__bivouacImport)\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) {
        const p = resolve(dirname(file), spec);
        if (existsSync(p)) todo.push(p);
      } else {
        seen.add(`pkg:${spec}`);
      }
    }
  }
  return seen;
}

const dist = join(repoRoot, 'dist', 'cmd');

describe('what each command loads', () => {
  for (const cmd of ['status', 'status-detail', 'alloc-status', 'alloc-logs', 'node-status', 'version']) {
    test(`${cmd} never loads the HCL parser`, () => {
      const mods = [...reachable(join(dist, `${cmd}.js`))];
      assert.deepEqual(mods.filter((m) => m.includes('hcl2json') || m.includes(`${join('jobspec', 'parse')}`)), []);
    });
  }

  test('version loads nothing but its own small modules', () => {
    const pkgs = [...reachable(join(dist, 'version.js'))].filter((m) => m.startsWith('pkg:'));
    assert.deepEqual(pkgs, []);
  });

  test('the agent and job commands do reach the parser (the check above can fail)', () => {
    assert.ok([...reachable(join(dist, 'job-validate.js'))].some((m) => m.includes(join('jobspec', 'parse'))));
  });
});

/**
 * The shipped CLI is the bundle in dist/bin: one file per command (scripts/bundle.mjs), loaded
 * by the entry's __bivouacLoad (CommonJS commands, .cjs: require() with a code cache) or
 * __bivouacImport (ESM ones: import() through esm-import.cjs), both in scripts/bundle.mjs.
 */
const bin = join(repoRoot, 'dist', 'bin');
function commandChunk(cmd: string): string {
  const entry = readFileSync(join(bin, 'bivouac.cjs'), 'utf8');
  const m = [...entry.matchAll(/(?:import|require|__bivouacLoad|__bivouacImport)\(\s*["'](\.\/[^"']+)["']\s*\)/g)].map((x) => x[1]).find((s) => s === `./${cmd}.js` || s === `./${cmd}.cjs`);
  assert.ok(m, `no import of ${cmd} in dist/bin/bivouac.cjs`);
  return join(bin, m);
}
/** A chunk reaches the parser when it imports the WASM package or starts the parser's worker. */
function reachesParser(entry: string): boolean {
  return [...reachable(entry)].some((m) => m.includes('hcl2json') || (!m.startsWith('pkg:') && readFileSync(m, 'utf8').includes('hcl-worker')));
}

describe('what each bundled command loads', () => {
  // The code cache is V8's of the very file: a build that changed the file without it would be rejected (and only compile).
  for (const cmd of ['status', 'status-detail', 'alloc-status']) {
    test(`${cmd}'s code cache is accepted for its file`, async () => {
      const { Script } = await import('node:vm');
      const { wrap } = (await import('node:module')).default;
      const file = commandChunk(cmd);
      const script = new Script(wrap(readFileSync(file, 'utf8')), { filename: file, cachedData: readFileSync(`${file}.cache`) });
      assert.equal(script.cachedDataRejected, false);
    });
  }

  for (const cmd of ['status', 'status-detail', 'alloc-status', 'alloc-logs', 'node-status', 'version']) {
    test(`${cmd} never loads the HCL parser`, () => {
      assert.equal(reachesParser(commandChunk(cmd)), false);
    });
  }

  test('job validate does reach it (the check above can fail)', () => {
    assert.equal(reachesParser(commandChunk('job-validate')), true);
  });

  test('version loads no package', () => {
    assert.deepEqual([...reachable(commandChunk('version'))].filter((m) => m.startsWith('pkg:')), []);
  });

  // A CommonJS entry starts without Node's ESM loader (~6 ms of a cold start): the dispatcher and the read commands are .cjs.
  for (const cmd of ['version', 'status', 'status-detail', 'alloc-status']) {
    test(`${cmd} is CommonJS`, () => {
      assert.match(commandChunk(cmd), /\.cjs$/);
      assert.doesNotMatch(readFileSync(commandChunk(cmd), 'utf8'), /(?:^|\n)import\s/);
    });
  }

  // Each module costs a cold start its resolve, read and link (17 chunks: ~15 ms; one file: ~7 ms).
  for (const cmd of ['status', 'status-detail', 'alloc-status']) {
    test(`${cmd} is one file: it imports nothing of ours statically`, () => {
      const text = readFileSync(commandChunk(cmd), 'utf8');
      assert.deepEqual([...text.matchAll(/(?:^|\n)(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/g)].map((m) => m[1]), []);
      // Its require()s of our files are the hand-overs to sibling commands' own bundles, nothing else.
      const ours = [...text.matchAll(/(?:require|__bivouacLoad)\(\s*["'](\.[^"']+)["']\s*\)/g)].map((m) => m[1]);
      assert.deepEqual(ours.filter((f) => !/^\.\/[a-z-]+\.cjs$/.test(f) || !existsSync(join(bin, f))), []);
    });
  }

  test('status hands over to alloc status and node status by their own files', () => {
    const text = readFileSync(commandChunk('status-detail'), 'utf8');
    assert.match(text, /__bivouacLoad\(\s*["']\.\/alloc-status\.cjs["']\s*\)/);
    assert.match(text, /__bivouacImport\(\s*["']\.\/node-status\.js["']\s*\)/);
  });

  // The text list's bundle carries the list alone: one job's layout, --json and the jobspec are status-detail's.
  test("status's list bundle has none of the other layouts' modules, and hands over to status-detail by its file", () => {
    const text = readFileSync(commandChunk('status'), 'utf8');
    for (const m of ['render-jobs', 'status/api.js', 'status/alloc.js', 'jobspec/']) assert.doesNotMatch(text, new RegExp(`^// .*${m}`, 'm'), m);
    assert.match(text, /^\/\/ .*status\/job-list\.js$/m);
    assert.match(text, /__bivouacLoad\(\s*["']\.\/status-detail\.cjs["']\s*\)/);
  });
});
