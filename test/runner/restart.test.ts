import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobType, RestartPolicy } from '../../src/jobspec/types.js';
import {
  REASON_DELAY,
  REASON_NO_RESTARTS_ALLOWED,
  REASON_TERMINATED_SUCCESSFULLY,
  REASON_UNRECOVERABLE_ERROR,
  REASON_WITHIN_POLICY,
  decideRestart,
  type RestartDecision,
  type RestartOutcome,
} from '../../src/runner/restart.js';

const M = 60_000;
const service: RestartPolicy = { attempts: 2, intervalMs: 30 * M, delayMs: 15_000, mode: 'fail' };
const delayMode: RestartPolicy = { ...service, mode: 'delay' };
const none: RestartPolicy = { ...service, attempts: 0 };
const exit = (exitCode: number | null, signal = 0): RestartOutcome => ({ kind: 'exited', exitCode, signal });
const EXCEEDED = 'Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"';

interface Row {
  readonly name: string;
  readonly policy?: RestartPolicy;
  readonly jobType?: JobType;
  readonly history?: readonly number[];
  readonly outcome: RestartOutcome;
  readonly now?: number;
  readonly rand?: number;
  readonly want: RestartDecision;
}

// trackingSince is 0 throughout; rand is 0.5 unless given, so jitter is 1875 ms on 15 s.
const rows: readonly Row[] = [
  { name: 'first failure restarts after delay + jitter', outcome: exit(1), want: { action: 'restart', delayMs: 16_875, reason: REASON_WITHIN_POLICY } },
  { name: 'jitter 0', outcome: exit(1), rand: 0, want: { action: 'restart', delayMs: 15_000, reason: REASON_WITHIN_POLICY } },
  { name: 'jitter just under 25%', outcome: exit(1), rand: 0.999, want: { action: 'restart', delayMs: 18_746, reason: REASON_WITHIN_POLICY } },
  { name: 'zero delay', policy: { ...service, delayMs: 0 }, outcome: exit(1), want: { action: 'restart', delayMs: 0, reason: REASON_WITHIN_POLICY } },
  { name: 'service exit 0 still restarts', outcome: exit(0), want: { action: 'restart', delayMs: 16_875, reason: REASON_WITHIN_POLICY } },
  { name: 'system exit 0 still restarts', jobType: 'system', outcome: exit(0), want: { action: 'restart', delayMs: 16_875, reason: REASON_WITHIN_POLICY } },
  { name: 'batch exit 0 terminates', jobType: 'batch', outcome: exit(0), want: { action: 'terminate', delayMs: 0, reason: REASON_TERMINATED_SUCCESSFULLY } },
  { name: 'sysbatch exit 0 terminates', jobType: 'sysbatch', outcome: exit(0), want: { action: 'terminate', delayMs: 0, reason: REASON_TERMINATED_SUCCESSFULLY } },
  { name: 'batch exit 0 by signal is a failure', jobType: 'batch', outcome: exit(0, 9), want: { action: 'restart', delayMs: 16_875, reason: REASON_WITHIN_POLICY } },
  { name: 'batch unknown exit is a failure', jobType: 'batch', outcome: exit(null), want: { action: 'restart', delayMs: 16_875, reason: REASON_WITHIN_POLICY } },
  { name: 'second failure within policy', history: [1000], now: 20_000, outcome: exit(1), want: { action: 'restart', delayMs: 16_875, reason: REASON_WITHIN_POLICY } },
  { name: 'third failure in the interval fails (mode fail)', history: [1000, 20_000], now: 40_000, outcome: exit(1), want: { action: 'fail', delayMs: 0, reason: EXCEEDED } },
  { name: 'mode delay waits for the interval to end', policy: delayMode, history: [1000, 20_000], now: 60_000, outcome: exit(1), want: { action: 'restart', delayMs: 30 * M - 60_000, reason: REASON_DELAY } },
  { name: 'after the delay a new interval opens', policy: delayMode, history: [1000, 20_000, 60_000], now: 30 * M + 5000, outcome: exit(1), want: { action: 'restart', delayMs: 16_875, reason: REASON_WITHIN_POLICY } },
  { name: 'interval rollover resets the count', history: [1000, 20_000], now: 30 * M + 1, outcome: exit(1), want: { action: 'restart', delayMs: 16_875, reason: REASON_WITHIN_POLICY } },
  { name: 'exactly at the interval end is still inside it', history: [1000, 20_000], now: 30 * M, outcome: exit(1), want: { action: 'fail', delayMs: 0, reason: EXCEEDED } },
  { name: 'a later window counts from its own start', history: [1000, 20_000, 31 * M, 32 * M], now: 33 * M, outcome: exit(1), want: { action: 'fail', delayMs: 0, reason: EXCEEDED } },
  { name: 'attempts 0: failure does not restart', policy: none, outcome: exit(1), want: { action: 'fail', delayMs: 0, reason: REASON_NO_RESTARTS_ALLOWED } },
  { name: 'attempts 0: service exit 0 does not restart', policy: none, outcome: exit(0), want: { action: 'fail', delayMs: 0, reason: REASON_NO_RESTARTS_ALLOWED } },
  { name: 'attempts 0: batch success terminates', policy: none, jobType: 'batch', outcome: exit(0), want: { action: 'terminate', delayMs: 0, reason: REASON_NO_RESTARTS_ALLOWED } },
  { name: 'unrecoverable start error', outcome: { kind: 'startError', recoverable: false }, want: { action: 'fail', delayMs: 0, reason: REASON_UNRECOVERABLE_ERROR } },
  { name: 'recoverable start error restarts', outcome: { kind: 'startError', recoverable: true }, want: { action: 'restart', delayMs: 16_875, reason: REASON_WITHIN_POLICY } },
  { name: 'recoverable start errors count as attempts', history: [1000, 2000], now: 3000, outcome: { kind: 'startError', recoverable: true }, want: { action: 'fail', delayMs: 0, reason: EXCEEDED } },
  { name: 'killed is never restarted', history: [1000, 2000], outcome: { kind: 'killed' }, want: { action: 'killed', delayMs: 0, reason: '' } },
  { name: 'requested restart is immediate, even past the policy', history: [1000, 2000], now: 3000, outcome: { kind: 'restartRequested' }, want: { action: 'restart', delayMs: 0, reason: '' } },
];

for (const r of rows) {
  test(`decideRestart: ${r.name}`, () => {
    const got = decideRestart({
      policy: r.policy ?? service,
      jobType: r.jobType ?? 'service',
      trackingSinceMs: 0,
      restartTimes: r.history ?? [],
      outcome: r.outcome,
      now: r.now ?? 1000,
      rand: () => r.rand ?? 0.5,
    });
    assert.deepEqual(got, r.want);
  });
}
