import { watch, type FSWatcher } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Driver } from '../drivers/types.js';
import type { NodeInfo } from '../node/types.js';
import type { Database, AllocRecord } from '../state/index.js';
import {
  listJobs,
  listCurrentSources,
  listLiveAllocIds,
  listBlockedJobIds,
  getAlloc,
  listAllocsToRecover,
  setNodeStatus,
  setAllocDesired,
  tx,
} from '../state/index.js';
import type { Clock, Rand } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { AllocRunner } from '../runner/alloc-runner.js';
import { sweepSecretsMounts } from '../runner/secrets-tmpfs.js';
import type { AgentConfig } from './config.js';
import { JobsSource, type JobParser, type JobSnapshot } from './jobs-source.js';
import { applySyncActions, planSync } from './apply-sync.js';
import { schedulePass } from './schedule.js';
import { LogRotationLoop } from './log-rotation.js';
import { JobCache } from './job-cache.js';
import { listeningPorts } from '../node/ports.js';
import { DueTimer } from './due-timer.js';
import { externalCommits, nextRescheduleDue } from '../state/index.js';
import { PeriodicLauncher } from './periodic.js';
import { collectChildren } from './children-gc.js';
import { LoopDelay } from './loop-delay.js';
import { availableParallelism } from 'node:os';
import { createStartSlots, type StartSlot } from '../runner/start-slots.js';
import { LiveAllocs } from './live-allocs.js';
import { createSpareAllocDirs, SPARE_ALLOC_DIRS, type SpareAllocDirs } from '../runner/spare-dirs.js';

/** Task starts under way at once, per core: see start-slots.ts and the README's benchmark notes. */
const STARTS_PER_CORE = 2;

/**
 * Named files one pass takes at most; the rest wait for the next pass. Registering and
 * placing jobs is one synchronous transaction per pass, so 1,000 files at once in one pass
 * held the event loop for hundreds of ms (measured with bench/event-loop).
 */
const FILES_PER_PASS = 64;

/**
 * Files registered and scheduled per transaction, with a turn of the event loop between:
 * 64 in one went 15–60 ms of synchronous work on a loaded machine.
 */
const CHUNK_JOBS = 16;

/** How often the event-loop delay is logged (debug): a window long enough to see a burst in. */
const LOOP_DELAY_LOG_MS = 60_000;

export interface AgentDeps {
  readonly config: AgentConfig;
  readonly db: Database;
  readonly log: Logger;
  readonly clock: Clock;
  readonly rand: Rand;
  readonly drivers: ReadonlyMap<string, Driver>;
  readonly parser: JobParser;
  readonly hostEnv: Readonly<Record<string, string>>;
  /** Fingerprints host and drivers and writes the node row; returns the node. */
  readonly fingerprint: () => Promise<NodeInfo>;
  readonly killOrphans: (marker: string) => Promise<number>;
  /** Makes allocation IDs; injectable so tests can predict them. */
  readonly newId?: () => string;
  /** Told of a change in the jobs directory, before its pass: task starts may follow (the spawner warms up). */
  readonly onJobsEvent?: () => void;
  /** Told each pass's duration and its transaction's, in seconds (the API's metrics). */
  readonly onPass?: (seconds: number, txSeconds: number) => void;
}

/**
 * The reconciler (DESIGN.md): each pass compares the job files with the database and the
 * database with the running allocations, and takes the next step. Passes never overlap;
 * a request during a pass runs one more pass after it.
 */
