#!/usr/bin/env node
// Runs the compiled tests with node's test runner. Node 20 does not discover files on
// its own under dist/, and `node --test` with no match exits 0 having run nothing, so the
// files are listed here and an empty list is an error.
//   node test/run-tests.mjs            all tiers
//   node test/run-tests.mjs unit e2e   only files under dist/test/<area> whose area is named
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = join(import.meta.dirname, '..', 'dist', 'test');
const only = process.argv.slice(2);
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js')) files.push(p);
  }
})(root);
const picked = only.length === 0 ? files : files.filter((f) => only.some((o) => relative(root, f).startsWith(o + '/')));
if (picked.length === 0) {
  console.error(`run-tests: no test files found under ${root}${only.length ? ` for ${only.join(', ')}` : ''}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...picked], { stdio: 'inherit' });
process.exit(r.status ?? 1);
