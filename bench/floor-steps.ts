/**
 * The floor of "job file dropped → task running" on this machine: the steps the guarantees
 * require, done bare and in sequence from this process, with the product's own functions.
 *
 *   watch          rename a job file into a watched dir, receive its fs.watch event
 *   warm           start keeping cgroup migrations cheap (as the agent's spawner does on the event)
 *   parse          read it, sha256 its bytes, parse it with the agent's parser entry point
 *                  (jobspec's parseJobFile, as agent/run.ts hands it to the agent), hash it
 *   commitBefore   one WAL commit (state/db.ts's openState: synchronous=NORMAL) of what the
 *                  agent writes before a start: the job version, the allocation and its
 *                  pending task state, Received and Task Setup, the start intent
 *   allocTree … join   bench/task-layout.ts: the tree, the cgroups, the shim spawned, joined, released
 *   commitStarted  one WAL commit of the handle, the running state and the Started event
 *
 * The agent does the same work in more commits (registration, placement, intent, Started) and
 * overlaps some of it (the spawner makes the cgroup directories while it forks); the floor
 * does each step once, so "agent / floor" is what the agent's structure costs and "floor /
 * bare spawn" is what the guarantees cost.
 */
import { createHash, randomUUID } from 'node:crypto';
import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { canonicalHash, parseJobFile } from '../src/jobspec/index.js';
import { appendTaskEvent, insertAlloc, markRunning, markStarting, openState, putJobVersion, tx, type Database } from '../src/state/index.js';
import { dropStaged, stageJobs } from './agent-common.js';
import { createTaskLayout, laps, type TaskLayout } from './task-layout.js';

export const FLOOR_STEPS = ['watch', 'warm', 'parse', 'commitBefore', 'allocTree', 'cgroups', 'spawn', 'join', 'commitStarted'] as const;
export type FloorStep = (typeof FLOOR_STEPS)[number];

export interface FloorSample {
  readonly totalMs: number;
  readonly steps: Readonly<Record<FloorStep, number>>;
}

export interface DropFloor {
  readonly containmentOff: string;
  /** One drop of staged job `id` through every step; its task is stopped and its cgroups removed after the timing. */
  run(id: string): Promise<FloorSample>;
  close(): Promise<void>;
}

/**
 * How long a job file event keeps cgroup migrations warm: the agent's (agent/run.ts, 150 ms)
 * would reach into the next measured agent drop, so the floor warms for a start's length
 * and waits it out after the timing.
 */
const WARM_MS = 30;

/** Stages `ids` (sleepJob files, as the agent's drops) in a watched dir of its own, and opens its own state file. */
export async function createDropFloor(ids: readonly string[], opts: { readonly warm: boolean } = { warm: true }): Promise<DropFloor> {
  const layout: TaskLayout = createTaskLayout('bivouac-bench-floor-');
  const jobsDir = join(layout.dataDir, '..', 'jobs');
  stageJobs(jobsDir, ids);
  const db: Database = openState(join(layout.dataDir, 'state.db'));
  const waiting = new Map<string, () => void>();
  const watcher: FSWatcher = watch(jobsDir, (_event, name) => {
    const key = name === null ? '' : name.toString();
    const w = waiting.get(key);
    if (w) {
      waiting.delete(key);
      w();
    }
  });
  // The parser loads once (the agent's is loaded before its first file too); not a file's time.
  const first = join(jobsDir, '.staging', `${ids[0]}.nomad`);
  await parseJobFile(first, readFileSync(first, 'utf8'));

  return {
    containmentOff: layout.containmentOff,
    async run(id) {
      await layout.sparesReady();
      const name = `${id}.nomad`;
      const file = join(jobsDir, name);
      const seen = new Promise<void>((resolve) => waiting.set(name, resolve));
      const { lap, times, total } = laps();
      dropStaged(jobsDir, id);
      await seen;
      lap('watch');
      // The agent's spawner does this in its own process; here it is this thread's time.
      if (opts.warm) layout.warm(WARM_MS);
      lap('warm');
      const text = readFileSync(file, 'utf8');
      const sha = createHash('sha256').update(text).digest('hex');
      const parsed = await parseJobFile(file, text);
      const job = parsed.job;
      if (job === null) throw new Error(`${file} does not parse: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
      const hash = canonicalHash(job);
      lap('parse');
      const group = job.groups[0];
      const task = group.tasks[0];
      const allocId = randomUUID();
      const attempt = tx(db, () => {
        const now = Date.now();
        const { version } = putJobVersion(db, job, hash, file, now, sha);
        insertAlloc(db, {
          id: allocId,
          jobId: job.id,
          jobVersion: version,
          taskGroup: group.name,
          index: 0,
          name: `${job.id}.${group.name}[0]`,
          resources: { cpu: task.resources.cpu, memoryMB: task.resources.memoryMB, diskMB: group.ephemeralDisk.sizeMB },
          ports: [],
          tasks: group.tasks.map((t) => ({ name: t.name, driver: t.driver })),
        }, now);
        appendTaskEvent(db, allocId, task.name, now, 'Received', 'Task received by client');
        appendTaskEvent(db, allocId, task.name, now, 'Task Setup', 'Building Task Directory');
        return markStarting(db, allocId, task.name);
      });
      lap('commitBefore');
      const started = await layout.start(allocId, task.name, lap);
      tx(db, () => {
        const now = Date.now();
        markRunning(db, allocId, task.name, attempt, task.driver, { pid: started.pid, startTime: started.startTime, cgroup: started.cgroup }, now);
        appendTaskEvent(db, allocId, task.name, now, 'Started', 'Task started by client');
      });
      lap('commitStarted');
      const sample: FloorSample = { totalMs: total(), steps: times as Record<FloorStep, number> };
      await layout.stop(started);
      if (opts.warm) await new Promise((r) => setTimeout(r, WARM_MS));
      return sample;
    },
    async close() {
      watcher.close();
      db.close();
      await layout.close();
    },
  };
}
