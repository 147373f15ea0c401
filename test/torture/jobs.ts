/**
 * The job files the torture harness churns through: every kind of task life the agent must
 * survive a crash in (long-running, clean exit, crash, crash loop), several allocations per
 * job, and files that stop parsing.
 */
import type { Rng } from './rng.js';

export type TaskKind = 'long' | 'exit0' | 'crash' | 'loop' | 'exec';
export const TASK_KINDS: readonly TaskKind[] = ['long', 'exit0', 'crash', 'loop', 'exec'];

export interface JobSpec {
  readonly id: string;
  readonly kind: TaskKind;
  readonly count: number;
  /** Changes to this value are destructive updates (new version, new allocations). */
  readonly mark: number;
  /** Two tasks in the group instead of one. */
  readonly pair: boolean;
}

function script(kind: TaskKind): string {
  switch (kind) {
    case 'long':
      return 'exec sleep 600';
    case 'exit0':
      return 'sleep 0.2; exit 0';
    case 'crash':
      return 'sleep 0.1; echo crash >&2; exit 1';
    case 'loop':
      return 'sleep 0.5; exit 1';
    case 'exec':
      // Long-running in the exec driver's namespaces and chroot. It is pid 1 there, which
      // gets only the signals it handles: it handles the stop, and its child goes with it.
      return "trap 'exit 0' INT TERM; sleep 600 & wait";
  }
}

function restart(kind: TaskKind): string {
  // `loop` restarts for ever (mode delay), `crash` gives up after one retry.
  if (kind === 'loop') return 'restart {\n      attempts = 2\n      interval = "3s"\n      delay = "250ms"\n      mode = "delay"\n    }';
  return 'restart {\n      attempts = 1\n      interval = "10m"\n      delay = "100ms"\n      mode = "fail"\n    }';
}

/** The second task of a pair: long-running, and slow to die (it takes half a second over SIGTERM). */
const STUBBORN = 'trap "sleep 0.5; exit 0" TERM; while :; do sleep 1; done';

function task(name: string, body: string, mark: number, driver = 'raw_exec'): string {
  return `    task "${name}" {
      driver = "${driver}"
      kill_timeout = "1s"
      config {
        command = "/bin/sh"
        args = ["-c", ${JSON.stringify(body)}]
      }
      env {
        MARK = "${mark}"
      }
      resources {
        cpu = 10
        memory = 16
      }
    }
`;
}

export function renderJob(j: JobSpec): string {
  const type = j.kind === 'exit0' || j.kind === 'crash' ? 'batch' : 'service';
  return `job "${j.id}" {
  type = "${type}"
  group "g" {
    count = ${j.count}
    ${restart(j.kind)}
${task('t', script(j.kind), j.mark, j.kind === 'exec' ? 'exec' : 'raw_exec')}${j.pair ? task('u', STUBBORN, j.mark) : ''}  }
}
`;
}

/** Malformed in one of a few ways: syntax, a bad value, a missing driver. */
export function renderBroken(id: string, rng: Rng): string {
  return rng.pick([
    `job "${id}" {\n  group "g" {\n    count = \n}\n`,
    `job "${id}" {\n  group "g" {\n    count = -3\n    task "t" {\n      driver = "raw_exec"\n      config { command = "/bin/true" }\n    }\n  }\n}\n`,
    `job "${id}" {\n  group "g" {\n    task "t" {\n      config { command = "/bin/true" }\n    }\n  }\n}\n`,
    `job "${id}" {`,
  ]);
}

export function randomJob(id: string, rng: Rng, mark: number): JobSpec {
  const kind = rng.pick(TASK_KINDS);
  return { id, kind, count: rng.pick([1, 1, 2]), mark, pair: rng.chance(0.25) };
}
