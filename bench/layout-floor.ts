/**
 * The second floor of bench/thousand-jobs.ts: the bare spawn loop plus the per-allocation
 * work the task layout requires (bench/task-layout.ts), from this process alone, or split
 * over small worker processes (bench/layout-worker.ts) to use both cores.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTaskLayout, startBurst } from './task-layout.js';

/** `count` tasks started in one loop from this process; the wall time and each step's sum. Everything is stopped and removed after. */
export async function layoutLoop(count: number): Promise<{ readonly wallMs: number; readonly stepsMs: Readonly<Record<string, number>> }> {
  const layout = createTaskLayout('bivouac-bench-1k-layout-');
  try {
    await layout.sparesReady();
    return await startBurst(layout, count, 'loop');
  } finally {
    await layout.close();
  }
}

type WorkerMessage = { readonly ready: true } | { readonly doneMs: number } | { readonly stopped: true } | { readonly error: string };

/** The next message carrying `key`; rejects on a worker's error report, its exit, or after `timeoutMs`. */
function next(w: ChildProcess, key: 'ready' | 'doneMs' | 'stopped', timeoutMs: number): Promise<WorkerMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`layout worker ${w.pid}: no "${key}" after ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: WorkerMessage): void => {
      if ('error' in m) done(new Error(`layout worker ${w.pid}: ${m.error}`));
      else if (key in m) done(null, m);
    };
    const onExit = (): void => done(new Error(`layout worker ${w.pid} exited before "${key}"`));
    const done = (err: Error | null, m?: WorkerMessage): void => {
      clearTimeout(timer);
      w.off('message', onMessage);
      w.off('exit', onExit);
      if (err) reject(err);
      else resolve(m as WorkerMessage);
    };
    w.on('message', onMessage);
    w.once('exit', onExit);
  });
}

/**
 * `count` tasks split over `workers` processes that start together: the wall time from the
 * go to the last worker's last release. Each worker stops and removes its own tasks after.
 */
export async function layoutOnWorkers(count: number, workers: number, timeoutMs: number): Promise<number> {
  const file = fileURLToPath(new URL('./layout-worker.js', import.meta.url));
  const ws = Array.from({ length: workers }, () => fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const exited = ws.map((w) => (w.exitCode !== null ? Promise.resolve() : new Promise((r) => w.once('exit', r))));
  try {
    await Promise.all(ws.map((w) => next(w, 'ready', timeoutMs)));
    const t0 = performance.now();
    ws.forEach((w, i) => w.send({ go: Math.floor(count / workers) + (i < count % workers ? 1 : 0) }));
    await Promise.all(ws.map((w) => next(w, 'doneMs', timeoutMs)));
    return performance.now() - t0;
  } finally {
    const stopped = ws.map((w) => (w.connected ? next(w, 'stopped', timeoutMs).catch(() => undefined) : Promise.resolve()));
    for (const w of ws) if (w.connected) w.send({ stop: true });
    await Promise.all(stopped);
    // Only a worker stuck past the bound gets here: killed by its pid (its tasks, if any, stay: find them under bivouac-bench-<its pid>).
    for (const w of ws) if (w.exitCode === null && w.signalCode === null && w.pid !== undefined) w.kill('SIGKILL');
    await Promise.all(exited);
  }
}
