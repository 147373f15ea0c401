/**
 * `bivouac node status [-self] [-verbose] [-short] [--json] [--data-dir DIR] [NODE_ID]`: the
 * node list without an ID, the detail view with `-self` or an ID (Nomad 1.0's). It reads
 * the node row the agent wrote to the data dir's state.db, so it works with the agent down.
 * With no agent state there, it fingerprints the host and drivers live, as the agent would,
 * and says so on stderr. It also holds that node lookup, which `job plan` shares.
 */
import { mkdirSync } from 'node:fs';
import type { Command, CommandIO } from './io.js';
import { flagBool, parseArgs, type ParsedArgs } from './args.js';
import { READ_FLAGS, dataDirOf, openReadonly, writeJson } from './common.js';
import type { Driver } from '../src/drivers/types.js';
import type { NodeInfo } from '../src/node/types.js';
import type { AllocRecord, Database, NodeStatus } from '../src/state/index.js';
import { allocResourceUsage } from '../src/status/stats.js';
import { getNode, getStateIndex, listAllAllocs, listNodeEvents } from '../src/state/index.js';
import { renderNodeList, renderNodeStatus, type NodeView } from '../src/status/render-node.js';
import { apiNodeFull, apiNodeStub } from '../src/status/node.js';
import { resolveNode, tooShort } from '../src/status/resolve.js';
import { sampleHostStats } from '../src/cli/host-stats.js';
import { BIVOUAC_VERSION as VERSION } from '../src/version.js';
import { BivouacError } from '../src/util/errors.js';

const HELP = `Usage: bivouac node status [options] [node]

  Display status information about this node. Without a node ID (or -self), a
  short-hand list of nodes is shown; with one, the node's details, including
  resource usage. bivouac has one node: the one the agent in the data dir runs on.

Node Status Options:

  -self
    Query the status of the local node.

  -short
    Display short output. Used only when a single node is being queried, and
    drops verbose output about node allocations.

  -verbose
    Display full information.

  -json
    Output the node in its JSON format.

  -data-dir <dir>
    The agent's data directory (env BIVOUAC_DATA_DIR; default .bivouac).
`;

/** The rkt fingerprint runs `rkt version`; a CLI command must not wait the agent's minute on it. */
const LIVE_RKT_TIMEOUT_MS = 5_000;

/** How long /proc/stat is watched for the host's CPU share: Nomad's collector samples each second. */
const CPU_WINDOW_MS = 200;

export const nodeStatusCommand: Command = async (argv, io) => {
  const args = parseArgs(argv, { ...READ_FLAGS, short: 'bool', self: 'bool' });
  if (flagBool(args, 'help')) {
    io.stdout.write(HELP);
    return 0;
  }
  if (args.positional.length > 1) {
    io.stderr.write(`This command takes either one or no arguments\n${HELP}`);
    return 1;
  }
  const arg = args.positional[0];
  if (arg !== undefined) {
    const short = tooShort(arg, 'Identifier');
    if (short !== null) {
      io.stderr.write(`${short}\n`);
      return 1;
    }
  }
  const source = await loadNode(args, io);
  try {
    const view: NodeView = {
      node: source.node,
      status: source.status,
      updatedAt: source.updatedAt,
      events: source.db ? listNodeEvents(source.db) : [],
      allocs: source.db ? listAllAllocs(source.db) : [],
    };
    const verbose = flagBool(args, 'verbose');
    const json = flagBool(args, 'json');
    // The API's shapes; this CLI serves no HTTP address and knows the change index only from the state.
    const full = (): ReturnType<typeof apiNodeFull> => apiNodeFull(view, '', source.db ? getStateIndex(source.db) : 0);
    if (arg === undefined && !flagBool(args, 'self')) {
      if (json) writeJson(io, [apiNodeStub(full())]);
      else io.stdout.write(renderNodeList(view, verbose, VERSION));
      return 0;
    }
    if (arg !== undefined) {
      const found = resolveNode(source.node.id, arg);
      if (!found.ok) {
        io.stderr.write(`${found.message}\n`);
        return 1;
      }
    }
    if (json) {
      writeJson(io, full());
      return 0;
    }
    const short = flagBool(args, 'short');
    const host = short
      ? null
      : await sampleHostStats({ procRoot: '/proc', diskPath: dataDirOf(args, io), totalMhz: Number(source.node.attributes['cpu.totalcompute'] ?? 0), windowMs: CPU_WINDOW_MS });
    io.stdout.write(renderNodeStatus(view, { host, allocUsage: source.db ? runningUsage(source.db, view.allocs) : null, now: Date.now() }, { verbose, short }));
    return 0;
  } finally {
    source.db?.close();
  }
};

