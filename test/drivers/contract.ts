/**
 * The driver contract (STYLE §1): one suite every driver passes before anything else, run
 * through the Driver interface only. A driver's test file supplies a factory and a way to
 * turn each scenario below into a TaskConfig that really behaves that way.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import type { Driver, TaskConfig, TaskHandle } from '../../src/drivers/types.js';
import { isBivouacError } from '../../src/util/errors.js';
import { makeTestDir } from '../helpers/paths.js';

/** What the task must do. Each driver maps these onto its own runtime. */
export type ContractScenario =
  /** Exit at once with `code`. */
  | { readonly kind: 'exit'; readonly code: number }
  /** Print "ready" to stdout, then run until stopped; the stop signal (SIGINT) ends it. */
  | { readonly kind: 'sleep' }
  /** Ignore SIGINT and SIGTERM, then print "ready"; only SIGKILL ends it. */
  | { readonly kind: 'ignoreSignals' }
  /** Run until the file `path` exists, then exit with `code`. */
  | { readonly kind: 'exitOnFile'; readonly path: string; readonly code: number };

/** `root` is a fresh temp dir for this task; `id` is unique within the run. */
export type MakeTaskConfig = (scenario: ContractScenario, where: { readonly root: string; readonly id: string }) => TaskConfig;

/** Polls `cond` until true; the deadline only bounds how long a failing test takes. */
export async function waitFor(cond: () => boolean, what: string, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** True once the file at `path` exists and contains `text`. */
export function fileContains(path: string, text: string): boolean {
  try {
    return readFileSync(path, 'utf8').includes(text);
  } catch {
    // Not created yet: keep waiting.
    return false;
  }
}

export function makeTempDir(prefix: string): string {
  return makeTestDir(`bivouac-${prefix}-`);
}

export async function assertRejectsCode(p: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.ok(isBivouacError(e), `expected a BivouacError, got ${String(e)}`);
    assert.equal(e.code, code);
    return;
  }
  assert.fail(`expected a ${code} error`);
}

/** A TaskConfig whose dirs all sit in `where.root`, with a minimal PATH: enough for host drivers. */
export function hostTaskConfig(driverConfig: unknown, where: { readonly root: string; readonly id: string }, env: Record<string, string> = {}): TaskConfig {
  return {
    id: where.id,
    allocId: 'alloc-1',
    jobId: 'job',
    groupName: 'group',
    taskName: where.id,
    driverConfig,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...env },
    user: '',
    resources: { cpu: 100, memoryMB: 300, memoryMaxMB: 0 },
    ports: [],
    dirs: {
      allocDir: where.root,
      taskDir: where.root,
      localDir: where.root,
      secretsDir: where.root,
      tmpDir: where.root,
    },
    stdoutPath: join(where.root, 'stdout.0'),
    stderrPath: join(where.root, 'stderr.0'),
  };
}

