import { networkInterfaces, hostname, arch, machine, type NetworkInterfaceInfo } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../util/logger.js';
import type { Attributes } from './types.js';

/** The slice of `node:os` the fingerprinters use, injected so fixtures can stand in for it. */
export interface HostOs {
  hostname(): string;
  /** Node's name for the CPU architecture (`x64`, `arm64` …). */
  arch(): string;
  /** The kernel's machine name (`x86_64`, `aarch64` …). */
  machine(): string;
  networkInterfaces(): Readonly<Record<string, readonly NetworkInterfaceInfo[] | undefined>>;
}

export const systemOs: HostOs = { hostname, arch, machine, networkInterfaces };

/** Everything a fingerprinter reads from, so tests point it at `test/fixtures/proc/<case>/`. */
export interface FingerprintContext {
  /** `/proc` on a live host. */
  readonly procRoot: string;
  /** `/sys` on a live host (cpufreq). */
  readonly sysRoot: string;
  /** `/etc` on a live host (os-release). */
  readonly etcRoot: string;
  /** The agent's data dir; storage attributes describe its filesystem. */
  readonly dataDir: string;
  readonly log: Logger;
  /** Operator-set attributes; they win over detected ones (see `configOverrides`). */
  readonly overrides: Attributes;
  readonly os: HostOs;
}

export type Fingerprinter = (ctx: FingerprintContext) => Promise<Record<string, string>>;

/** Reads a text file under a root; null when it does not exist or cannot be read. */
export async function readOptional(root: string, rel: string): Promise<string | null> {
  try {
    return await readFile(join(root, rel), 'utf8');
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES';
}
