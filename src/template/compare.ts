/** The comparison built-ins (eq ne lt le gt ge) with Go's kinds and errors (funcs.go). */
import { funcError } from './errors.js';
import { formatValue } from './fmt.js';
import { compareStrings, kindOf, num, typeName, type Kind } from './values.js';

type Basic = 'invalid' | 'bool' | 'int' | 'float' | 'string' | 'other';

function basic(v: unknown): Basic {
  const k: Kind = kindOf(v);
  switch (k) {
    case 'nil':
    case 'invalid':
      return 'invalid';
    case 'bool': case 'int': case 'float': case 'string':
      return k;
    default:
      return 'other';
  }
}

const BAD_COMPARISON = 'incompatible types for comparison';
const BAD_COMPARISON_TYPE = 'invalid type for comparison';

function equal(a: unknown, b: unknown, ka: Basic): boolean {
  switch (ka) {
    case 'bool': case 'string': case 'int':
      return a === b;
    case 'float':
      return num(a) === num(b);
    case 'invalid':
      return true;
    default:
      if (!isComparable(a)) throw funcError(`non-comparable type ${formatValue(a)}: ${typeName(a)}`);
      if (!isComparable(b)) throw funcError(`non-comparable type ${formatValue(b)}: ${typeName(b)}`);
      return a === b;
  }
}

function isComparable(v: unknown): boolean {
  const k = kindOf(v);
  return k !== 'slice' && k !== 'map' && k !== 'func';
}

/** eq arg1 arg2…: true if arg1 equals any of the others. */
export function eq(arg1: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw funcError('missing argument for comparison');
  const k1 = basic(arg1);
  for (const arg of rest) {
    const k2 = basic(arg);
    if (k1 !== k2) {
      if (k1 !== 'invalid' && k2 !== 'invalid') throw funcError(BAD_COMPARISON);
      continue;
    }
    if (equal(arg1, arg, k1)) return true;
  }
  return false;
}

export function ne(a: unknown, b: unknown): boolean {
  return !eq(a, b);
}

export function lt(a: unknown, b: unknown): boolean {
  const k1 = basic(a);
  if (k1 === 'invalid' || k1 === 'other') throw funcError(BAD_COMPARISON_TYPE);
  const k2 = basic(b);
  if (k2 === 'invalid' || k2 === 'other') throw funcError(BAD_COMPARISON_TYPE);
  if (k1 !== k2) throw funcError(BAD_COMPARISON);
  switch (k1) {
    case 'bool':
      throw funcError(BAD_COMPARISON_TYPE);
    case 'string':
      return compareStrings(a as string, b as string) < 0;
    default:
      return num(a) < num(b);
  }
}

export function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq(a, b);
}

export function gt(a: unknown, b: unknown): boolean {
  return !le(a, b);
}

export function ge(a: unknown, b: unknown): boolean {
  return !lt(a, b);
}
