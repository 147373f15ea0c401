import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { Command } from './io.js';
import { flagBool, flagString, parseArgs } from './args.js';
import { BivouacError } from '../src/util/errors.js';
import { configFromEnv, configFromFile, mergeConfig, parseHttpAddr, parseLogLevel, type ConfigLayer } from '../src/agent/config.js';
import { createLogger } from './logger.js';

const FLAGS = {
  jobs: 'string',
  'data-dir': 'string',
  config: 'string',
  'enable-raw-exec': 'bool',
  'log-level': 'string',
  'rkt-path': 'string',
  http: 'string',
  help: 'bool',
} as const;

const HELP = `Usage: bivouac agent [options]

  Starts the bivouac agent and runs until an interrupt is received. The agent
  watches a directory of Nomad job files, places their allocations on this node
  and runs their tasks; its tasks keep running when it stops, and the next agent
  on the same data dir takes them over. Settings: flags beat the environment,
  which beats the config file.

Agent Options:

  -config=<path>
    The agent config file, HCL in Nomad's agent config words (env BIVOUAC_CONFIG).

  -jobs=<dir>
    The directory of job files (env BIVOUAC_JOBS_DIR; default ./jobs).

  -data-dir=<dir>
    The state database and allocation directories (env BIVOUAC_DATA_DIR;
    default ./.bivouac).

  -enable-raw-exec
    Enable the raw_exec driver: tasks run unisolated as the agent's user
    (env BIVOUAC_ENABLE_RAW_EXEC=true).

  -log-level=<level>
    trace, debug, info, warn or error (env BIVOUAC_LOG_LEVEL; default info).

  -rkt-path=<path>
    The rkt binary (env BIVOUAC_RKT_PATH; default rkt on PATH).

  -http=<addr>
    Serve Nomad's HTTP API on <addr>, e.g. 127.0.0.1:4646 (env BIVOUAC_HTTP_ADDR;
    config addresses { http } / ports { http }; default off). The API is always
    served on the Unix socket api.sock in the data dir.
`;

export const agentCommand: Command = async (argv, io) => {
  const args = parseArgs(argv, FLAGS);
  if (flagBool(args, 'help')) {
    io.stdout.write(HELP);
    return 0;
  }
  if (args.positional.length > 0) throw new BivouacError('USAGE', `agent takes no arguments, got "${args.positional[0]}"`);

  const configPath = flagString(args, 'config') ?? io.env.BIVOUAC_CONFIG;
  const fileLayer: ConfigLayer = configPath ? await loadConfigFile(resolve(io.cwd, configPath)) : {};
  const flagLayer: ConfigLayer = {};
  const jobs = flagString(args, 'jobs');
  if (jobs) flagLayer.jobsDir = jobs;
  const dataDir = flagString(args, 'data-dir');
  if (dataDir) flagLayer.dataDir = dataDir;
  if (flagBool(args, 'enable-raw-exec')) flagLayer.rawExecEnabled = true;
  const level = flagString(args, 'log-level');
  if (level) flagLayer.logLevel = parseLogLevel(level, '--log-level');
  const http = flagString(args, 'http');
  if (http) flagLayer.httpAddr = parseHttpAddr(http, '--http');
  const config = mergeConfig(fileLayer, configFromEnv(io.env), flagLayer);
  const rktPath = flagString(args, 'rkt-path');
  const resolved = {
    ...config,
    jobsDir: resolve(io.cwd, config.jobsDir),
    dataDir: resolve(io.cwd, config.dataDir),
    rkt: { ...config.rkt, path: rktPath ?? config.rkt.path },
    acl: { ...config.acl, tokenFile: config.acl.tokenFile === null ? null : resolve(io.cwd, config.acl.tokenFile) },
  };

  // A long-lived process whose periodic work (stats, rescans) makes steady garbage: V8's default
  // lets the old space grow up to 4x what a collection leaves live before the next one. 1.2x
  // keeps the idle agent with 1,000 tasks at 143 MB RSS instead of 191-222 MB and growing, at
  // the same CPU (bench/idle: 4.0 % vs 3.8-4.0 % of one core); --optimize-for-size held 100 MB
  // but doubled the CPU. Set before the agent's heap grows; `bivouac` commands keep V8's default.
  setFlagsFromString('--heap-growing-percent=20');
  const { log } = await createLogger({ level: resolved.logLevel, pretty: io.isTTY });
  favorMemory();
  const { runAgent } = await import('../src/agent/run.js');
  const hostEnv = Object.fromEntries(Object.entries(io.env).filter((e): e is [string, string] => e[1] !== undefined));
  return runAgent({ config: resolved, log, hostEnv, uid: process.getuid?.() ?? 0 });
};

/**
 * The agent is a long-lived process that is idle nearly always: V8's heap heuristics tuned
 * for memory over speed let it give back what a burst of starts grew. Measured with
 * bench/idle-memory.js (100 raw_exec tasks, API thread on): without it the young
 * generation stays at the ~23-32 MB a burst grew it to and the old generation keeps its
 * garbage (RSS 104 MB at 100 tasks, 179 MB at 1,000); with it both shrink once the agent
 * is idle. Set at run time, since a command line flag (--max-semi-space-size) would need
 * every way of starting the agent to pass it; V8 reads this flag at each GC, so it takes.
 * Process-wide: the API thread's heap follows it too.
 */
function favorMemory(): void {
  setFlagsFromString('--optimize-for-size');
}

export async function loadConfigFile(path: string): Promise<ConfigLayer> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new BivouacError('CONFIG', `cannot read config file ${path}: ${(err as Error).message}`);
  }
  // Through the parser process, as job files are: the agent never holds the WASM parser itself.
  const { parseHclTree } = await import('../src/jobspec/index.js');
  let tree: unknown;
  try {
    tree = await parseHclTree(join(path), text);
  } catch (err) {
    throw new BivouacError('CONFIG', `config file ${path} does not parse: ${(err as Error).message.replace(/^parse config: /, '')}`);
  }
  return configFromFile(tree as Record<string, unknown>, path);
}
