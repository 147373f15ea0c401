/**
 * `rkt version` parsing and the fingerprint verdict, as pure functions. The regexes keep
 * Nomad's ≥0.3 semantics (reference/rkt.md §1.2): `rkt`, a space, `v` or `V`, `ersion`, an
 * optional colon, a space, then a digit followed by digits and dots; first match over the
 * whole text; both rkt and appc must match.
 */
import semver from 'semver';

export interface RktVersion {
  readonly rkt: string;
  readonly appc: string;
}

const RKT_RE = /rkt [vV]ersion:? (\d[.\d]+)/;
const APPC_RE = /appc [vV]ersion:? (\d[.\d]+)/;

/** Parses any of the three historical formats; null when either line is missing. */
export function parseRktVersion(text: string): RktVersion | null {
  const r = RKT_RE.exec(text.trim());
  const a = APPC_RE.exec(text.trim());
  if (r === null || a === null) return null;
  return { rkt: r[1], appc: a[1] };
}

/**
 * go-version reads "1.2" and "1.30.0." as versions; semver does not. Coerce for the
 * comparison only, keeping the captured text for the attribute.
 */
export function comparableVersion(v: string): string | null {
  return semver.coerce(v)?.version ?? null;
}

/** True when `have` is at least `min` (both as rkt prints them). */
export function versionAtLeast(have: string, min: string): boolean {
  const h = comparableVersion(have);
  const m = comparableVersion(min);
  return h !== null && m !== null && semver.gte(h, m);
}

/**
 * Mounting the task's alloc/, local/ and secrets/ needs rkt ≥ 0.10.0 (rkt#761; the note in
 * Nomad 0.3's docs). Below that, the driver mounts nothing and says so in the environment.
 */
export const MIN_MOUNT_VERSION = '0.10.0';

export const DEFAULT_MIN_VERSION = '1.27.0';
