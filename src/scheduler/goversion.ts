/**
 * Versions as hashicorp/go-version reads them (version.go), which is what Nomad's `version`
 * constraint operator compares. npm semver cannot stand in here: go-version keeps any number
 * of numeric segments (`1.30.0.1`), pads short ones (`1.30` is 1.30.0), accepts a
 * prerelease without a dash (`1.0beta1`), and orders prerelease parts slightly differently
 * from SemVer 2.0 (an empty part against a word compares greater, not less).
 */
export interface GoVersion {
  /** Numeric segments, padded with zeros to at least three. */
  readonly segments: readonly number[];
  /** How many segments the text spelled out (before padding); `~>` depends on it. */
  readonly specified: number;
  readonly prerelease: string;
  readonly metadata: string;
}

const IDENT = '[0-9A-Za-z\\-~]';
// Same shape as go-version's VersionRegexpRaw: optional `v`, dotted numbers, then a
// prerelease that needs a dash only when it starts with a digit, then `+metadata`.
const LENIENT = new RegExp(
  `^v?([0-9]+(?:\\.[0-9]+)*?)` +
    `(?:-([0-9]+${IDENT}*(?:\\.${IDENT}+)*)|(?:-?([A-Za-z\\-~]+${IDENT}*(?:\\.${IDENT}+)*)))?` +
    `(?:\\+(${IDENT}+(?:\\.${IDENT}+)*))?$`,
);
// go-version's SemverRegexpRaw: the dash before a prerelease is required.
const STRICT = new RegExp(
  `^v?([0-9]+(?:\\.[0-9]+)*?)` +
    `(?:-([0-9]+${IDENT}*(?:\\.${IDENT}+)*)|(?:-([A-Za-z\\-~]+${IDENT}*(?:\\.${IDENT}+)*)))?` +
    `(?:\\+(${IDENT}+(?:\\.${IDENT}+)*))?$`,
);

/** Parses like go-version's NewVersion (no trimming: `" 1.0"` is not a version). */
export function parseGoVersion(text: string): GoVersion | null {
  return parseWith(LENIENT, text);
}

/** Parses like go-version's NewSemver: a prerelease must follow a dash. */
export function parseGoSemver(text: string): GoVersion | null {
  return parseWith(STRICT, text);
}

function parseWith(re: RegExp, text: string): GoVersion | null {
  const m = re.exec(text);
  if (!m) return null;
  const parts = m[1].split('.');
  const segments: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!Number.isSafeInteger(n)) return null;
    segments.push(n);
  }
  while (segments.length < 3) segments.push(0);
  return { segments, specified: parts.length, prerelease: m[2] ?? m[3] ?? '', metadata: m[4] ?? '' };
}

function sameSegments(a: GoVersion, b: GoVersion): boolean {
  return a.segments.length === b.segments.length && a.segments.every((s, i) => s === b.segments[i]);
}

/** -1, 0 or 1. Metadata is ignored; missing trailing segments count as zeros. */
export function compareGoVersions(a: GoVersion, b: GoVersion): number {
  if (sameSegments(a, b)) {
    if (a.prerelease === b.prerelease) return 0;
    if (a.prerelease === '') return 1;
    if (b.prerelease === '') return -1;
    return comparePrereleases(a.prerelease, b.prerelease);
  }
  const len = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < len; i++) {
    const l = a.segments[i] ?? 0;
    const r = b.segments[i] ?? 0;
    if (l !== r) return l < r ? -1 : 1;
  }
  return 0;
}

function comparePrereleases(a: string, b: string): number {
  const as = a.split('.');
  const bs = b.split('.');
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const c = comparePart(as[i] ?? '', bs[i] ?? '');
    if (c !== 0) return c;
  }
  return 0;
}

const NUMERIC = /^[0-9]+$/;

function comparePart(a: string, b: string): number {
  if (a === b) return 0;
  const aNum = NUMERIC.test(a);
  const bNum = NUMERIC.test(b);
  // go-version's rule for a missing part: it sorts below a number and above a word.
  if (a === '') return bNum ? -1 : 1;
  if (b === '') return aNum ? 1 : -1;
  if (aNum && !bNum) return -1;
  if (!aNum && bNum) return 1;
  if (aNum && bNum) return Number(a) > Number(b) ? 1 : -1;
  return a > b ? 1 : -1;
}

export function formatGoVersion(v: GoVersion): string {
  let s = v.segments.join('.');
  if (v.prerelease) s += `-${v.prerelease}`;
  if (v.metadata) s += `+${v.metadata}`;
  return s;
}
