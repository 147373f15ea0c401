import semver from 'semver';
import { compareGoVersions, parseGoSemver, parseGoVersion, type GoVersion } from './goversion.js';

/**
 * Nomad's two version operators.
 *
 * `version` takes hashicorp/go-version constraints (constraint.go): clauses joined by commas
 * are ANDed, `~>` is pessimistic by the number of segments written (`~> 1.2` is `>= 1.2,
 * < 2.0`; `~> 1.2.3` is `>= 1.2.3, < 1.3`), and a prerelease version only satisfies an
 * ordering clause whose own version has a prerelease on the same segments (go-version's
 * `prereleaseCheck`): `1.29.0-rc.1` fails `>= 0.10.0` but passes `>= 1.29.0-rc.0`.
 * npm semver's `satisfies` gets all three wrong silently (reference/deps.md §6).
 *
 * `semver` is Nomad's helper/constraints/semver: the same comma clauses without `~>`, the
 * constraint's versions must be SemVer-shaped (a dash before any prerelease), and versions
 * are ordered by SemVer 2.0 precedence with prereleases taking part like any other version
 * (`2.1.0-beta` satisfies `> 2.0`). Ordering goes through npm semver; versions it cannot
 * hold (four segments, `~` in a prerelease) fall back to go-version's ordering.
 */

export type VersionOp = '=' | '!=' | '>' | '<' | '>=' | '<=' | '~>';

export interface VersionClause {
  readonly op: VersionOp;
  readonly version: GoVersion;
}

const CLAUSE = /^\s*(~>|>=|<=|!=|=|>|<)?\s*(\S+)\s*$/;

/** Parses a go-version constraint string; null when any clause is malformed. */
export function parseVersionConstraint(text: string): readonly VersionClause[] | null {
  return parseClauses(text, parseGoVersion, true);
}

/** Parses a Nomad `semver` constraint string; null when malformed (including any `~>`). */
export function parseSemverConstraint(text: string): readonly VersionClause[] | null {
  return parseClauses(text, parseGoSemver, false);
}

function parseClauses(
  text: string,
  parse: (s: string) => GoVersion | null,
  allowPessimistic: boolean,
): readonly VersionClause[] | null {
  const out: VersionClause[] = [];
  for (const part of text.split(',')) {
    const m = CLAUSE.exec(part);
    if (!m) return null;
    const op = (m[1] ?? '=') as VersionOp;
    if (op === '~>' && !allowPessimistic) return null;
    const version = parse(m[2]);
    if (!version) return null;
    out.push({ op, version });
  }
  return out;
}

/** Nomad's `version` operator: does `version` (an attribute value) satisfy `constraint`? */
export function matchVersionConstraint(version: string, constraint: string): boolean {
  const v = parseGoVersion(version);
  const clauses = parseVersionConstraint(constraint);
  if (!v || !clauses) return false;
  return clauses.every((c) => checkGoClause(v, c));
}

/** Nomad's `semver` operator. */
export function matchSemverConstraint(version: string, constraint: string): boolean {
  const v = parseGoVersion(version);
  const clauses = parseSemverConstraint(constraint);
  if (!v || !clauses) return false;
  return clauses.every((c) => checkOrder(c.op, compareSemverOrder(v, c.version)));
}

function checkGoClause(v: GoVersion, c: VersionClause): boolean {
  const cmp = compareGoVersions(v, c.version);
  switch (c.op) {
    case '=':
      return cmp === 0;
    case '!=':
      return cmp !== 0;
    case '>':
    case '<':
    case '>=':
    case '<=':
      return prereleaseAllowed(v, c.version) && checkOrder(c.op, cmp);
    case '~>':
      return pessimistic(v, c.version, cmp);
    default:
      return false;
  }
}

function checkOrder(op: VersionOp, cmp: number): boolean {
  switch (op) {
    case '=':
      return cmp === 0;
    case '!=':
      return cmp !== 0;
    case '>':
      return cmp > 0;
    case '<':
      return cmp < 0;
    case '>=':
      return cmp >= 0;
    case '<=':
      return cmp <= 0;
    case '~>':
      return false;
  }
}

function prereleaseAllowed(v: GoVersion, c: GoVersion): boolean {
  if (v.prerelease === '') return true;
  if (c.prerelease === '') return false;
  return v.segments.length === c.segments.length && v.segments.every((s, i) => s === c.segments[i]);
}

function pessimistic(v: GoVersion, c: GoVersion, cmp: number): boolean {
  if (!prereleaseAllowed(v, c)) return false;
  // A prerelease constraint admits only prereleases.
  if (c.prerelease !== '' && v.prerelease === '') return false;
  if (cmp < 0) return false;
  if (c.segments.length > v.segments.length) return false;
  // Every written segment but the last is pinned; the last may only grow.
  for (let i = 0; i < c.specified - 1; i++) if (v.segments[i] !== c.segments[i]) return false;
  const last = c.segments.length - 1;
  return v.segments[last] >= c.segments[last];
}

function compareSemverOrder(a: GoVersion, b: GoVersion): number {
  const sa = toSemver(a);
  const sb = toSemver(b);
  if (sa && sb) return semver.compare(sa, sb);
  return compareGoVersions(a, b);
}

function toSemver(v: GoVersion): string | null {
  if (v.segments.length !== 3) return null;
  const text = v.segments.join('.') + (v.prerelease ? `-${v.prerelease}` : '');
  return semver.valid(text);
}
