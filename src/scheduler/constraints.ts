import type { Constraint } from '../jobspec/types.js';
import type { NodeInfo } from '../node/types.js';
import { assertNever } from '../util/assert.js';
import { matchSemverConstraint, matchVersionConstraint } from './version.js';

/**
 * Constraint checks against this node, as Nomad's scheduler/feasible.go does them
 * (`resolveTarget`, `checkConstraint`, `checkOrder`). distinct_hosts and distinct_property
 * depend on allocations, not the node, and live in distinct.ts; here they always pass.
 */

export interface Resolved {
  /** "" when not found, as Nomad resolves a missing target. */
  readonly value: string;
  readonly found: boolean;
}

/** A target not starting with `${` is a literal; an unknown `${…}` is not found. */
export function resolveTarget(target: string, node: NodeInfo): Resolved {
  if (!target.startsWith('${')) return { value: target, found: true };
  switch (target) {
    case '${node.unique.id}':
      return { value: node.id, found: true };
    case '${node.unique.name}':
      return { value: node.name, found: true };
    case '${node.datacenter}':
      return { value: node.datacenter, found: true };
    case '${node.region}':
      return { value: node.region, found: true };
    case '${node.class}':
      return { value: node.nodeClass, found: true };
  }
  const inner = target.endsWith('}') ? target.slice(2, -1) : target.slice(2);
  if (inner.startsWith('attr.')) return lookup(node.attributes, inner.slice(5));
  if (inner.startsWith('meta.')) return lookup(node.meta, inner.slice(5));
  return { value: '', found: false };
}

function lookup(map: Readonly<Record<string, string>>, key: string): Resolved {
  return Object.hasOwn(map, key) ? { value: map[key], found: true } : { value: '', found: false };
}

/** Nomad's Constraint.String(): `LTarget Operand RTarget`, spaces kept even when empty. */
export function constraintString(c: Constraint): string {
  return `${c.attribute} ${c.operator} ${c.value}`;
}

/** Whether the node satisfies one constraint. */
export function meetsConstraint(c: Constraint, node: NodeInfo): boolean {
  const l = resolveTarget(c.attribute, node);
  const r = resolveTarget(c.value, node);
  const both = l.found && r.found;
  switch (c.operator) {
    case 'distinct_hosts':
    case 'distinct_property':
      return true;
    case '=':
      return both && l.value === r.value;
    case '!=':
      // A missing target resolves to "" and is unequal to anything else, as in Nomad.
      return l.value !== r.value;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return both && checkOrder(c.operator, l.value, r.value);
    case 'is_set':
      return l.found;
    case 'is_not_set':
      return !l.found;
    case 'version':
      return both && matchVersionConstraint(l.value, r.value);
    case 'semver':
      return both && matchSemverConstraint(l.value, r.value);
    case 'regexp':
      return both && matchRegexp(l.value, r.value);
    case 'set_contains':
    case 'set_contains_all':
      return both && setContains(l.value, r.value, 'all');
    case 'set_contains_any':
      return both && setContains(l.value, r.value, 'any');
    default:
      return assertNever(c.operator, 'constraint operator');
  }
}

const INT = /^[+-]?\d+$/;
// What Go's strconv.ParseFloat accepts in practice for attribute values.
const FLOAT = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)$/i;

/**
 * Nomad ≥ 1.5's checkOrder: as integers when both sides parse as integers, else as floats
 * when both parse as floats, else lexically (byte order). Before that Nomad compared only
 * lexically, so "10" < "9"; the numeric rule is the one current job files are written for.
 */
export function checkOrder(op: '<' | '<=' | '>' | '>=', l: string, r: string): boolean {
  if (INT.test(l) && INT.test(r)) return order(op, BigInt(l), BigInt(r));
  if (FLOAT.test(l) && FLOAT.test(r)) return order(op, goFloat(l), goFloat(r));
  return order(op, Buffer.compare(Buffer.from(l), Buffer.from(r)), 0);
}

function goFloat(s: string): number {
  return Number(s.replace(/^([+-]?)inf(inity)?$/i, '$1Infinity'));
}

function order<T extends number | bigint>(op: '<' | '<=' | '>' | '>=', a: T, b: T): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/**
 * Go's RE2 and JavaScript's RegExp agree on the syntax job files use. Go's leading `(?i)`
 * flag group becomes the `i` flag; a pattern JavaScript cannot compile never matches, as
 * one Go cannot compile never does.
 */
function matchRegexp(value: string, pattern: string): boolean {
  let flags = '';
  let src = pattern;
  const m = /^\(\?([ims]+)\)/.exec(src);
  if (m) {
    src = src.slice(m[0].length);
    for (const f of m[1]) if (!flags.includes(f)) flags += f;
  }
  try {
    return new RegExp(src, flags).test(value);
  } catch {
    // An uncompilable pattern is a constraint nothing satisfies; jobspec validation reports it.
    return false;
  }
}

function setContains(have: string, want: string, mode: 'all' | 'any'): boolean {
  const set = new Set(have.split(',').map((s) => s.trim()));
  const items = want.split(',').map((s) => s.trim());
  return mode === 'all' ? items.every((i) => set.has(i)) : items.some((i) => set.has(i));
}

/** Nomad ≥ 1.5 datacenter matching: each entry is a glob where only `*` is special. */
export function datacenterMatches(patterns: readonly string[], dc: string): boolean {
  return patterns.some((p) => globMatch(p, dc));
}

function globMatch(pattern: string, s: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === s;
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (!s.startsWith(first) || s.length < first.length + last.length || !s.endsWith(last)) return false;
  let pos = first.length;
  const end = s.length - last.length;
  for (const mid of parts.slice(1, -1)) {
    const at = s.indexOf(mid, pos);
    if (at < 0 || at + mid.length > end) return false;
    pos = at + mid.length;
  }
  return true;
}
