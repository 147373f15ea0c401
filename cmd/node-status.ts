/**
 * `bivouac node status [-verbose] [-short] [--json] [--data-dir DIR] [NODE_ID]`. It reads
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
import type { Database, NodeStatus } from '../src/state/index.js';
import { getNode, listAllAllocs, listNodeEvents } from '../src/state/index.js';
import { apiNode, renderNodeStatus, type NodeView } from '../src/status/render-node.js';
import { BivouacError } from '../src/util/errors.js';

const USAGE = 'Usage: bivouac node status [-verbose] [-short] [--json] [--data-dir DIR] [NODE_ID]\n';

/** The rkt fingerprint runs `rkt version`; a CLI command must not wait the agent's minute on it. */
const LIVE_RKT_TIMEOUT_MS = 5_000;

export const nodeStatusCommand: Command = async (argv, io) => {
  const args = parseArgs(argv, { ...READ_FLAGS, short: 'bool', self: 'bool' });
  if (flagBool(args, 'help')) {
    io.stdout.write(`${USAGE}\n  Shows this node: drivers, events, allocated resources, allocations;\n  with -verbose its attributes and meta.\n`);
    return 0;
  }
  if (args.positional.length > 1) throw new BivouacError('USAGE', 'node status takes at most one node ID');
  const source = await loadNode(args, io);
  try {
    const prefix = args.positional[0];
    if (prefix !== undefined && !source.node.id.startsWith(prefix)) {
      throw new BivouacError('NOT_FOUND', `No node(s) with prefix "${prefix}" found`);
    }
    const view: NodeView = {
      node: source.node,
      status: source.status,
      updatedAt: source.updatedAt,
      events: source.db ? listNodeEvents(source.db) : [],
      allocs: source.db ? listAllAllocs(source.db) : [],
    };
    if (flagBool(args, 'json')) writeJson(io, apiNode(view));
    else io.stdout.write(renderNodeStatus(view, { verbose: flagBool(args, 'verbose'), short: flagBool(args, 'short') }));
    return 0;
  } finally {
    source.db?.close();
  }
};

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
