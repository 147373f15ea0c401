/** Nomad's TaskEvent shape from bivouac's stored events: the values the recording shows. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiTaskEvent } from '../../src/status/task-event.js';
import type { TaskEventRecord } from '../../src/state/index.js';

const ev = (type: string, message: string, details: Record<string, unknown> = {}): TaskEventRecord => ({ id: 1, allocId: 'a', task: 't', time: 1000, type, message, details });

describe('task events as Nomad returns them', () => {
  test("Details is Nomad's string map, Message and DisplayMessage always strings", () => {
    const cases: [TaskEventRecord, number, Partial<Record<string, unknown>>][] = [
      [ev('Received', 'Task received by client'), 0, { Message: '', DisplayMessage: 'Task received by client', Details: {} }],
      [ev('Task Setup', 'Building Task Directory'), 0, { Message: 'Building Task Directory', DisplayMessage: 'Building Task Directory', Details: { message: 'Building Task Directory' } }],
      [ev('Terminated', 'Exit Code: 0', { exitCode: 0, signal: 0, oomKilled: false }), 0, { Message: '', DisplayMessage: 'Exit Code: 0', ExitCode: 0, Details: { oom_killed: 'false', exit_code: '0', signal: '0' } }],
      [ev('Terminated', 'Exit Code: 130, Signal: 2', { exitCode: 130, signal: 2 }), 0, { ExitCode: 130, Signal: 2, Details: { oom_killed: 'false', exit_code: '130', signal: '2' } }],
      [ev('Restart Signaled', 'User requested restart', { reason: 'User requested restart' }), 0, { RestartReason: 'User requested restart', Details: { restart_reason: 'User requested restart' } }],
      [ev('Restarting', 'Task restarting in 0s', { reason: '', delayMs: 0, user: true }), 0, { StartDelay: 0, Details: { start_delay: '0', restart_reason: '' } }],
      [ev('Restarting', 'Task restarting in 15s', { reason: '', delayMs: 15000 }), 0, { StartDelay: 15e9, Details: { start_delay: '15000000000', restart_reason: '' } }],
      [ev('Signaling', 'Task being sent a signal', { signal: 'SIGKILL' }), 0, { TaskSignal: 'SIGKILL', Details: { signal: 'SIGKILL' } }],
      [ev('Killing', 'Sent interrupt. Waiting 5s before force killing', { signal: 'SIGINT' }), 5000, { KillTimeout: 5e9, Details: { kill_timeout: '5s' } }],
      [ev('Driver Failure', 'no such binary', {}), 0, { DriverError: 'no such binary', Details: { driver_error: 'no such binary' } }],
    ];
    for (const [record, killMs, want] of cases) {
      const got = apiTaskEvent(record, killMs) as unknown as Record<string, unknown>;
      assert.equal(got.Time, 1000 * 1e6);
      for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k], v, `${record.type}.${k}`);
      assert.equal(typeof got.Message, 'string');
      assert.equal(typeof got.DisplayMessage, 'string');
      for (const v of Object.values(got.Details as Record<string, unknown>)) assert.equal(typeof v, 'string');
      assert.equal(Object.keys(got).length, 24, "every field of Nomad's TaskEvent");
    }
  });
});
