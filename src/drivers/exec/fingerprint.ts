/**
 * The exec fingerprint, in Nomad's words: Linux, root, a cgroup mount, and the host tools
 * the launch uses (util-linux unshare, mount and setpriv, coreutils chroot). Anything missing leaves
 * the driver undetected or unhealthy with a message saying why.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FingerprintResult } from '../types.js';
import type { HostTools } from './setup.js';

export interface ExecFingerprintInput {
  readonly platform: string;
  readonly isRoot: boolean;
  readonly procRoot: string;
  /** Where the host tools are looked for, in order. */
  readonly binDirs: readonly string[];
}

const none = (message: string, detected = false): FingerprintResult => ({ detected, healthy: false, message, attributes: {} });

export function fingerprintExec(input: ExecFingerprintInput): { result: FingerprintResult; tools: HostTools | null } {
  if (input.platform !== 'linux') return { result: none('exec driver unsupported on client OS'), tools: null };
  if (!input.isRoot) return { result: none('Driver must run as root'), tools: null };
  if (!hasCgroupMount(input.procRoot)) return { result: none('Failed to discover cgroup mount point', true), tools: null };
  const found = {
    unshare: findTool('unshare', input.binDirs),
    mount: findTool('mount', input.binDirs),
    chroot: findTool('chroot', input.binDirs),
    setpriv: findTool('setpriv', input.binDirs),
  };
  const missing = Object.entries(found).filter(([, p]) => p === null).map(([n]) => n);
  if (missing.length > 0) {
    return { result: none(`exec needs ${missing.join(', ')} (util-linux, coreutils) in ${input.binDirs.join(':')}`, true), tools: null };
  }
  const tools: HostTools = { unshare: found.unshare ?? '', mount: found.mount ?? '', chroot: found.chroot ?? '', setpriv: found.setpriv ?? '' };
  return { result: { detected: true, healthy: true, message: 'Healthy', attributes: { 'driver.exec': '1' } }, tools };
}

/** A cgroup (v1) or cgroup2 filesystem in this process's mount table. */
function hasCgroupMount(procRoot: string): boolean {
  let text: string;
  try {
    text = readFileSync(join(procRoot, 'self', 'mountinfo'), 'utf8');
  } catch {
    // No mount table to read: no cgroups either.
    return false;
  }
  return text.split('\n').some((line) => {
    const after = line.split(' - ')[1];
    const fstype = after?.split(' ')[0];
    return fstype === 'cgroup' || fstype === 'cgroup2';
  });
}

function findTool(name: string, dirs: readonly string[]): string | null {
  for (const d of dirs) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // Not in this dir: try the next.
    }
  }
  return null;
}