export class Agent {
  private readonly source: JobsSource;
  private readonly runners = new Map<string, AllocRunner>();
  private node: NodeInfo | null = null;
  private watcher: FSWatcher | null = null;
  private timers: NodeJS.Timeout[] = [];
  private debounce: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly rotation: LogRotationLoop;
  private readonly jobs: JobCache;
  private readonly due: DueTimer;
  private readonly periodic: PeriodicLauncher;
  private lastGc = 0;
  private lastPhases: Readonly<Record<string, number>> = {};
  /** Whether the last pass listed the whole jobs directory (not only the files events named). */
  private lastFull = false;
  /**
   * Job file names fs.watch reported since the last pass began; the next pass looks at
   * only these (JobsSource.list). `full`: some other cause asked for the pass, or an event
   * named no file, so the next pass lists the whole directory.
   */
  private changedFiles = new Set<string>();
  private fullScan = true;
  /** Allocations that finished since the last pass began: the next pass reconciles their jobs. */
  private endedAllocs = new Set<string>();
  /** The resources in use, for targeted passes (live-allocs.ts); full passes reload it. */
  private readonly live = new LiveAllocs();
  /** The next periodic launch as last computed: re-read by full passes, due times, and passes touching a periodic job. */
  private nextLaunch: number | null = null;
  private readonly startSlot: StartSlot = createStartSlots(STARTS_PER_CORE * availableParallelism());
  /** Allocation trees made ahead of need (runner/spare-dirs.ts), from start() on. */
  private spareDirs: SpareAllocDirs | null = null;
  /** The agent's event-loop delay, for the metrics and the periodic debug line. */
  readonly loopDelay = new LoopDelay();
  /** Resolves after each completed pass; tests and benchmarks wait on it. */
  passes = 0;
  /** Callers of nextPass(), told when a pass that started after their call has finished. */
  private passWaiters: (() => void)[] = [];

  constructor(private readonly deps: AgentDeps) {
    this.source = new JobsSource(deps.config.jobsDir, deps.parser, deps.log.child({ component: 'jobs-source' }));
    this.jobs = new JobCache(deps.db);
    this.due = new DueTimer(() => deps.clock.now(), () => this.onDue());
    this.periodic = new PeriodicLauncher(this.jobs, deps.log.child({ component: 'periodic' }));
    this.rotation = new LogRotationLoop(deps.db, this.jobs, deps.config.dataDir, deps.log.child({ component: 'logs' }));
  }

  /** Recovers what the database says is running, then starts watching the jobs directory. */
  async start(): Promise<void> {
    const { log, db, clock } = this.deps;
    this.node = await this.deps.fingerprint();
    this.spareDirs = createSpareAllocDirs({ dataDir: this.deps.config.dataDir, size: SPARE_ALLOC_DIRS, log: log.child({ component: 'spare-dirs' }) });
    log.info({ nodeId: this.node.id, drivers: Object.values(this.node.drivers).map((d) => `${d.name}:${d.healthState}`) }, 'node fingerprinted');
    this.recover();
    await sweepSecretsMounts(db, this.deps.config.dataDir, log);
    this.source.prime(listCurrentSources(db).map((s) => ({ file: s.file, sha: s.sha, job: s.job, hash: s.hash })));
    setNodeStatus(db, 'ready', clock.now());
    this.armWatcher();
    this.timers.push(setInterval(() => this.requestPass(), this.deps.config.rescanIntervalMs));
    this.timers.push(setInterval(() => void this.refreshFingerprint(), 30_000));
    this.timers.push(setInterval(() => this.rotation.tick(), 2_000));
    this.loopDelay.take('log');
    this.timers.push(setInterval(() => log.debug(this.loopDelay.take('log'), 'event loop delay'), LOOP_DELAY_LOG_MS));
    // Rows another process wrote (a dispatch, a forced periodic launch) ask for a pass.
    let commits = externalCommits(db);
    this.timers.push(setInterval(() => {
      const c = externalCommits(db);
      if (c !== commits) this.requestPass();
      commits = c;
    }, 250));
    await this.pass();
  }

  /** Re-attaches to every allocation the database says is not finished. */
  private recover(): void {
    const live = listAllocsToRecover(this.deps.db);
    for (const alloc of live) this.ensureRunner(alloc);
    this.deps.log.info({ allocs: live.length }, 'recovered allocations');
  }

  /**
   * A due time came: periodic children are registered at once, in their own small
   * transaction, so the launch time does not wait for a whole pass; the pass then places them.
   */
  private onDue(): void {
    if (this.stopped) return;
    const { db, clock, log } = this.deps;
    try {
      tx(db, () => this.periodic.launch(db, clock.now(), false));
    } catch (err) {
      log.error({ err }, 'periodic launch failed; the next pass retries it');
    }
    // Re-armed now, not after the pass: a pass slower than the spec's period must not delay the next launch.
    this.armDue(clock.now(), true);
    this.requestPass();
  }

  /** `relaunch`: read every periodic job's next launch again (else the last one read stands). */
  private armDue(now: number, relaunch: boolean): void {
    const resched = nextRescheduleDue(this.deps.db);
    if (relaunch) this.nextLaunch = this.periodic.nextLaunch(this.deps.db, now);
    const launch = this.nextLaunch;
    const times = [resched !== null && resched > now ? resched : null, launch].filter((t): t is number => t !== null);
    this.due.arm(times.length === 0 ? null : Math.min(...times));
  }

