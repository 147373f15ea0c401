/**
 * A field-level diff of two job versions, shaped like Nomad's JobDiff (job → task groups →
 * tasks, each with fields and nested objects), for `bivouac job plan`. It compares the API
 * JSON, so names are Nomad's (`Count`, `Config`, `Meta[k]`, `Constraint`). Every field is
 * listed, unchanged ones as `None`, so the renderer can choose how much to show.
 */
import { toApiJson, type ApiObject, type ApiValue } from './api-json.js';
import { canonicalJson } from './hash.js';
import type { Job } from './types.js';

export type DiffType = 'Added' | 'Deleted' | 'Edited' | 'None';

export interface FieldDiff {
  readonly type: DiffType;
  readonly name: string;
  /** Values as text, as Nomad shows them; '' when absent. */
  readonly old: string;
  readonly new: string;
}

export interface ObjectDiff {
  readonly type: DiffType;
  readonly name: string;
  readonly fields: readonly FieldDiff[];
  readonly objects: readonly ObjectDiff[];
}

export interface TaskDiff extends ObjectDiff {}

export interface GroupDiff extends ObjectDiff {
  readonly tasks: readonly TaskDiff[];
}

export interface JobDiff extends ObjectDiff {
  /** The job ID. */
  readonly id: string;
  readonly groups: readonly GroupDiff[];
}

type Obj = ApiObject | null;

export function diffJobs(prev: Job | null, next: Job): JobDiff {
  const a = prev === null ? null : toApiJson(prev).Job;
  const b = toApiJson(next).Job;
  const base = diffObject('Job', a, b, ['TaskGroups']);
  const groups = pairByName(a?.['TaskGroups'], b['TaskGroups']).map(([name, ga, gb]) => {
    const g = diffObject(name, ga, gb, ['Tasks']);
    const tasks = pairByName(ga?.['Tasks'], gb?.['Tasks']).map(([tn, ta, tb]) => diffObject(tn, ta, tb, []));
    return { ...g, type: rollUp(g.type, tasks), tasks };
  });
  return { ...base, id: next.id, type: rollUp(base.type, groups), groups };
}

function rollUp(own: DiffType, children: readonly ObjectDiff[]): DiffType {
  return own === 'None' && children.some((c) => c.type !== 'None') ? 'Edited' : own;
}

function asObjects(v: ApiValue | undefined): ApiObject[] {
  return Array.isArray(v) ? v.filter((x): x is ApiObject => x !== null && typeof x === 'object' && !Array.isArray(x)) : [];
}

/** Groups or tasks matched by `Name`: previous order first, then the new ones. */
function pairByName(a: ApiValue | undefined, b: ApiValue | undefined): [string, Obj, Obj][] {
  const olds = asObjects(a);
  const news = asObjects(b);
  const names = [...new Set([...olds, ...news].map((o) => String(o['Name'])))];
  return names.map((n) => [n, olds.find((o) => o['Name'] === n) ?? null, news.find((o) => o['Name'] === n) ?? null]);
}

function kind(a: unknown, b: unknown): DiffType {
  if (a === undefined || a === null) return b === undefined || b === null ? 'None' : 'Added';
  if (b === undefined || b === null) return 'Deleted';
  return canonicalJson(a) === canonicalJson(b) ? 'None' : 'Edited';
}

function text(v: ApiValue | undefined): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const isPlainObject = (v: ApiValue | undefined): v is ApiObject => v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
const isScalarMap = (v: ApiObject): boolean => Object.values(v).every((x) => x === null || typeof x !== 'object');

export function diffObject(name: string, a: Obj, b: Obj, skip: readonly string[]): ObjectDiff {
  const fields: FieldDiff[] = [];
  const objects: ObjectDiff[] = [];
  const keys = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].filter((k) => !skip.includes(k)).sort();
  for (const k of keys) {
    const va = a?.[k];
    const vb = b?.[k];
    const sample = vb ?? va;
    if (Array.isArray(sample)) {
      objects.push(...diffList(k, Array.isArray(va) ? va : [], Array.isArray(vb) ? vb : []));
    } else if (isPlainObject(sample) && isScalarMap(sample) && (k === 'Meta' || k === 'Env')) {
      // Nomad flattens string maps into fields named Meta[key].
      const ma = isPlainObject(va) ? va : {};
      const mb = isPlainObject(vb) ? vb : {};
      for (const mk of [...new Set([...Object.keys(ma), ...Object.keys(mb)])].sort()) {
        fields.push({ type: kind(ma[mk], mb[mk]), name: `${k}[${mk}]`, old: text(ma[mk]), new: text(mb[mk]) });
      }
    } else if (isPlainObject(sample)) {
      objects.push(diffObject(k, isPlainObject(va) ? va : null, isPlainObject(vb) ? vb : null, []));
    } else {
      fields.push({ type: kind(va, vb), name: k, old: text(va), new: text(vb) });
    }
  }
  const own = a === null ? 'Added' : b === null ? 'Deleted' : 'None';
  const changed = fields.some((f) => f.type !== 'None') || objects.some((o) => o.type !== 'None');
  return { type: own === 'None' && changed ? 'Edited' : own, name, fields, objects };
}

/** Lists: scalars as one object of set-membership fields, objects matched by equality. */
function diffList(name: string, a: readonly ApiValue[], b: readonly ApiValue[]): ObjectDiff[] {
  const keyOf = (v: ApiValue): string => canonicalJson(v);
  const inA = new Set(a.map(keyOf));
  const inB = new Set(b.map(keyOf));
  if ([...a, ...b].every((x) => x === null || typeof x !== 'object')) {
    const all = [...new Set([...a, ...b].map(keyOf))];
    const fields = all.map((k): FieldDiff => {
      const v = text(JSON.parse(k) as ApiValue);
      const t: DiffType = inA.has(k) && inB.has(k) ? 'None' : inB.has(k) ? 'Added' : 'Deleted';
      return { type: t, name, old: t === 'Added' ? '' : v, new: t === 'Deleted' ? '' : v };
    });
    const type: DiffType = a.length === 0 && b.length > 0 ? 'Added' : b.length === 0 && a.length > 0 ? 'Deleted' : fields.some((f) => f.type !== 'None') ? 'Edited' : 'None';
    return fields.length === 0 ? [] : [{ type, name, fields, objects: [] }];
  }
  const single = name.endsWith('ies') ? `${name.slice(0, -3)}y` : name.replace(/s$/, '');
  const out: ObjectDiff[] = [];
  for (const v of a) if (isPlainObject(v)) out.push(diffObject(single, v, inB.has(keyOf(v)) ? v : null, []));
  for (const v of b) if (isPlainObject(v) && !inA.has(keyOf(v))) out.push(diffObject(single, null, v, []));
  return out;
}
