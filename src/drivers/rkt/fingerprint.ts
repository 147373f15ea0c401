/**
 * The rkt fingerprint (reference/rkt.md §1.4, Nomad 0.9's health words): root first, then
 * `rkt version` with a timeout, then the version gate.
 */
import type { FingerprintResult } from '../types.js';
import { describeFailure, type RktCaller } from './exec.js';
import { parseRktVersion, versionAtLeast, type RktVersion } from './version.js';

export interface RktFingerprintInput {
  readonly isRoot: boolean;
  readonly minVersion: string;
  readonly volumesEnabled: boolean;
  readonly timeoutMs: number;
}

const none = (message: string, detected = false): FingerprintResult => ({ detected, healthy: false, message, attributes: {} });

export async function fingerprintRkt(call: RktCaller, input: RktFingerprintInput): Promise<{ result: FingerprintResult; version: RktVersion | null }> {
  if (!input.isRoot) return { result: none('Driver must run as root'), version: null };
  const r = await call(['version']);
  if (r.exitCode !== 0) {
    // Nomad's words are `Failed to execute rkt version: <err>`; describeFailure's own
    // `failed to execute rkt version:` would say it twice when rkt could not be spawned.
    const why = r.spawnError ?? describeFailure('version', r, input.timeoutMs);
    return { result: none(`Failed to execute rkt version: ${why}`), version: null };
  }
  const version = parseRktVersion(r.stdout);
  if (version === null) return { result: none('Unable to parse rkt version string'), version: null };
  const attrs = { 'driver.rkt.version': version.rkt, 'driver.rkt.appc.version': version.appc };
  if (!versionAtLeast(version.rkt, input.minVersion)) {
    return {
      result: { detected: true, healthy: false, message: `Unsupported rkt version ${version.rkt}; please upgrade to >= ${input.minVersion}`, attributes: attrs },
      version,
    };
  }
  const attributes: Record<string, string> = { 'driver.rkt': '1', ...attrs };
  if (input.volumesEnabled) attributes['driver.rkt.volumes.enabled'] = '1';
  return { result: { detected: true, healthy: true, message: 'Healthy', attributes }, version };
}
