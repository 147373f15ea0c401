/**
 * The rkt driver: trust, `rkt prepare` (stdout = pod UUID), then `rkt run-prepared` as the
 * supervised long-running process, the way Nomad ≥ 0.7 did (reference/rkt.md §3.3). The
 * task map is a cache; `recoverTask` rebuilds an entry from the stored handle.
 */
import { realpathSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyLimits, destroyCgroup, killAll, limitsFor, type CgroupManager, type TaskCgroup } from '../../cgroups/index.js';
import { EXIT_FILE_NAME } from '../exit-shim.js';
import { spawnShim } from '../shim-spawn.js';
import { createSpawner, type Spawner } from '../spawner/client.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { BivouacError, TaskNotFoundError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import { processGroupMembers, readBootId, signalNumber } from '../proc.js';
import type { Capabilities, Driver, FingerprintResult, TaskConfig, TaskHandle, TaskResourceSample, TaskStatus } from '../types.js';
import { sampleTask } from '../proc-stats.js';
import { buildPrepareArgs, buildRunPreparedArgs, buildTrustArgs, NOBODY_ID, podUser, volumeSource } from './args.js';
import { handDirsTo } from '../users.js';
import { decodeRktConfig } from './config.js';
import { createRktCaller, describeFailure, type RktCaller } from './exec.js';
import { fingerprintRkt } from './fingerprint.js';
import { RktTask, exitFromCode } from './handle.js';
import { RKT_HANDLE_VERSION, decodeState, encodeState } from './state.js';
import { createPodRemover, type PodRemovalStore } from './removal.js';
import { parsePodStatus, podFinished } from './status.js';
import { DEFAULT_MIN_VERSION } from './version.js';

export const RKT = 'rkt';

export interface RktDriverDeps {
  readonly log: Logger;
  readonly isRoot: () => boolean;
  /** Default "rkt", found on PATH. */
  readonly rktPath?: string;
  /** `--dir` for every rkt call; default none (rkt's /var/lib/rkt). */
  readonly rktDir?: string;
  readonly minVersion?: string;
  readonly volumesEnabled?: boolean;
  readonly clock?: Clock;
  /** Bound on each short rkt call (version, trust, prepare, status, stop, rm). */
  readonly execTimeoutMs?: number;
  /** How often a re-attached pod is checked. */
  readonly pollIntervalMs?: number;
  readonly procRoot?: string;
  /**
   * Environment of `rkt run-prepared` (Nomad gave it the agent's env minus secrets, so rkt
   * finds iptables). Default: inherited from the agent, which cmd/ may filter.
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Task containment: the host-side shim running `rkt run-prepared` joins the pod's cgroup,
   * so a stage1 that runs apps as host processes (fly) has them in it too.
   */
  readonly cgroups?: CgroupManager | null;
  /** Starts task processes from a small helper; one of the driver's own when absent. */
  readonly spawner?: Spawner;
  /** Pods whose `rkt rm` failed, kept across agent restarts; absent, retries live in memory only. */
  readonly podRemovals?: PodRemovalStore | null;
  /** First delay before a failed `rkt rm` is retried (doubling); default 2 s. */
  readonly removalRetryMs?: number;
}

const CAPABILITIES: Capabilities = { sendSignals: true, exec: true, fsIsolation: 'image' };

