/**
 * How Go values are held in JavaScript while a template runs.
 * - `undefined` is Go's invalid reflect.Value: a missing map key, nil data (`<no value>`).
 * - `null` is a nil interface (`<nil>` when printed inside a value or by `print`).
 * - A JS number is an `int` when it is an integer, else a `float64`; a `GoFloat` box marks
 *   an integral float64 (`1.0`, `1e6`, parseJSON numbers) so it prints and compares as Go does.
 * - strings, booleans; arrays are `[]interface {}`; plain objects are `map[string]interface {}`;
 *   functions are func values (for `call`).
 */
export class GoFloat {
  constructor(readonly value: number) {}
}

export type GoMap = { readonly [key: string]: unknown };

export type Kind = 'invalid' | 'nil' | 'bool' | 'int' | 'float' | 'string' | 'slice' | 'map' | 'func';

export function kindOf(v: unknown): Kind {
  switch (typeof v) {
    case 'undefined':
      return 'invalid';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
    case 'function':
      return 'func';
    case 'object':
      if (v === null) return 'nil';
      if (v instanceof GoFloat) return 'float';
      if (Array.isArray(v)) return 'slice';
      return 'map';
    default:
      return 'invalid';
  }
}

export function isMap(v: unknown): v is GoMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoFloat);
}

/** A float64's number, or an int's. */
export function num(v: unknown): number {
  return v instanceof GoFloat ? v.value : Number(v);
}

/** Go's type name of a value, as error messages and %T print it. */
export function typeName(v: unknown): string {
  switch (kindOf(v)) {
    case 'invalid':
      return '<nil>';
    case 'nil':
      return '<nil>';
    case 'bool':
      return 'bool';
    case 'int':
      return 'int';
    case 'float':
      return 'float64';
    case 'string':
      return 'string';
    case 'slice':
      return (v as unknown[]).length > 0 && (v as unknown[]).every((e) => typeof e === 'string') ? '[]string' : '[]interface {}';
    case 'map':
      return 'map[string]interface {}';
    case 'func':
      return 'func(...interface {}) (interface {}, error)';
  }
}

/** Go's isTrue: the empty value of its type is false; nil and missing are false. */
export function truth(v: unknown): boolean {
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    case 'string':
      return v.length > 0;
    case 'undefined':
      return false;
    case 'function':
      return true;
    case 'bigint':
      return v !== 0n;
    case 'object':
      if (v === null) return false;
      if (v instanceof GoFloat) return v.value !== 0;
      if (Array.isArray(v)) return v.length > 0;
      for (const _ in v) return true;
      return false;
    default:
      return true;
  }
}

/** Map keys in Go's printing and range order (fmtsort: strings byte-wise). */
export function sortedKeys(m: GoMap): string[] {
  const keys = Object.keys(m);
  return keys.sort(compareStrings);
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Byte-wise comparison of UTF-8 strings; UTF-16 code-unit order differs only past U+FFFF. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  if (SURROGATE.test(a) || SURROGATE.test(b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : 1;
}

/** Go's len of a string counts bytes. */
export function byteLength(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s);
  return s.length;
}
