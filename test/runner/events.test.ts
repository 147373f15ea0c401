import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TASK_EVENT_TYPES, describeEvent, describeRestarting, describeTerminated, isTaskEventType, newTaskEvent, type TaskEventFields, type TaskEventType } from '../../src/runner/events.js';
import { REASON_DELAY, REASON_WITHIN_POLICY } from '../../src/runner/restart.js';

const rows: ReadonlyArray<readonly [TaskEventType, TaskEventFields, string]> = [
  ['Received', {}, 'Task received by client'],
  ['Task Setup', { message: 'Building Task Directory' }, 'Building Task Directory'],
  ['Started', {}, 'Task started by client'],
  ['Terminated', { exitCode: 1 }, 'Exit Code: 1'],
  ['Terminated', { exitCode: 137, signal: 9 }, 'Exit Code: 137, Signal: 9'],
  ['Terminated', { exitCode: 2, message: 'boom "x"' }, 'Exit Code: 2, Exit Message: "boom \\"x\\""'],
  ['Terminated', { exitCode: null, message: 'exit code unknown' }, 'Exit Code: unknown, Exit Message: "exit code unknown"'],
  ['Restarting', { startDelayMs: 16_025 }, 'Task restarting in 16.025s'],
  ['Restarting', { startDelayMs: 16_025, restartReason: REASON_WITHIN_POLICY }, 'Task restarting in 16.025s'],
  ['Restarting', { startDelayMs: 1_740_000, restartReason: REASON_DELAY }, 'Exceeded allowed attempts, applying a delay - Task restarting in 29m0s'],
  ['Not Restarting', {}, 'Task exceeded restart policy'],
  ['Not Restarting', { restartReason: 'Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"' }, 'Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"'],
  ['Killing', { killTimeoutMs: 5000 }, 'Sent interrupt. Waiting 5s before force killing'],
  ['Killing', {}, 'Sent interrupt'],
  ['Killing', { killReason: 'job stopped', killTimeoutMs: 5000 }, 'Killing task: job stopped'],
  ['Killed', {}, 'Task successfully killed'],
  ['Killed', { killError: 'no such process' }, 'no such process'],
  ['Driver Failure', {}, 'Failed to start task'],
  ['Driver Failure', { driverError: 'binary "x" could not be found' }, 'binary "x" could not be found'],
  ['Setup Failure', {}, 'Task setup failed'],
  ['Failed Validation', {}, 'Validation of task failed'],
  ['Sibling Task Failed', { failedSibling: 'web' }, `Task's sibling "web" failed`],
  ['Sibling Task Failed', {}, "Task's sibling failed"],
  ['Leader Task Dead', {}, 'Leader Task in Group dead'],
  ['Signaling', {}, 'Task being sent a signal'],
  ['Signaling', { taskSignal: 'SIGHUP' }, 'Task being sent signal SIGHUP'],
  ['Signaling', { taskSignal: 'SIGHUP', taskSignalReason: 'reload' }, 'Task being sent signal SIGHUP: reload'],
  ['Restart Signaled', {}, 'Task signaled to restart'],
  ['Driver', { driverMessage: 'Downloading image' }, 'Downloading image'],
  ['Downloading Artifacts', {}, 'Client is downloading artifacts'],
  ['Failed Restoring Task', { message: 'failed to restore task' }, 'failed to restore task'],
  ['Reconnected', {}, 'Client reconnected'],
];

for (const [type, fields, want] of rows) {
  test(`describeEvent ${type} ${JSON.stringify(fields)}`, () => {
    assert.equal(describeEvent(newTaskEvent(type, 0, fields)), want);
  });
}

test('every event type describes without throwing, and decodes from its string', () => {
  for (const t of TASK_EVENT_TYPES) {
    assert.equal(typeof describeEvent(newTaskEvent(t, 0)), 'string');
    assert.equal(isTaskEventType(t), true);
  }
  assert.equal(isTaskEventType('Restarts Exceeded'), false);
});

test('shorthands for the runner: Terminated from an exit result, Restarting from a decision', () => {
  assert.equal(describeTerminated({ exitCode: 143, signal: 15, oomKilled: false, err: null }), 'Exit Code: 143, Signal: 15');
  assert.equal(
    describeTerminated({ exitCode: null, signal: 0, oomKilled: false, err: 'exit code unknown' }),
    'Exit Code: unknown, Exit Message: "exit code unknown"',
  );
  assert.equal(describeRestarting(16_875, REASON_WITHIN_POLICY), 'Task restarting in 16.875s');
  assert.equal(describeRestarting(1000, REASON_DELAY), 'Exceeded allowed attempts, applying a delay - Task restarting in 1s');
});