/**
 * Nomad's getActualResources: the running allocations' measured CPU and memory (Usage, or
 * RSS where Usage is not measured), summed; null when one of them has no sample yet, which
 * hides the section as a failed stats call does in Nomad.
 */
function runningUsage(db: Database, allocs: readonly AllocRecord[]): { cpuMhz: number; memoryBytes: number } | null {
  let cpuMhz = 0;
  let memoryBytes = 0;
  for (const a of allocs.filter((x) => x.clientStatus === 'running')) {
    const u = allocResourceUsage(db, a.id);
    if (u === null) return null;
    cpuMhz += u.ResourceUsage.CpuStats.TotalTicks;
    const m = u.ResourceUsage.MemoryStats;
    memoryBytes += m.Usage > 0 ? m.Usage : m.RSS;
  }
  return { cpuMhz, memoryBytes };
}

export interface NodeSource {
  readonly node: NodeInfo;
  readonly status: NodeStatus;
  readonly updatedAt: number;
  /** The read-only state, when the data dir has one; the caller closes it. */
  readonly db: Database | null;
  /** True when the node was fingerprinted now rather than read from the agent's row. */
  readonly live: boolean;
}

/**
 * The node as the agent last recorded it, or a live fingerprint (status `initializing`,
 * Nomad's word for a node not yet registered) when the data dir has no node row.
 */
export async function loadNode(args: ParsedArgs, io: CommandIO): Promise<NodeSource> {
  const dataDir = dataDirOf(args, io);
  let db: Database | null = null;
  try {
    db = await openReadonly(args, io);
  } catch (err) {
    if (!(err instanceof BivouacError && err.code === 'STATE_NOT_FOUND')) throw err;
  }
  try {
    const rec = db ? getNode(db) : null;
    if (rec) return { node: rec.info, status: rec.status, updatedAt: rec.updatedAt, db, live: false };
    io.stderr.write(
      db ? `no node recorded in ${dataDir}/state.db; showing a live fingerprint\n` : `no agent state in ${dataDir}; showing a live fingerprint\n`,
    );
    const node = await liveFingerprint(dataDir, io);
    return { node, status: 'initializing', updatedAt: Date.now(), db, live: true };
  } catch (err) {
    db?.close();
    throw err;
  }
}

/**
 * Host and drivers fingerprinted as the agent would with the same environment. The node ID
 * is made and kept in the data dir as the agent makes it, so the agent started later on
 * this dir shows the same ID; the dir is created first so its filesystem can be measured.
 */
async function liveFingerprint(dataDir: string, io: CommandIO): Promise<NodeInfo> {
  const [{ fingerprintNode }, { configFromEnv, mergeConfig }, { createRawExecDriver }, { createRktDriver }, { silentLogger }, { systemClock }] =
    await Promise.all([
      import('../src/agent/node.js'),
      import('../src/agent/config.js'),
      import('../src/drivers/raw_exec/index.js'),
      import('../src/drivers/rkt/index.js'),
      import('../src/util/logger.js'),
      import('../src/util/clock.js'),
    ]);
  const config = mergeConfig(configFromEnv(io.env), { dataDir });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const uid = process.getuid?.() ?? -1;
  const drivers = new Map<string, Driver>([
    ['raw_exec', createRawExecDriver({ log: silentLogger, enabled: config.rawExecEnabled })],
    [
      'rkt',
      createRktDriver({
        log: silentLogger,
        rktPath: config.rkt.path,
        rktDir: config.rkt.dir ?? undefined,
        minVersion: config.rkt.minVersion,
        volumesEnabled: config.rkt.volumesEnabled,
        isRoot: () => uid === 0,
        execTimeoutMs: LIVE_RKT_TIMEOUT_MS,
      }),
    ],
  ]);
  return fingerprintNode({ config, drivers, log: silentLogger, clock: systemClock });
}
