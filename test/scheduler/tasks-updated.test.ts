import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Group } from '../../src/jobspec/types.js';
import { destructiveChange, tasksUpdated } from '../../src/scheduler/tasks-updated.js';
import { constraint, group, network, port, task } from './builders.js';

const base = group();
const res = base.tasks[0].resources;

const cases: readonly (readonly [string, Group, boolean])[] = [
  ['identical', group(), false],
  ['count', group({ count: 9 }), false],
  ['restart policy', group({ restart: { attempts: 9, intervalMs: 1, delayMs: 1, mode: 'delay' } }), false],
  ['kill timeout and signal', group({ tasks: [task({ killTimeoutMs: 1, killSignal: 'SIGTERM' })] }), false],
  ['logs', group({ tasks: [task({ logs: { maxFiles: 1, maxFileSizeMB: 1 } })] }), false],
  ['services', group({ extra: { Services: [{ Name: 'web' }] } }), false],
  ['update block', group({ extra: { Update: { MaxParallel: 2 } } }), false],
  ['task added', group({ tasks: [task(), task({ name: 'sidecar' })] }), true],
  ['task renamed', group({ tasks: [task({ name: 'other' })] }), true],
  ['driver', group({ tasks: [task({ driver: 'rkt' })] }), true],
  ['user', group({ tasks: [task({ user: 'nobody' })] }), true],
  ['config', group({ tasks: [task({ rawConfig: { command: '/bin/true' } })] }), true],
  ['env', group({ tasks: [task({ env: { A: '1' } })] }), true],
  ['task meta', group({ tasks: [task({ meta: { a: 'b' } })] }), true],
  ['group meta', group({ meta: { a: 'b' } }), true],
  ['cpu', group({ tasks: [task({ cpu: 101 })] }), true],
  ['memory', group({ tasks: [task({ memoryMB: 301 })] }), true],
  ['memory_max', group({ tasks: [task({ resources: { ...res, memoryMaxMB: 512 } })] }), true],
  ['task network', group({ tasks: [task({ resources: { ...res, networks: [network([port('http', 80)])] } })] }), true],
  ['group ports', group({ networks: [network([], [port('http')])] }), true],
  ['ephemeral disk', group({ ephemeralDisk: { sizeMB: 500, sticky: false, migrate: false } }), true],
  ['group constraint', group({ constraints: [constraint('${attr.kernel.name}', '=', 'linux')] }), true],
  ['task constraint', group({ tasks: [task({ constraints: [constraint('${meta.x}', 'is_set')] })] }), true],
  ['templates', group({ tasks: [task({ extra: { Templates: [{ DestPath: 'local/x' }] } })] }), true],
  ['artifacts', group({ tasks: [task({ extra: { Artifacts: [{ GetterSource: 'https://x' }] } })] }), true],
  ['volumes', group({ extra: { Volumes: { data: { Type: 'host' } } } }), true],
];

describe('tasksUpdated', () => {
  for (const [name, changed, want] of cases) {
    test(name, () => {
      assert.equal(tasksUpdated(base, changed), want);
      assert.equal(tasksUpdated(changed, base), want);
    });
  }
  test('names the change', () => {
    assert.equal(destructiveChange(base, group({ tasks: [task({ env: { A: '1' } })] })), 'task "server" env');
    assert.equal(destructiveChange(base, base), null);
  });
  test('key order in config does not matter', () => {
    const a = group({ tasks: [task({ rawConfig: { command: 'x', args: ['1'] } })] });
    const b = group({ tasks: [task({ rawConfig: { args: ['1'], command: 'x' } })] });
    assert.equal(tasksUpdated(a, b), false);
  });
});
