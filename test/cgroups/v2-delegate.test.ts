/**
 * The pure-v2 start-up sequence (cgroup-v2.rst, "No Internal Process Constraint"), on a
 * directory that stands in for a delegated cgroup: this host's unified hierarchy offers no
 * memory or cpu controller to enable for real. What is checked is the order of the writes:
 * the agent leaves its own cgroup for a leaf before it enables controllers there, then
 * enables them for its task cgroups.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createCgroupManager } from '../../src/cgroups/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { makeTestDir } from '../helpers/paths.js';

const root = makeTestDir('bivouac-v2-');
after(() => rmSync(root, { recursive: true, force: true }));

test('v2: the agent moves itself into bivouac-<scope>-agent, then enables memory, cpu and pids for its tasks', () => {
  const own = join(root, 'system.slice', 'bivouac.service');
  mkdirSync(own, { recursive: true });
  writeFileSync(join(own, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  writeFileSync(join(own, 'cgroup.subtree_control'), '\n');
  const m = createCgroupManager({
    layout: { version: 'v2', mountpoint: root, hierarchies: [{ kind: 'unified', mount: root, own }] },
    scope: 'n1',
    log: silentLogger,
    selfPid: 4242,
  });
  assert.equal(m.canLimit, true);
  assert.equal(readFileSync(join(own, 'bivouac-n1-agent', 'cgroup.procs'), 'utf8'), '4242');
  assert.equal(readFileSync(join(own, 'cgroup.subtree_control'), 'utf8'), '+memory +cpu +pids');
  assert.equal(readFileSync(join(own, 'bivouac-n1', 'cgroup.subtree_control'), 'utf8'), '+memory +cpu +pids');
  assert.deepEqual(m.bases, [join(own, 'bivouac-n1')]);
});

test('v2 where the controllers are already delegated: no move; without memory and cpu: tracked, not limited', () => {
  const own = join(root, 'ready');
  mkdirSync(own, { recursive: true });
  writeFileSync(join(own, 'cgroup.controllers'), 'cpu memory pids\n');
  writeFileSync(join(own, 'cgroup.subtree_control'), 'cpu memory pids\n');
  const m = createCgroupManager({ layout: { version: 'v2', mountpoint: root, hierarchies: [{ kind: 'unified', mount: root, own }] }, scope: 'n2', log: silentLogger, selfPid: 4242 });
  assert.equal(m.canLimit, true);
  assert.throws(() => readFileSync(join(own, 'bivouac-n2-agent', 'cgroup.procs')), { code: 'ENOENT' });

  const bare = join(root, 'bare');
  mkdirSync(bare, { recursive: true });
  writeFileSync(join(bare, 'cgroup.controllers'), 'pids\n');
  const b = createCgroupManager({ layout: { version: 'v2', mountpoint: root, hierarchies: [{ kind: 'unified', mount: root, own: bare }] }, scope: 'n3', log: silentLogger, selfPid: 4242 });
  assert.equal(b.canLimit, false);
});