export function runDriverContract(name: string, makeDriver: () => Driver, makeTaskConfig: MakeTaskConfig): void {
  describe(`driver contract: ${name}`, () => {
    const root = makeTempDir(`contract-${name}`);
    let seq = 0;
    // Every task started here is force-destroyed at the end, whatever the test outcome.
    const cleanups: Array<() => Promise<void>> = [];
    after(async () => {
      for (const c of cleanups) await c().catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    });

    const start = async (d: Driver, scenario: ContractScenario): Promise<{ cfg: TaskConfig; handle: TaskHandle }> => {
      const id = `task-${++seq}`;
      const dir = join(root, id);
      mkdirSync(dir, { recursive: true });
      const cfg = makeTaskConfig(scenario, { root: dir, id });
      const handle = await d.startTask(cfg);
      cleanups.push(() => d.destroyTask(handle.taskId, true));
      // A signal sent before the task has set itself up tests the race, not the driver.
      if (scenario.kind === 'sleep' || scenario.kind === 'ignoreSignals') {
        await waitFor(() => fileContains(cfg.stdoutPath, 'ready'), `${id} to be ready`);
      }
      return { cfg, handle };
    };

    test('fingerprint: detected and healthy', async () => {
      const fp = await makeDriver().fingerprint();
      assert.equal(fp.detected, true);
      assert.equal(fp.healthy, true);
    });

    for (const code of [0, 3]) {
      test(`start then wait gives exit code ${code}`, async () => {
        const d = makeDriver();
        const { handle } = await start(d, { kind: 'exit', code });
        assert.equal(handle.driver, d.name);
        const res = await d.waitTask(handle.taskId);
        assert.equal(res.exitCode, code);
        assert.equal(res.signal, 0);
        assert.equal(res.err, null);
        assert.equal(d.inspectTask(handle.taskId).state, 'exited');
        assert.deepEqual(d.inspectTask(handle.taskId).exitResult, res);
      });
    }

    test('inspect shows a running task, stop with its signal ends it', async () => {
      const d = makeDriver();
      const { handle } = await start(d, { kind: 'sleep' });
      assert.equal(d.inspectTask(handle.taskId).state, 'running');
      assert.equal(d.inspectTask(handle.taskId).exitResult, null);
      await d.stopTask(handle.taskId, 30_000, 'SIGINT');
      const res = await d.waitTask(handle.taskId);
      assert.equal(res.signal, 2);
      assert.equal(d.inspectTask(handle.taskId).state, 'exited');
    });

    test('stop escalates to SIGKILL when the task ignores the signal', async () => {
      const d = makeDriver();
      const { handle } = await start(d, { kind: 'ignoreSignals' });
      await d.stopTask(handle.taskId, 300, 'SIGINT');
      const res = await d.waitTask(handle.taskId);
      assert.equal(res.signal, 9);
    });

    test('wait rejects when its signal aborts, and the task keeps running', async () => {
      const d = makeDriver();
      const { handle } = await start(d, { kind: 'sleep' });
      const ac = new AbortController();
      const waiting = d.waitTask(handle.taskId, ac.signal);
      ac.abort();
      await assert.rejects(waiting);
      assert.equal(d.inspectTask(handle.taskId).state, 'running');
    });

    test('a fresh driver re-attaches to a running task from its handle', async () => {
      const first = makeDriver();
      const { handle } = await start(first, { kind: 'sleep' });
      const second = makeDriver();
      cleanups.push(() => second.destroyTask(handle.taskId, true));
      await second.recoverTask(handle);
      await second.recoverTask(handle); // idempotent
      assert.equal(second.inspectTask(handle.taskId).state, 'running');
      await second.stopTask(handle.taskId, 30_000, 'SIGINT');
      const res = await second.waitTask(handle.taskId);
      assert.equal(res.signal, 2);
    });

    test('a fresh driver learns the exit code of a task that exited while it was down', async () => {
      const first = makeDriver();
      const flag = join(root, `flag-${seq + 1}`);
      const { handle } = await start(first, { kind: 'exitOnFile', path: flag, code: 7 });
      writeFileSync(flag, '');
      // The old agent's view is used only to know the task is over before the new one looks.
      await first.waitTask(handle.taskId);
      const second = makeDriver();
      await second.recoverTask(handle);
      const res = await second.waitTask(handle.taskId);
      assert.equal(res.exitCode, 7);
      assert.equal(second.inspectTask(handle.taskId).state, 'exited');
    });

    test('destroy with force stops a running task and forgets it', async () => {
      const d = makeDriver();
      const { handle } = await start(d, { kind: 'ignoreSignals' });
      await d.destroyTask(handle.taskId, true);
      await assertRejectsCode(() => d.inspectTask(handle.taskId), 'TASK_NOT_FOUND');
      // The task really is gone: a fresh driver finds it exited, or (a driver that removes
      // what it ran on destroy, as rkt's `rkt rm` does) no longer finds it at all.
      const other = makeDriver();
      try {
        await other.recoverTask(handle);
      } catch (err) {
        assert.ok(isBivouacError(err) && err.code === 'TASK_NOT_FOUND', `recover after destroy: ${String(err)}`);
        return;
      }
      await other.waitTask(handle.taskId);
      assert.equal(other.inspectTask(handle.taskId).state, 'exited');
    });

    test('unknown task ids are TASK_NOT_FOUND', async () => {
      const d = makeDriver();
      await assertRejectsCode(() => d.inspectTask('nope'), 'TASK_NOT_FOUND');
      await assertRejectsCode(d.waitTask('nope'), 'TASK_NOT_FOUND');
      await assertRejectsCode(d.stopTask('nope', 1000, 'SIGINT'), 'TASK_NOT_FOUND');
    });
  });
}
