import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { allocClientStatus, jobStatus, jobStatusLabel, type JobStatusInput, type TaskStateSummary } from '../../src/scheduler/status.js';

describe('allocClientStatus', () => {
  const t = (state: TaskStateSummary['state'], failed = false): TaskStateSummary => ({ state, failed });
  const cases: readonly (readonly [string, readonly TaskStateSummary[], string, string])[] = [
    ['no tasks', [], 'pending', 'No tasks have started'],
    ['all pending', [t('pending'), t('pending')], 'pending', 'No tasks have started'],
    ['one running', [t('running'), t('pending')], 'running', 'Tasks are running'],
    ['running and done', [t('running'), t('dead')], 'running', 'Tasks are running'],
    ['a failed task wins', [t('running'), t('dead', true)], 'failed', 'Failed tasks'],
    ['all dead', [t('dead'), t('dead')], 'complete', 'All tasks have completed'],
  ];
  for (const [name, tasks, status, description] of cases) {
    test(name, () => assert.deepEqual(allocClientStatus(tasks), { status, description }));
  }
});

describe('jobStatus', () => {
  const base: JobStatusInput = { type: 'service', periodic: false, parameterized: false, stopped: false, allocs: [], pendingWork: false };
  const running = { desiredStatus: 'run', clientStatus: 'running' } as const;
  const complete = { desiredStatus: 'run', clientStatus: 'complete' } as const;
  const cases: readonly (readonly [string, Partial<JobStatusInput>, string])[] = [
    ['nothing yet', {}, 'pending'],
    ['work queued', { pendingWork: true }, 'pending'],
    ['a live alloc', { allocs: [running, complete] }, 'running'],
    ['batch done', { type: 'batch', allocs: [complete] }, 'dead'],
    ['stopped, alloc told to stop', { stopped: true, allocs: [{ desiredStatus: 'stop', clientStatus: 'running' }] }, 'dead'],
    ['system runs until stopped', { type: 'system' }, 'running'],
    ['system stopped', { type: 'system', stopped: true }, 'dead'],
    ['periodic', { type: 'batch', periodic: true }, 'running'],
    ['parameterized', { type: 'batch', parameterized: true }, 'running'],
  ];
  for (const [name, over, want] of cases) test(name, () => assert.equal(jobStatus({ ...base, ...over }), want));

  test('label', () => {
    assert.equal(jobStatusLabel('dead', true), 'dead (stopped)');
    assert.equal(jobStatusLabel('dead', false), 'dead');
    assert.equal(jobStatusLabel('running', true), 'running');
  });
});
