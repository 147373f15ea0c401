/**
 * The rkt stand-in (test/fixtures/rkt/rkt) for tests: a temp sandbox with a data dir and a
 * `rkt` wrapper on a bin dir that pins the stand-in's switches (version format, stage1 …),
 * so the driver under test runs it like the real binary, by path or from PATH.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, makeTestDir, reachableChildren } from './paths.js';

export const standinPath = join(fixturesDir, 'rkt', 'rkt');
export const standinImagesDir = join(fixturesDir, 'rkt', 'images');

export interface StandinOptions {
  readonly versionFormat?: '0.8' | '0.16' | '1.x';
  readonly version?: string;
  readonly versionMode?: 'garbage' | 'fail' | 'hang';
  readonly stage1?: 'coreos' | 'fly';
}

export interface RktSandbox {
  readonly root: string;
  /** The data dir (`--dir`). */
  readonly dataDir: string;
  /** Holds the `rkt` wrapper; put it on PATH to find rkt by name. */
  readonly binDir: string;
  readonly rktPath: string;
  /**
   * A copy of test/fixtures/children inside the sandbox: the stand-in runs apps as host
   * processes as nobody, who may not reach the checkout (root cloning into /root, 0700).
   */
  readonly childrenDir: string;
  /** Env the wrapper sets, for running the stand-in directly. */
  readonly env: Readonly<Record<string, string>>;
  cleanup(): void;
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function makeRktSandbox(opts: StandinOptions = {}): RktSandbox {
  const root = makeTestDir('bivouac-rkt-');
  const dataDir = join(root, 'data');
  const binDir = join(root, 'bin');
  mkdirSync(dataDir);
  mkdirSync(binDir);
  const env: Record<string, string> = { RKT_STANDIN_DIR: dataDir };
  if (opts.versionFormat) env.RKT_STANDIN_VERSION_FORMAT = opts.versionFormat;
  if (opts.version) env.RKT_STANDIN_VERSION = opts.version;
  if (opts.versionMode) env.RKT_STANDIN_VERSION_MODE = opts.versionMode;
  if (opts.stage1) env.RKT_STANDIN_STAGE1 = opts.stage1;
  // `${K-v}`: a variable the caller sets explicitly still wins over the sandbox default.
  const exports = Object.entries(env).map(([k, v]) => `[ -n "\${${k}+x}" ] || ${k}=${shQuote(v)}; export ${k}`).join('\n');
  const childrenDir = reachableChildren(root);
  const rktPath = join(binDir, 'rkt');
  writeFileSync(rktPath, `#!/bin/sh\n${exports}\nexec ${shQuote(process.execPath)} ${shQuote(standinPath)} "$@"\n`);
  chmodSync(rktPath, 0o755);
  return { root, dataDir, binDir, rktPath, childrenDir, env, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface RktRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the stand-in synchronously with `--dir` set to the sandbox's data dir. */
export function runStandin(sb: RktSandbox, args: readonly string[], extraEnv: Readonly<Record<string, string>> = {}): RktRun {
  const r = spawnSync(sb.rktPath, [`--dir=${sb.dataDir}`, ...args], { encoding: 'utf8', env: { ...process.env, ...extraEnv }, timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
