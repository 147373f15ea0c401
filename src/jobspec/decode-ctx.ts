/**
 * The decoder's reading tools: a `Node` is one block of the hcl2json tree together with its
 * place in the source outline and its path in Nomad's words, and the readers take a value
 * out of it, coerce it as Nomad's decoder does (HCL1 accepted `mbits = "100"`), record a
 * diagnostic when it cannot, and fall back to the default so that one pass finds every
 * problem.
 */
import { parseDuration } from '../util/duration.js';
import { makeDiagnostic, type DiagnosticCode, type Position } from './diagnostics.js';
import { labelText, type OutlineBlock } from './hcl-outline.js';
import type { HclObject, HclValue } from './parse.js';
import type { Diagnostic } from './types.js';

export interface Sink {
  readonly file: string;
  readonly locate: (offset: number) => Position;
  readonly diagnostics: Diagnostic[];
  /** Path → where it is, for checks that run after decoding (validate.ts). */
  readonly positions: Map<string, Position>;
}

export interface Node {
  readonly body: HclObject;
  readonly path: string;
  readonly ob: OutlineBlock | null;
  readonly sink: Sink;
}

export function isObject(v: HclValue | undefined): v is HclObject {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

export function describe(v: HclValue | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a block or map';
  return `${typeof v} ${JSON.stringify(v)}`;
}

export function joinPath(base: string, part: string): string {
  return base === '' ? part : `${base} → ${part}`;
}

export function pos(node: Node, key?: string): Position {
  const ob = node.ob;
  const none: Position = { file: node.sink.file, line: 0, column: 0 };
  if (ob === null) return none;
  if (key !== undefined) {
    const a = ob.attrs.find((x) => x.name === key);
    if (a) return node.sink.locate(a.nameTok.start);
    const b = ob.blocks.find((x) => x.type === key);
    if (b?.typeTok) return node.sink.locate(b.typeTok.start);
  }
  return ob.typeTok ? node.sink.locate(ob.typeTok.start) : none;
}

export function report(node: Node, code: DiagnosticCode, args: Readonly<Record<string, string | number>>, key?: string): void {
  node.sink.diagnostics.push(makeDiagnostic(code, args, node.path, pos(node, key)));
}

export function checkKeys(node: Node, allowed: readonly string[]): void {
  for (const key of Object.keys(node.body)) {
    if (!allowed.includes(key)) report(node, 'UNKNOWN_KEY', { key }, key);
  }
}

function wrongType(node: Node, key: string, expected: string, v: HclValue | undefined): void {
  report(node, 'WRONG_TYPE', { key, expected, got: describe(v) }, key);
}

export function str(node: Node, key: string, def: string): string {
  const v = node.body[key];
  if (v === undefined || v === null) return def;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  wrongType(node, key, 'a string', v);
  return def;
}

export function optStr(node: Node, key: string): string | null {
  return node.body[key] === undefined || node.body[key] === null ? null : str(node, key, '');
}

export function int(node: Node, key: string, def: number): number {
  const v = node.body[key];
  if (v === undefined || v === null) return def;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (Number.isInteger(n)) return n;
  wrongType(node, key, 'a whole number', v);
  return def;
}

export function bool(node: Node, key: string, def: boolean): boolean {
  const v = node.body[key];
  if (v === undefined || v === null) return def;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  wrongType(node, key, 'true or false', v);
  return def;
}

/** Milliseconds. A bare number is nanoseconds, as Go's time.Duration reads it. */
export function duration(node: Node, key: string, defMs: number): number {
  const v = node.body[key];
  if (v === undefined || v === null) return defMs;
  if (typeof v === 'number') return v / 1e6;
  if (typeof v === 'string') {
    const ms = parseDuration(v);
    if (ms !== null) return ms;
    report(node, 'INVALID_DURATION', { key, value: v }, key);
    return defMs;
  }
  wrongType(node, key, 'a duration string', v);
  return defMs;
}

export function strList(node: Node, key: string): string[] {
  const v = node.body[key];
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) {
    return v.map((x) => String(x));
  }
  wrongType(node, key, 'a list of strings', v);
  return [];
}

/** `meta { a = "b" }` and `meta = { a = "b" }` both read as a string map. */
export function strMap(node: Node, key: string): Record<string, string> {
  const out: Record<string, string> = {};
  const v = node.body[key];
  const maps = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  for (const m of maps) {
    if (!isObject(m)) {
      wrongType(node, key, 'a map of strings', m);
      continue;
    }
    for (const [k, x] of Object.entries(m)) {
      if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
      else wrongType(node, `${key}.${k}`, 'a string', x);
    }
  }
  return out;
}

/** Unlabelled blocks `key { … }`, in the block form (a list) or the attribute form (a map). */
export function blocks(node: Node, key: string): Node[] {
  const v = node.body[key];
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  const obs = node.ob?.blocks.filter((b) => b.type === key && b.labels.length === 0) ?? [];
  const out: Node[] = [];
  list.forEach((b, i) => {
    if (!isObject(b)) {
      wrongType(node, key, 'a block', b);
      return;
    }
    out.push({ body: b, path: joinPath(node.path, key), ob: obs[i] ?? null, sink: node.sink });
  });
  return out;
}

/** At most one `key { … }` block; a second is an error, as in Nomad's parser. */
export function oneBlock(node: Node, key: string): Node | null {
  const bs = blocks(node, key);
  if (bs.length > 1) report(node, 'DUPLICATE_BLOCK', { key }, key);
  return bs[0] ?? null;
}

export interface Labelled {
  readonly label: string;
  readonly node: Node;
}

/** One-label blocks `key "label" { … }`, in file order per label. */
export function labelled(node: Node, key: string, describeAs = key): Labelled[] {
  const v = node.body[key];
  if (v === undefined || v === null) return [];
  if (!isObject(v)) {
    wrongType(node, key, `"${key}" blocks with a label`, v);
    return [];
  }
  const out: Labelled[] = [];
  for (const [label, list] of Object.entries(v)) {
    const bodies = Array.isArray(list) ? list : [list];
    const obs = node.ob?.blocks.filter((b) => b.type === key && b.labels.length === 1 && labelText(b.labels[0]) === label) ?? [];
    bodies.forEach((b, i) => {
      const path = joinPath(node.path, `${describeAs} "${label}"`);
      if (!isObject(b)) {
        report(node, 'MISSING_LABEL', { key, hint: '' }, key);
        return;
      }
      out.push({ label, node: { body: b, path, ob: obs[i] ?? null, sink: node.sink } });
    });
  }
  return inFileOrder(node, out);
}

/**
 * The parser's JSON comes from Go maps, whose keys it sorts (`group "b"` before `group "a"`
 * when the file has them the other way round); the source outline knows the file's order.
 */
function inFileOrder(parent: Node, xs: Labelled[]): Labelled[] {
  const all = parent.ob?.blocks;
  if (all === undefined || xs.length < 2) return xs;
  const at = (x: Labelled): number => (x.node.ob === null ? Number.MAX_SAFE_INTEGER : all.indexOf(x.node.ob));
  return xs.map((x, i) => ({ x, i, k: at(x) })).sort((a, b) => a.k - b.k || a.i - b.i).map((e) => e.x);
}

export function remember(node: Node, key?: string): void {
  node.sink.positions.set(key === undefined ? node.path : joinPath(node.path, key), pos(node, key));
}