export function createRktDriver(deps: RktDriverDeps): Driver {
  const log = deps.log.child({ component: 'driver', driver: RKT });
  let ownSpawner: Spawner | null = null;
  const spawner = (): Spawner => deps.spawner ?? (ownSpawner ??= createSpawner(log.child({ component: 'spawner' })));
  const timeoutMs = deps.execTimeoutMs ?? 60_000;
  const call: RktCaller = createRktCaller(deps.rktPath ?? 'rkt', timeoutMs);
  const rktDir = deps.rktDir ?? null;
  const dirArgs = rktDir === null ? [] : [`--dir=${rktDir}`];
  const procRoot = deps.procRoot ?? '/proc';
  const clock = deps.clock ?? systemClock;
  const minVersion = deps.minVersion ?? DEFAULT_MIN_VERSION;
  const volumesEnabled = deps.volumesEnabled ?? true;
  const tasks = new Map<string, RktTask>();
  const cgroups = deps.cgroups ?? null;
  // A cache of the last fingerprint's version; refilled on demand.
  let rktVersion: string | null = null;

  const get = (taskId: string): RktTask => {
    const t = tasks.get(taskId);
    if (!t) throw new TaskNotFoundError(taskId);
    return t;
  };

  const fingerprint = async (): Promise<FingerprintResult> => {
    const { result, version } = await fingerprintRkt(call, { isRoot: deps.isRoot(), minVersion, volumesEnabled, timeoutMs });
    if (version) rktVersion = version.rkt;
    return result;
  };

  /** Runs a short call; a failure becomes DRIVER_START with rkt's own message. */
  const must = async (sub: string, args: readonly string[], context: string): Promise<string> => {
    const r = await call(args);
    if (r.exitCode === 0) return r.stdout;
    const msg = `${context}: ${describeFailure(sub, r, timeoutMs)}`;
    log.warn({ sub, exitCode: r.exitCode, stderr: r.stderr }, context);
    // Bad flags will not fix themselves; a failed fetch or trust may (network, registry).
    const recoverable = !/error parsing app image arguments|^Error: /m.test(r.stderr);
    throw new BivouacError('DRIVER_START', msg, { recoverable });
  };

  /** What rkt recorded for the pod: 'running', an exit code, or null when it has none. */
  const podExit = async (uuid: string): Promise<number | null | 'running'> => {
    const r = await call([...dirArgs, 'status', '--format=json', uuid]);
    if (r.exitCode !== 0) throw new Error(describeFailure('status', r, timeoutMs));
    const st = parsePodStatus(r.stdout);
    if (st === null) throw new Error('rkt status printed no pod status');
    if (!podFinished(st.state)) return 'running';
    return st.exitCodes.length > 0 ? st.exitCodes[0] : null;
  };

  const remover = createPodRemover({ call, dirArgs, timeoutMs, log, store: deps.podRemovals ?? null, retryBaseMs: deps.removalRetryMs });
  // What an earlier agent could not remove is retried from the start.
  remover.resume();

  const taskDeps = { procRoot, pollIntervalMs: deps.pollIntervalMs ?? 500, log, podExit };

  const startTask = async (cfg: TaskConfig): Promise<TaskHandle> => {
    if (tasks.has(cfg.id)) throw new BivouacError('DRIVER_START', `task ${cfg.id} is already started`, { recoverable: false });
    const config = decodeRktConfig(cfg.driverConfig);
    if (rktVersion === null) await fingerprint();
    if (rktVersion === null) throw new BivouacError('DRIVER_START', 'rkt is not usable: rkt version failed', { recoverable: true });
    const prepareArgs = buildPrepareArgs(cfg, config, { rktVersion, volumesEnabled, rktDir });
    checkRelativeVolumes(cfg, config.volumes);
    // nobody must be able to write its own local/ and secrets/ inside the pod; a named user's
    // ids live in the image, unknown here, so its dirs stay the agent's (as in Nomad).
    if (podUser(cfg.user, config.group).defaulted) {
      handDirsTo([cfg.dirs.taskDir, cfg.dirs.localDir, cfg.dirs.secretsDir], NOBODY_ID, NOBODY_ID);
    }
    const runArgs = (uuid: string): readonly string[] => buildRunPreparedArgs(config, uuid, rktDir);
    runArgs('00000000-0000-0000-0000-000000000000'); // config errors (dns) before any side effect
    const trust = buildTrustArgs(config, rktDir);
    if (trust.length > 0) await must('trust', trust, 'Error running rkt trust');
    const uuid = (await must('prepare', prepareArgs, 'Error preparing rkt pod')).trim().split('\n').pop() ?? '';
    if (!/^[0-9a-f-]{36}$/.test(uuid)) throw new BivouacError('DRIVER_START', `Error preparing rkt pod: no pod UUID in ${JSON.stringify(uuid)}`);
    // rkt's exit status goes to the task dir through the shim, so it survives the agent with any stage1.
    const exitFile = join(cfg.dirs.taskDir, EXIT_FILE_NAME);
    rmSync(exitFile, { force: true });
    rmSync(`${exitFile}.tmp`, { force: true });
    const cgroup: TaskCgroup | null = cgroups ? await cgroups.create(cfg.allocId, cfg.taskName) : null;
    // rkt passes memory and CPU to the pod as isolators, which the fly stage1 ignores
    // (reference/rkt.md §8): the pod's cgroup gets the task's limits as exec's does, and an
    // OOM kill in it is read from it (handle.ts). What the cgroup holds besides the app: the
    // exit-status shim (a /bin/sh, under 1 MiB charged) and, until it execs the app, rkt
    // itself (fly execs stage0 → stage1 → app in one process, so nothing of rkt stays
    // resident). Nomad ≥ 0.8.2 capped the same way: its executor, rkt and the pod shared one
    // limited cgroup (§3.3).
    if (cgroup) applyLimits(cgroup, limitsFor(cfg.resources));
    let started;
    try {
      started = await spawnShim({
        what: 'rkt run-prepared',
        exitFile,
        command: deps.rktPath ?? 'rkt',
        args: runArgs(uuid),
        env: deps.env,
        stdoutPath: cfg.stdoutPath,
        stderrPath: cfg.stderrPath,
        cgroup,
        cgroups,
        procRoot,
        spawner: spawner(),
      });
    } catch (e) {
      if (cgroup) await destroyCgroup(cgroup);
      throw e;
    }
    const { child, pid } = started;
    const state = { uuid, pid, startTime: started.startTime, bootId: readBootId(procRoot), exitFile, cgroup };
    const task = new RktTask(cfg.id, state, clock.now(), taskDeps, child);
    tasks.set(cfg.id, task);
    log.info({ taskId: cfg.id, uuid, pid }, 'pod started');
    return { driver: RKT, taskId: cfg.id, version: RKT_HANDLE_VERSION, state: encodeState(state) };
  };

  const recoverTask = async (handle: TaskHandle): Promise<void> => {
    if (tasks.has(handle.taskId)) return;
    const state = decodeState(handle.taskId, handle.state);
    const task = new RktTask(handle.taskId, state, clock.now(), taskDeps, null);
    // The shim's record outlives the agent and the pod both: a pod that exited 0 while we were down is a success.
    const recorded = task.isOurs() ? null : task.recorded();
    if (recorded !== null) {
      task.finishWith(recorded);
      tasks.set(handle.taskId, task);
      log.info({ taskId: handle.taskId, uuid: state.uuid, exitCode: recorded.exitCode }, 'pod recovered after its exit');
      return;
    }
    const r = await call([...dirArgs, 'status', '--format=json', state.uuid]);
    const st = r.exitCode === 0 ? parsePodStatus(r.stdout) : null;
    if (st === null) task.dispose();
    if (r.exitCode === 254 && r.stderr.includes('no matches found')) throw new TaskNotFoundError(handle.taskId, `no rkt pod ${state.uuid}`);
    if (st === null) {
      throw new BivouacError('DRIVER_START', `recovering pod ${state.uuid}: ${describeFailure('status', r, timeoutMs)}`, { recoverable: true });
    }
    if (podFinished(st.state) || st.state === 'prepared') {
      task.finishWith(st.exitCodes.length > 0 ? exitFromCode(st.exitCodes[0]) : { exitCode: null, signal: 0, oomKilled: false, err: 'exit code unknown' });
    }
    tasks.set(handle.taskId, task);
    log.info({ taskId: handle.taskId, uuid: state.uuid, state: st.state }, 'pod recovered');
  };

  const stopTask = async (taskId: string, timeout: number, sig: string): Promise<void> => {
    const t = get(taskId);
    if (t.result) return;
    const n = signalNumber(sig);
    const kill = async (): Promise<void> => {
      if (t.state.cgroup !== null) {
        t.noteKill();
        return killAll(t.state.cgroup);
      }
      // The pid is not provably ours (reboot, reused pid) though the pod runs: rkt stops it.
      if (!t.killGroup()) await call([...dirArgs, 'stop', '--force', t.state.uuid]);
    };
    if (n === 9) await kill();
    else if (!t.signalProcess(n)) await call([...dirArgs, 'stop', t.state.uuid]);
    const ac = new AbortController();
    const exited = await Promise.race([t.done.then(() => true), sleep(timeout, false, { signal: ac.signal }).catch(() => true)]);
    ac.abort();
    if (!exited) await kill();
    await t.wait();
    // What the app left behind (`sleep 300 &`) keeps the pod running for rkt: it goes too.
    if (t.state.cgroup !== null) await killAll(t.state.cgroup);
  };

  const destroyTask = async (taskId: string, force: boolean): Promise<void> => {
    const t = get(taskId);
    if (!t.result) {
      if (!force) throw new BivouacError('DRIVER_START', `task ${taskId} is still running`, { recoverable: false });
      await stopTask(taskId, 0, 'SIGKILL');
    }
    // Any process of the pod left alive holds its lock, and rkt refuses to remove a running pod.
    if (t.state.cgroup !== null) await destroyCgroup(t.state.cgroup);
    try {
      await remover.remove(taskId, t.state.uuid);
    } finally {
      // A pod rkt refused is the remover's now (stored and retried): the task is done with.
      t.dispose();
      tasks.delete(taskId);
    }
  };

  const inspectTask = (taskId: string): TaskStatus => {
    const t = get(taskId);
    return { id: taskId, state: t.result ? 'exited' : 'running', startedAt: t.startedAt, exitResult: t.result };
  };

  const signalTask = async (taskId: string, sig: string): Promise<void> => {
    const t = get(taskId);
    if (t.result) return;
    if (!t.signalProcess(signalNumber(sig))) throw new TaskNotFoundError(taskId, 'the rkt process is not ours to signal');
  };

  const taskStats = (taskId: string): TaskResourceSample | null => {
    const t = tasks.get(taskId);
    if (!t || t.result) return null;
    // Uncontained, the rkt process's group (detached, so the pod's host processes with it).
    return sampleTask(procRoot, t.state.cgroup, () => (t.isOurs() ? processGroupMembers(procRoot, t.state.pid) : []), clock.now());
  };

  return {
    name: RKT,
    capabilities: CAPABILITIES,
    fingerprint,
    startTask,
    recoverTask,
    waitTask: async (taskId, signal) => get(taskId).wait(signal),
    stopTask,
    destroyTask,
    inspectTask,
    signalTask,
    taskStats,
  };
}

/**
 * A relative volume source that resolves, through a symlink the task planted, to a place
 * outside its allocation would hand the pod the host: refused before anything runs.
 */
function checkRelativeVolumes(cfg: TaskConfig, volumes: readonly string[]): void {
  const root = realpathSync(dirname(cfg.dirs.taskDir));
  for (const raw of volumes) {
    const source = raw.split(':')[0];
    if (isAbsolute(source)) continue;
    let real: string;
    try {
      real = realpathSync(volumeSource(cfg, source));
    } catch {
      // Missing: rkt reports it in its own words when it prepares the pod.
      continue;
    }
    if (real !== root && !real.startsWith(root + sep)) {
      throw new BivouacError('DRIVER_START', `rkt volume source ${JSON.stringify(source)} leads outside the allocation directory (to ${real})`, { recoverable: false });
    }
  }
}

