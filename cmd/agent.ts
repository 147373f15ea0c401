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

  tuneAgentHeap();
  const { log } = await createLogger({ level: resolved.logLevel, pretty: io.isTTY });
  const { runAgent } = await import('../src/agent/run.js');
  const hostEnv = Object.fromEntries(Object.entries(io.env).filter((e): e is [string, string] => e[1] !== undefined));
  return runAgent({ config: resolved, log, hostEnv, uid: process.getuid?.() ?? 0 });
};

/**
 * V8's heap heuristics for the agent, a long-lived process that is idle nearly always. Set
 * at run time before its heap grows (V8 reads both at each GC; `--max-semi-space-size` would
 * not take from here, measured); `bivouac` commands keep V8's defaults. Process-wide: the API
 * thread follows them too.
 * - `--heap-growing-percent=20`: the stats sampler and rescans make steady garbage, and V8's
 *   default lets the old space grow up to 4x what a collection leaves live. 1.2x kept the idle
 *   agent with 1,000 tasks at 143 MB RSS instead of 191-222 MB and growing, at the same CPU.
 * - `--optimize-for-size`: a burst of starts grows the young generation to 23 MB (100 tasks)
 *   or 32 MB (1,000) and only this lets it shrink again once idle. bench/idle.js, interleaved,
 *   both flags vs the first alone: 100 tasks 84.3 / 84.8 MB vs 83.3 / 101.7 MB (the young
 *   generation's size is the burst's luck without it), CPU 1.6 / 1.7 % vs 2.3 / 1.3 % (noise);
 *   1,000 tasks 107-115 MB vs 148-149 MB, at 7-9.5 % of one core vs 5.5-8 %: ~1.5 points more
 *   CPU where the sampler reads 1,000 tasks (an earlier build saw it double, 7-9 % vs 4 %).
 */
function tuneAgentHeap(): void {
  setFlagsFromString('--heap-growing-percent=20');
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
