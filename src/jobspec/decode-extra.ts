/**
 * Blocks bivouac keeps but does not act on: checked against schema.ts (unknown keys, the
 * obvious types, the few rules Nomad's parser enforces) and converted to Nomad API field
 * names with durations in nanoseconds, so `job inspect` can still hand them to Nomad.
 */
import { parseDuration } from '../util/duration.js';
import { blocks, describe, isObject, labelled, remember, report, type Node } from './decode-ctx.js';
import type { HclValue } from './parse.js';
import { SCALING, type Field, type Schema } from './schema.js';

const WORDS: Readonly<Record<string, string>> = { id: 'ID', ttl: 'TTL', tls: 'TLS', grpc: 'GRPC', csi: 'CSI', mb: 'MB', dns: 'DNS', ui: 'UI', fs: 'FS' };

/** `tls_skip_verify` → `TLSSkipVerify`, as Nomad's API structs spell fields. */
export function apiName(key: string): string {
  return key.split('_').map((w) => WORDS[w] ?? w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

export function decodeExtra(node: Node, table: Readonly<Record<string, Field>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(table)) {
    if (node.body[key] === undefined) continue;
    remember(node, key);
    const name = typeof field === 'object' && field.api ? field.api : apiName(key);
    const v = readField(node, key, field);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function readField(node: Node, key: string, field: Field): unknown {
  const v = node.body[key];
  const bad = (expected: string): undefined => {
    report(node, 'WRONG_TYPE', { key, expected, got: describe(v) }, key);
    return undefined;
  };
  if (typeof field === 'object') return readBlocks(node, key, field.block, field.labelled === true, field.single === true);
  switch (field) {
    case 'string':
      return typeof v === 'object' && v !== null ? bad('a string') : String(v);
    case 'number':
      return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : bad('a number');
    case 'bool':
      return typeof v === 'boolean' ? v : v === 'true' || v === 'false' ? v === 'true' : bad('true or false');
    case 'duration': {
      if (typeof v === 'number') return v;
      const ms = typeof v === 'string' ? parseDuration(v) : null;
      if (ms === null) {
        report(node, 'INVALID_DURATION', { key, value: typeof v === 'string' ? v : describe(v) }, key);
        return undefined;
      }
      return Math.round(ms * 1e6);
    }
    case 'strings':
      return Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null) ? v : typeof v === 'string' ? [v] : bad('a list of strings');
    case 'map':
      return mergeMaps(v) ?? bad('a map');
    case 'headers': {
      const m = mergeMaps(v);
      if (m === null) return bad('a map of lists of strings');
      for (const [h, list] of Object.entries(m)) {
        if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
          report(node, 'WRONG_TYPE', { key: `${key}.${h}`, expected: 'a list of strings', got: describe(list as HclValue) }, key);
        }
      }
      return m;
    }
    case 'any':
      return v;
  }
}

function mergeMaps(v: HclValue | undefined): Record<string, HclValue> | null {
  const list = Array.isArray(v) ? v : [v];
  const out: Record<string, HclValue> = {};
  for (const m of list) {
    if (!isObject(m)) return null;
    Object.assign(out, m);
  }
  return out;
}

function readBlocks(node: Node, key: string, schema: Schema, isLabelled: boolean, single: boolean): unknown {
  if (isLabelled) {
    const out: Record<string, unknown> = {};
    for (const { label, node: n } of labelled(node, key)) out[label] = { Name: label, ...readBody(n, schema) };
    return out;
  }
  const list = blocks(node, key);
  if (single) {
    if (list.length > 1) report(node, 'DUPLICATE_BLOCK', { key }, key);
    return list.length === 0 ? undefined : readBody(list[0], schema);
  }
  return list.map((n) => readBody(n, schema));
}

export function readBody(node: Node, schema: Schema): Record<string, unknown> {
  if (schema.open) return { ...node.body };
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(node.body)) {
    const field = schema.fields[key];
    if (field === undefined) {
      report(node, 'UNKNOWN_KEY', { key }, key);
      continue;
    }
    const v = readField(node, key, field);
    if (v !== undefined) out[typeof field === 'object' && field.api ? field.api : (schema.names?.[key] ?? apiName(key))] = v;
  }
  return out;
}

/** Group `scaling { … }`: horizontal only, one policy. */
export function decodeGroupScaling(group: Node): Record<string, unknown> | null {
  if (group.body['scaling'] === undefined) return null;
  if (isObject(group.body['scaling'])) {
    report(group, 'INVALID_VALUE', { message: 'group scaling block takes no label' }, 'scaling');
    return null;
  }
  const list = blocks(group, 'scaling');
  if (list.length > 1) report(group, 'DUPLICATE_BLOCK', { key: 'scaling' }, 'scaling');
  const n = list[0];
  if (n === undefined) return null;
  const body = readBody(n, SCALING);
  const type = body['Type'] ?? 'horizontal';
  if (type !== 'horizontal') report(n, 'INVALID_VALUE', { message: `scaling policy type "${String(type)}" is not allowed on a task group` }, 'type');
  return { ...body, Type: type };
}

/** Task `scaling "cpu" | "mem" { … }`: vertical, one per label, type matching the label. */
export function decodeTaskScaling(task: Node): Record<string, unknown>[] {
  const v = task.body['scaling'];
  if (v === undefined) return [];
  if (!isObject(v)) {
    report(task, 'MISSING_LABEL', { key: 'scaling', hint: ' ("cpu" or "mem")' }, 'scaling');
    return [];
  }
  const out: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const { label, node } of labelled(task, 'scaling')) {
    if (label !== 'cpu' && label !== 'mem') {
      report(node, 'INVALID_VALUE', { message: `scaling block label must be "cpu" or "mem", not "${label}"` });
      continue;
    }
    if (seen.has(label)) report(node, 'DUPLICATE_BLOCK', { key: `scaling "${label}"` });
    seen.add(label);
    const body = readBody(node, SCALING);
    const want = `vertical_${label}`;
    const type = body['Type'] ?? want;
    if (type !== want) report(node, 'INVALID_VALUE', { message: `scaling "${label}" must have type "${want}", not "${String(type)}"` }, 'type');
    out.push({ ...body, Type: type });
  }
  return out;
}