  /**
   * Asks for a pass soon; bursts of requests coalesce into one. `file`: a job file an
   * fs.watch event named, the only one the pass needs to look at for it; without it the
   * pass lists the whole jobs directory (the rescan, and every other cause).
   */
  requestPass(delayMs = 0, file?: string | null): void {
    if (this.stopped) return;
    this.loopDelay.busy();
    if (file === undefined) this.fullScan = true;
    else if (file !== null) this.changedFiles.add(file);
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      void this.pass();
    }, delayMs);
  }

  /**
   * An allocation finished (its runner says so): a pass soon reconciles its job (a
   * replacement, a reschedule) and the jobs waiting for room, without listing the jobs
   * directory or reading every job.
   */
  requestAllocPass(allocId: string): void {
    if (this.stopped) return;
    this.endedAllocs.add(allocId);
    this.requestPass(0, null);
  }

  /** Runs one pass, or queues one more behind the pass under way. */
  pass(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          const waiting = this.passWaiters.splice(0);
          const started = Date.now();
          try {
            await this.passOnce();
          } catch (err) {
            // A pass is all-or-nothing (one transaction) and the next pass starts over from
            // the rows, so a failed pass is logged and retried rather than fatal. The retry is
            // a full pass: what was rolled back is read again, resources in use included.
            this.live.invalidate();
            this.deps.log.error({ err }, 'reconcile pass failed; retrying on the next one');
            this.requestPass(1000);
          }
          this.passes++;
          for (const w of waiting) w();
          // `started` (wall clock) and `full`: a reader of the log can tell a pass that listed
          // the whole directory after a moment of its own from one that ended before it but was
          // read late, or that looked only at the files whose events had arrived.
          this.deps.log.debug({ pass: this.passes, started, full: this.lastFull, ...this.lastPhases }, 'pass complete');
        } while (this.again && !this.stopped);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async passOnce(): Promise<void> {
    const { db, log, clock } = this.deps;
    const passStart = performance.now();
    // Taken now: events during this pass are for the next one.
    let changed: Set<string> | null = null;
    // Never listed whole (the first listing failed): this pass lists, and so plans, everything.
    if (!this.fullScan && this.source.listedWhole) {
      const names = [...this.changedFiles];
      // Only new files wait: a change or removal of a known file goes with this pass, so a
      // rename's two names are never split (the job would stop, then start again).
      const split = names.length > FILES_PER_PASS && names.every((n) => !this.source.knows(n));
      changed = new Set(split ? names.slice(0, FILES_PER_PASS) : names);
      this.changedFiles = new Set(split ? names.slice(FILES_PER_PASS) : []);
      // The rest get the next pass, at once.
      if (this.changedFiles.size > 0) this.again = true;
    } else this.changedFiles = new Set();
    this.lastFull = changed === null;
    this.fullScan = false;
    const ended = this.endedAllocs;
    this.endedAllocs = new Set();
    let snap: JobSnapshot | null = null;
    // A pass only for allocations that finished has no file to look at.
    if (changed === null || changed.size > 0) {
      try {
        snap = await this.source.list(changed);
      } catch (err) {
        this.fullScan = true;
        throw err;
      }
      if (this.stopped) return;
    }
    const listed = performance.now();
    const phases = { syncMs: 0, scheduleMs: 0, runnersMs: 0 };
    const timed = <T>(phase: keyof typeof phases, fn: () => T): T => {
      const t = performance.now();
      try {
        return fn();
      } finally {
        phases[phase] += performance.now() - t;
      }
    };
    // Targeted (changed !== null): the jobs the named files registered or stopped, the jobs
    // of finished allocations, and the jobs waiting for room (a stop may have made some).
    // Full: every other pass, the periodic rescan among them, reconciles every job at the end
    // (the safety net). Either way the listing's files are registered, and their jobs
    // scheduled, in chunks of CHUNK_JOBS, each in transactions of its own with a turn of the
    // event loop between, so a burst of files never holds the loop for long.
    const looked = new Set<string>(changed === null ? [] : listBlockedJobIds(db));
    if (changed !== null) {
      for (const id of ended) {
        const a = getAlloc(db, id);
        if (a) looked.add(a.jobId);
      }
    }
    const listing = snap;
    const plan = listing === null ? null : timed('syncMs', () => planSync(db, listing, changed));
    const actions = plan?.actions ?? [];
    // The longest run of the pass's own work without a turn of the loop (from the listing's
    // last await, or a yield, to the next yield), for the debug line.
    let stretchFrom = listed;
    let longest = 0;
    const yieldLoop = async (): Promise<void> => {
      longest = Math.max(longest, performance.now() - stretchFrom);
      await new Promise((resolve) => setImmediate(resolve));
      stretchFrom = performance.now();
    };
    for (let i = 0; i === 0 || i < actions.length; i += CHUNK_JOBS) {
      if (i > 0) {
        await yieldLoop();
        if (this.stopped) return;
      }
      const last = i + CHUNK_JOBS >= actions.length;
      const chunk = actions.slice(i, i + CHUNK_JOBS);
      const scope = timed('syncMs', () => applySyncActions(db, chunk, clock.now(), log, last && listing?.complete === true ? plan : null));
      if (i === 0) for (const id of looked) scope.add(id);
      for (const id of scope) looked.add(id);
      if (scope.size > 0) this.schedule(scope, timed);
    }
    if (changed === null) {
      if (actions.length > 0) await yieldLoop();
      if (this.stopped) return;
      this.schedule(null, timed);
    }
    longest = Math.max(longest, performance.now() - stretchFrom);
    this.deps.onPass?.((performance.now() - passStart) / 1000, phases.scheduleMs / 1000);
    // Where a pass's time goes (the 'pass complete' debug line): listing and parsing the
    // files, registering jobs, the scheduling transactions, handing allocations to runners;
    // `jobs`: how many a targeted pass reconciled (-1: every job); `longestMs`: see above.
    this.lastPhases = { listMs: ms(listed - passStart), syncMs: ms(phases.syncMs), scheduleMs: ms(phases.scheduleMs), runnersMs: ms(phases.runnersMs), jobs: changed === null ? -1 : looked.size, longestMs: ms(longest) };
    // A due time already past was acted on in this pass (or could not be placed, which the rescan retries).
    this.armDue(clock.now(), changed === null || this.periodic.anyPeriodic(db, looked));
    const now = clock.now();
    // At most every few seconds: with many children it reads every parent's list.
    if (now - this.lastGc >= 5_000) {
      this.lastGc = now;
      await collectChildren(db, this.deps.config.dataDir, this.deps.config.childrenHistory, log.child({ component: 'gc' }));
    }
  }

  /** One scheduling transaction (of `scope`'s jobs, or of every job), then runners for what it placed and kills for what it stopped. */
  private schedule(scope: ReadonlySet<string> | null, timed: <T>(phase: 'scheduleMs' | 'runnersMs', fn: () => T) => T): void {
    const { db, log, clock } = this.deps;
    const node = this.node;
    if (!node) return;
    const now = clock.now();
    const actions = timed('scheduleMs', () =>
      tx(db, () => {
        this.periodic.launch(db, now, this.passes === 0, new Set(), scope);
        return schedulePass({ db, jobs: this.jobs, node, now, rand: this.deps.rand, newId: this.deps.newId ?? randomUUID, log, hostPorts: () => listeningPorts('/proc'), live: this.live, scope });
      }),
    );
    timed('runnersMs', () => {
      for (const a of actions.stop) this.runners.get(a.allocId)?.kill(a.reason);
      for (const id of actions.liveIds ?? listLiveAllocIds(db)) {
        if (this.runners.has(id)) continue;
        const alloc = getAlloc(db, id);
        if (alloc) this.ensureRunner(alloc);
      }
    });
  }

  private ensureRunner(alloc: AllocRecord): void {
    if (this.runners.has(alloc.id) || this.stopped) return;
    const job = this.jobs.get(alloc.jobId, alloc.jobVersion);
    const group = job?.groups.find((g) => g.name === alloc.taskGroup);
    if (!job || !group) {
      this.deps.log.error({ allocId: alloc.id }, 'allocation has no job version or group; left alone');
      return;
    }
    const runner = new AllocRunner(alloc, job, group, {
      db: this.deps.db,
      drivers: this.deps.drivers,
      node: () => this.node as NodeInfo,
      dataDir: this.deps.config.dataDir,
      hostEnv: this.deps.hostEnv,
      clock: this.deps.clock,
      rand: this.deps.rand,
      log: this.deps.log.child({ component: 'runner' }),
      killOrphans: this.deps.killOrphans,
      hookSettings: { artifact: this.deps.config.artifact, templatePollMs: this.deps.config.rescanIntervalMs },
      startSlot: this.startSlot,
      ...(this.spareDirs ? { spareDirs: this.spareDirs } : {}),
      onAllocChange: (allocId) => this.requestAllocPass(allocId),
    });
    this.runners.set(alloc.id, runner);
    if (alloc.desiredStatus !== 'run') runner.kill(alloc.desiredDescription || 'alloc is being stopped');
    // Finished, yet a task is left over (the agent died while stopping it): finish the stop.
    else if (alloc.clientStatus === 'failed' || alloc.clientStatus === 'complete') runner.kill('allocation has already finished');
    void runner.start().finally(() => {
      if (this.runners.get(alloc.id) === runner) this.runners.delete(alloc.id);
    });
  }

  private armWatcher(rearm = false): void {
    try {
      // No debounce beyond the next turn of the loop: a burst of events (an editor's save)
      // still coalesces into one pass, plus one more if it lands mid-pass, and a half-written
      // file is never cached, so its last write's event reads it whole. Measured: a 5 ms
      // debounce was a quarter of a drop's p50.
      this.watcher = watch(this.deps.config.jobsDir, { persistent: false }, (_event, name) => {
        this.deps.onJobsEvent?.();
        // No name (the kernel's queue overflowed, say): the whole directory is listed.
        this.requestPass(0, typeof name === 'string' && name !== '' ? name : undefined);
      });
      this.watcher.on('error', (err) => {
        this.deps.log.warn({ err }, 'jobs directory watch failed; relying on the periodic rescan until it can be re-armed');
        this.watcher?.close();
        this.watcher = null;
        setTimeout(() => !this.stopped && this.armWatcher(true), 1000).unref();
      });
    } catch (err) {
      this.deps.log.warn({ err, dir: this.deps.config.jobsDir }, 'cannot watch the jobs directory; the periodic rescan will pick up changes');
      setTimeout(() => !this.stopped && this.armWatcher(true), 5000).unref();
      return;
    }
    // Events may have been missed while no watch was armed: the whole directory is listed.
    if (rearm) this.requestPass();
  }

  private async refreshFingerprint(): Promise<void> {
    try {
      this.node = await this.deps.fingerprint();
      this.requestPass();
    } catch (err) {
      this.deps.log.error({ err }, 'fingerprint refresh failed; keeping the last one');
    }
  }

  /** Stops watching and lets go of the tasks, which keep running for the next agent. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.loopDelay.stop();
    if (this.debounce) clearTimeout(this.debounce);
    this.due.disarm();
    this.watcher?.close();
    this.rotation.close();
    await this.running;
    for (const w of this.passWaiters.splice(0)) w();
    for (const r of this.runners.values()) r.detach();
    await Promise.allSettled([...this.runners.values()].map((r) => r.wait()));
    await this.spareDirs?.close();
    setNodeStatus(this.deps.db, 'down', this.deps.clock.now());
  }

  /** Resolves once a pass that starts after this call has finished (the API's writes wait on it). */
  nextPass(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.passWaiters.push(resolve);
      this.requestPass();
    });
  }

  /** The node as last fingerprinted. */
  currentNode(): NodeInfo | null {
    return this.node;
  }

  /** `alloc stop`: the allocation is stopped now and the next pass places its replacement, as Nomad migrates it. */
  stopAlloc(allocId: string): void {
    const reason = 'alloc is being migrated';
    setAllocDesired(this.deps.db, allocId, 'stop', reason, this.deps.clock.now());
    this.runners.get(allocId)?.kill(reason);
    this.requestPass();
  }

  /** The allocation's runner, for `alloc restart` and `alloc signal`; null when it runs nothing. */
  runnerOf(allocId: string): AllocRunner | null {
    return this.runners.get(allocId) ?? null;
  }

  /** Jobs known to the database, for logs and tests. */
  jobCount(): number {
    return listJobs(this.deps.db).length;
  }
}

function ms(x: number): number {
  return Math.round(x * 100) / 100;
}
