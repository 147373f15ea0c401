import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Driver } from '../drivers/types.js';
import { createExecDriver } from '../drivers/exec/index.js';
import { createRawExecDriver } from '../drivers/raw_exec/index.js';
import { createRktDriver } from '../drivers/rkt/index.js';
import { setupContainment, type Containment } from '../cgroups/index.js';
import { createSpawner, type Spawner } from '../drivers/spawner/client.js';
import { FALLBACK_CPU_MHZ, loadOrCreateNodeId } from '../node/index.js';
import { addPodRemoval, closeState, deletePodRemoval, getNode, listAllocsToRecover, listPodRemovals, openState, type Database } from '../state/index.js';
import { StatsSampler } from './stats.js';
import { systemClock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { Agent } from './agent.js';
import type { AgentConfig } from './config.js';
import { acquireAgentLock } from './lock.js';
import { fingerprintNode, recordNode } from './node.js';
import { checkDirSafe, ensureDataDir, restrictFile } from './permissions.js';
import { killOrphans, sweepCgroups } from './orphans.js';
import { isApiJobFileName, parseApiJobFile } from '../jobspec/api-decode.js';

export interface RunAgentInput {
  readonly config: AgentConfig;
  readonly log: Logger;
  readonly hostEnv: Readonly<Record<string, string>>;
  readonly uid: number;
}

/** The agent process: checks, opens state, runs until SIGINT/SIGTERM, then lets go of its tasks. */
export async function runAgent({ config, log, hostEnv, uid }: RunAgentInput): Promise<number> {
  ensureDataDir(config.dataDir);
  if (config.strictPermissions) {
    checkDirSafe(config.dataDir, 'data dir', uid);
    if (existsSync(config.jobsDir)) checkDirSafe(config.jobsDir, 'jobs dir', uid);
  }
  const release = acquireAgentLock(config.dataDir);
  const dbPath = join(config.dataDir, 'state.db');
  let db: Database | null = null;
  let spawner: Spawner | null = null;
  try {
    db = openState(dbPath);
    restrictFile(dbPath);
    // One cgroup directory per agent, named by its node ID: unique among agents, stable across restarts.
    const containment = setupContainment({ scope: loadOrCreateNodeId(config.dataDir), log: log.child({ component: 'cgroups' }) });
    if (containment.manager) await sweepCgroups(containment.manager, new Set(listAllocsToRecover(db).map((a) => a.id)), log);
    else log.warn({ reason: containment.reason }, 'task containment is off: tasks run without cgroups');
    // One helper forks every task: a fork from the agent's own heap costs more the larger it is.
    const helper = createSpawner(log.child({ component: 'spawner' }));
    spawner = helper;
    const drivers = makeDrivers(config, log, uid, containment, spawner, db);
    const { parseJobFile, canonicalHash, formatDiagnostic } = await import('../jobspec/index.js');
    const clock = systemClock;
    const state = db;
    const api = await import('../api/index.js');
    // Checked before anything starts: a bad token file is a config error, not a half-up agent.
    api.readToken(config);
    const metrics = await api.createMetrics({ db: state, dataDir: config.dataDir });
    const parser = { parse: (file: string, text: string) => (isApiJobFileName(file) ? Promise.resolve(parseApiJobFile(file, text)) : parseJobFile(file, text)), hash: canonicalHash, format: formatDiagnostic };
    const agent = new Agent({
      config,
      db: state,
      log,
      clock,
      rand: Math.random,
      drivers,
      hostEnv,
      parser,
      onPass: (seconds, txSeconds) => metrics.observePass(seconds, txSeconds),
      onJobsEvent: warmTarget(containment, spawner),
      makeTree: (entries, renameTo) => helper.makeTree(entries, renameTo),
      fingerprint: async () => {
        const node = await fingerprintNode({ config, drivers, log: log.child({ component: 'fingerprint' }), clock, containment });
        recordNode(state, node, clock.now());
        return node;
      },
      killOrphans: (marker) => killOrphans({ procRoot: '/proc', cgroups: containment.manager, log }, marker),
    });
    log.info({ jobsDir: config.jobsDir, dataDir: config.dataDir, rawExec: config.rawExecEnabled }, 'agent starting');
    const stopped = new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    await agent.start();
    const sampler = new StatsSampler({
      db: state,
      drivers,
      clock,
      log: log.child({ component: 'stats' }),
      mhzPerCore: () => Number(getNode(state)?.info.attributes['cpu.frequency']) || FALLBACK_CPU_MHZ,
    });
    sampler.start();
    metrics.useTaskUsage((allocId, task) => sampler.usage(allocId, task));
    metrics.useLoopDelay(() => agent.loopDelay.take('metrics'));
    const server = await api.startApi({ agent, config, db: state, dbPath, log, clock, parser, metrics, taskUsage: (allocId, task) => sampler.usage(allocId, task) });
    sampler.onSample = (latest) => server.publishUsage(latest);
    server.publishUsage(sampler.latestUsage());
    log.info({ http: server.httpAddr || null }, 'agent started');
    const sig = await stopped;
    log.info({ signal: sig }, 'agent stopping; tasks keep running for the next agent');
    await server.close();
    sampler.stop();
    await agent.shutdown();
    return 0;
  } finally {
    spawner?.close();
    if (db) closeState(db);
    release();
  }
}

/** A job file changed: the spawner keeps cgroup joins cheap for the starts that may follow (spawner-warm.ts). */
function warmTarget(containment: Containment, spawner: Spawner): (() => void) | undefined {
  const h = containment.manager?.layout.hierarchies.find((x) => x.kind === 'unified') ?? containment.manager?.layout.hierarchies[0];
  if (!h) return undefined;
  const target = { mount: h.mount, controller: h.kind === 'unified' ? '' : h.kind };
  return () => spawner.warm(target, WARM_FOR_MS);
}

/** How long after a job file event starts are expected: a pass and a start take ~10–30 ms, more under load. */
const WARM_FOR_MS = 150;

function makeDrivers(config: AgentConfig, log: Logger, uid: number, containment: Containment, spawner: Spawner, db: Database): Map<string, Driver> {
  const drivers = new Map<string, Driver>();
  drivers.set('raw_exec', createRawExecDriver({ log, enabled: config.rawExecEnabled, cgroups: containment.manager, spawner }));
  drivers.set('exec', createExecDriver({ log, isRoot: () => uid === 0, chrootEnv: config.chrootEnv ?? undefined, cgroups: containment.manager, spawner }));
  drivers.set(
    'rkt',
    createRktDriver({
      log,
      rktPath: config.rkt.path,
      rktDir: config.rkt.dir ?? undefined,
      minVersion: config.rkt.minVersion,
      volumesEnabled: config.rkt.volumesEnabled,
      isRoot: () => uid === 0,
      cgroups: containment.manager,
      spawner,
      // Pods whose `rkt rm` failed, retried by the next agent too.
      podRemovals: { list: () => listPodRemovals(db), add: (uuid, taskId) => addPodRemoval(db, uuid, taskId, systemClock.now()), remove: (uuid) => deletePodRemoval(db, uuid) },
    }),
  );
  return drivers;
}
