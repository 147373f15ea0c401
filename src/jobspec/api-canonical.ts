/**
 * Nomad's `api.Job.Canonicalize` for the blocks bivouac keeps without acting on them:
 * services and checks, update and migrate (merged job → group), vault (pushed down into
 * tasks as Nomad's parser does), affinities, spreads, volumes, scaling and multiregion.
 * Input is the decoder's `extra` (API names already); output is the full API struct.
 */
import type { ApiObject, ApiValue } from './api-json.js';
import { apiName } from './decode-extra.js';
import * as S from './api-shapes.js';
import { CONNECT, toStruct } from './api-struct.js';

type Obj = { [k: string]: ApiValue };

// Decoded values are JSON already and never mutated here: read in place, no copy.
function rec(v: unknown): Obj | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? ({ ...(v as Obj) }) : null;
}

function recs(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map(rec).filter((x): x is Obj => x !== null) : [];
}

function listOrNull(xs: readonly ApiValue[]): ApiValue {
  return xs.length === 0 ? null : xs;
}

/** `api.Service.Canonicalize`: a name from job, group (and task), address mode auto, check_restart merged into checks. */
export function services(v: unknown, defaultName: string): ApiValue {
  return listOrNull(recs(v).map((s) => service(s, defaultName)));
}

function service(s: Obj, defaultName: string): Obj {
  const out = S.over(S.SERVICE, s);
  if (out['Name'] === '') out['Name'] = defaultName;
  if (out['AddressMode'] === '') out['AddressMode'] = 'auto';
  if (out['Connect'] !== null) out['Connect'] = toStruct(out['Connect'], CONNECT, apiName);
  const serviceRestart = rec(s['CheckRestart']);
  out['CheckRestart'] = serviceRestart === null ? null : S.over(S.CHECK_RESTART, serviceRestart);
  out['Checks'] = listOrNull(recs(s['Checks']).map((c) => check(c, serviceRestart)));
  return out;
}

function check(c: Obj, serviceRestart: Obj | null): Obj {
  const out = S.over(S.CHECK, c);
  const own = rec(c['CheckRestart']);
  let merged: Obj | null = serviceRestart === null ? own : { ...serviceRestart };
  if (serviceRestart !== null && own !== null) {
    // CheckRestart.Merge: a check's own limit (when > 0), grace and ignore_warnings (when true) win.
    if (typeof own['Limit'] === 'number' && own['Limit'] > 0) merged = { ...merged, Limit: own['Limit'] };
    if (own['Grace'] !== undefined) merged = { ...merged, Grace: own['Grace'] };
    if (own['IgnoreWarnings'] === true) merged = { ...merged, IgnoreWarnings: true };
  }
  if (merged !== null) {
    merged = S.over(S.CHECK_RESTART, merged);
    if (merged['Grace'] === null) merged['Grace'] = 1e9;
  }
  out['CheckRestart'] = merged;
  for (const k of ['SuccessBeforePassing', 'FailuresBeforeCritical']) {
    if (typeof out[k] === 'number' && (out[k] as number) < 0) out[k] = 0;
  }
  return out;
}

