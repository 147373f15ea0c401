/**
 * HCL1's tree (Go's `hcl.Unmarshal` into `interface{}`) in the shape hcl2json gives, so one
 * decoder reads both. The shapes differ only in labelled blocks: HCL1 writes
 * `group "a" {…} group "b" {…}` as `group: [{a: [{…}]}, {b: [{…}]}]`, hcl2json as
 * `group: {a: [{…}], b: [{…}]}`. Maps and unlabelled blocks are lists of maps in both
 * (hcl2json: blocks; HCL1: blocks and map attributes), which the decoder already reads.
 * Which keys take a label is Nomad's job file grammar, by the key of the enclosing block.
 */
import type { HclObject, HclValue } from './parse.js';

const LABELLED: Readonly<Record<string, readonly string[]>> = {
  '': ['job'],
  job: ['group', 'task'],
  group: ['task', 'volume'],
  task: ['scaling'],
  network: ['port'],
  spread: ['target'],
  multiregion: ['region'],
};

/** Values below these keys are the user's (driver config, meta, env): kept exactly as HCL1 read them. */
const OPAQUE = new Set(['config', 'meta', 'env']);

function isObject(v: HclValue | undefined): v is HclObject {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

export function fromHcl1(tree: HclObject): HclObject {
  return block(tree, '');
}

function block(body: HclObject, self: string): HclObject {
  const out: Record<string, HclValue> = {};
  const labelled = LABELLED[self] ?? [];
  for (const [key, v] of Object.entries(body)) {
    if (OPAQUE.has(key)) out[key] = v;
    else if (labelled.includes(key) && isLabelledList(v)) out[key] = byLabel(v, key);
    else out[key] = value(v, key);
  }
  return out;
}

function value(v: HclValue, key: string): HclValue {
  if (Array.isArray(v)) return v.map((x: HclValue) => (isObject(x) ? block(x, key) : x));
  return isObject(v) ? block(v, key) : v;
}

/** `[{label: [body…]}…]`: each item one block, its only key the label. */
function isLabelledList(v: HclValue): v is readonly HclObject[] {
  return Array.isArray(v) && v.every((item: HclValue) => isObject(item) && Object.values(item).every((b) => Array.isArray(b) && b.every(isObject)));
}

function byLabel(items: readonly HclObject[], key: string): HclObject {
  const out: Record<string, HclValue[]> = {};
  for (const item of items) {
    for (const [label, bodies] of Object.entries(item)) {
      const list = Array.isArray(bodies) ? bodies : [bodies];
      (out[label] ??= []).push(...list.map((b: HclValue) => (isObject(b) ? block(b, key) : b)));
    }
  }
  return out;
}
