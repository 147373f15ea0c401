import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Driver } from '../drivers/types.js';
import { createExecDriver } from '../drivers/exec/index.js';
import { createRawExecDriver } from '../drivers/raw_exec/index.js';
import { createRktDriver } from '../drivers/rkt/index.js';
import { setupContainment, type Containment } from '../cgroups/index.js';
import { FALLBACK_CPU_MHZ, loadOrCreateNodeId } from '../node/index.js';
import { closeState, getNode, listAllocsToRecover, openState, type Database } from '../state/index.js';
import { StatsSampler } from './stats.js';
import { systemClock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { Agent } from './agent.js';
import type { AgentConfig } from './config.js';
import { acquireAgentLock } from './lock.js';
import { fingerprintNode, recordNode } from './node.js';
import { checkDirSafe, ensureDataDir, restrictFile } from './permissions.js';
import { killOrphans, sweepCgroups } from './orphans.js';

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
  try {
    db = openState(dbPath);
    restrictFile(dbPath);
    // One cgroup directory per agent, named by its node ID: unique among agents, stable across restarts.
    const containment = setupContainment({ scope: loadOrCreateNodeId(config.dataDir), log: log.child({ component: 'cgroups' }) });
    if (containment.manager) await sweepCgroups(containment.manager, new Set(listAllocsToRecover(db).map((a) => a.id)), log);
    else log.warn({ reason: containment.reason }, 'task containment is off: tasks run without cgroups');
    const drivers = makeDrivers(config, log, uid, containment);
    const { parseJobFile, canonicalHash, formatDiagnostic } = await import('../jobspec/index.js');
    const clock = systemClock;
    const state = db;
    const agent = new Agent({
      config,
      db: state,
      log,
      clock,
      rand: Math.random,
      drivers,
      hostEnv,
      parser: { parse: (file, text) => parseJobFile(file, text), hash: canonicalHash, format: formatDiagnostic },
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
    log.info('agent started');
    const sig = await stopped;
    log.info({ signal: sig }, 'agent stopping; tasks keep running for the next agent');
    sampler.stop();
    await agent.shutdown();
    return 0;
  } finally {
    if (db) closeState(db);
    release();
  }
}

function makeDrivers(config: AgentConfig, log: Logger, uid: number, containment: Containment): Map<string, Driver> {
  const drivers = new Map<string, Driver>();
  drivers.set('raw_exec', createRawExecDriver({ log, enabled: config.rawExecEnabled, cgroups: containment.manager }));
  drivers.set('exec', createExecDriver({ log, isRoot: () => uid === 0, chrootEnv: config.chrootEnv ?? undefined, cgroups: containment.manager }));
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
    }),
  );
  return drivers;
}