/** Fields of `base` that `over` sets (not null) replace it, as Nomad's `Merge` methods do. */
function merge(base: Obj, over: Obj): Obj {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

function fill(o: Obj, defaults: ApiObject): Obj {
  const out = { ...o };
  for (const [k, v] of Object.entries(defaults)) if (out[k] === null || out[k] === undefined) out[k] = v;
  return out;
}

/** The job's update block: canonicalised when written, Nomad's default for service jobs. */
export function jobUpdate(v: unknown, type: string): Obj | null {
  const u = rec(v);
  if (u !== null) return fill(S.over(S.UPDATE, u), S.UPDATE_DEFAULTS);
  return type === 'service' ? { ...S.UPDATE_DEFAULTS } : null;
}

/** `api.UpdateStrategy.Empty`: nothing set to a non-zero value. */
function emptyUpdate(u: Obj): boolean {
  return Object.values(u).every((x) => x === null || x === 0 || x === '' || x === false);
}

/** A group's update: the job's merged with the group's, or the job's when it is not empty. */
export function groupUpdate(jobU: Obj | null, v: unknown): Obj | null {
  const g = rec(v);
  let out: Obj | null = null;
  if (jobU !== null && g !== null) out = merge(jobU, g);
  else if (g !== null) out = S.over(S.UPDATE, g);
  else if (jobU !== null && !emptyUpdate(jobU)) out = { ...jobU };
  return out === null ? null : fill(out, S.UPDATE_DEFAULTS);
}

/** The job's migrate block is kept as written; Nomad canonicalises only the groups'. */
export function jobMigrate(v: unknown): Obj | null {
  const m = rec(v);
  return m === null ? null : S.over(S.MIGRATE, m);
}

export function groupMigrate(jobM: Obj | null, v: unknown, type: string): Obj | null {
  const g = rec(v);
  let out: Obj | null = jobM === null ? (g === null ? null : S.over(S.MIGRATE, g)) : g === null ? { ...jobM } : merge(jobM, g);
  if (out === null && type === 'service') out = { ...S.MIGRATE };
  return out === null ? null : fill(out, S.MIGRATE_DEFAULTS);
}

/** A task's vault: its own, else its group's, else its job's (Nomad's parsers push it down). */
export function vault(...levels: unknown[]): Obj | null {
  const v = levels.map(rec).find((x) => x !== null) ?? null;
  return v === null ? null : fill(S.over(S.VAULT, v), S.VAULT_DEFAULTS);
}

/** Shorthands as Nomad's parser applies them, in its order: the last one written in this list wins. */
const AFFINITY_SHORTHANDS: readonly (readonly [string, string])[] = [
  ['Version', 'version'], ['Semver', 'semver'], ['Regexp', 'regexp'], ['SetContainsAny', 'set_contains_any'],
  ['SetContainsAll', 'set_contains_all'], ['SetContains', 'set_contains'],
];

export function affinities(v: unknown): ApiValue {
  return listOrNull(recs(v).map((written) => {
    const a: Obj = { ...written };
    for (const [field, operand] of AFFINITY_SHORTHANDS) {
      const target = a[field];
      delete a[field];
      if (typeof target === 'string' && target !== '') {
        a['Operand'] = operand;
        a['RTarget'] = target;
      }
    }
    const out = fill(S.over(S.AFFINITY, a), { Weight: 50 });
    if (out['Operand'] === '') out['Operand'] = '=';
    return out;
  }));
}

/** Spread targets are labelled blocks in the file and a list of {Value, Percent} in the API. */
export function spreads(v: unknown): ApiValue {
  return listOrNull(recs(v).map((s) => {
    const targets = rec(s['SpreadTarget']);
    const list = targets === null ? [] : Object.entries(targets).map(([value, t]) => ({ Value: value, Percent: rec(t)?.['Percent'] ?? 0 }));
    return fill(S.over(S.SPREAD, { ...s, SpreadTarget: listOrNull(list) }), { Weight: 50 });
  }));
}

export function volumes(v: unknown): ApiValue {
  const m = rec(v);
  if (m === null) return null;
  const out: Obj = {};
  for (const [name, body] of Object.entries(m)) {
    const r = S.over(S.VOLUME_REQUEST, rec(body) ?? {});
    const mo = rec(r['MountOptions']);
    out[name] = { ...r, MountOptions: mo === null ? null : S.over(S.MOUNT_OPTIONS, mo) };
  }
  return out;
}

export function volumeMounts(v: unknown): ApiValue {
  return listOrNull(recs(v).map((m) => fill(S.over(S.VOLUME_MOUNT, m), { PropagationMode: 'private', ReadOnly: false })));
}

/** `api.ScalingPolicy.Canonicalize(count)`. */
export function scaling(v: unknown, count: number): Obj | null {
  const s = rec(v);
  if (s === null) return null;
  const out = fill(S.over(S.SCALING, s), { Enabled: true, Min: count });
  if (out['Type'] === '') out['Type'] = 'horizontal';
  const policy = rec(out['Policy']);
  out['Policy'] = policy;
  return out;
}

export function multiregion(v: unknown): Obj | null {
  const m = rec(v);
  if (m === null) return null;
  const strategy = fill(rec(m['Strategy']) ?? {}, { MaxParallel: 0, OnFailure: '' });
  const regions = Object.entries(rec(m['Regions']) ?? {}).map(([name, r]) => {
    const body = rec(r) ?? {};
    return { Name: name, Count: body['Count'] ?? 1, Datacenters: body['Datacenters'] ?? [], Meta: body['Meta'] ?? {} };
  });
  return { ...m, Strategy: strategy, Regions: regions };
}

export function csiPlugin(v: unknown): Obj | null {
  const c = rec(v);
  return c === null ? null : S.over(S.CSI_PLUGIN, c);
}
