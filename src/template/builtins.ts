/**
 * Go text/template's predefined functions (funcs.go): and or not len index slice print
 * printf println html js urlquery call, plus the comparisons in compare.ts.
 */
import { funcError } from './errors.js';
import { sprint, sprintln } from './fmt.js';
import { sprintf } from './printf.js';
import { goFunc, type TemplateFunc } from './func.js';
import { eq, ge, gt, le, lt, ne } from './compare.js';
import { byteLength, isMap, kindOf, truth, typeName } from './values.js';

const ASCII = /^[\x00-\x7f]*$/;

function indexArg(index: unknown, cap: number): number {
  const k = kindOf(index);
  if (k === 'invalid' || k === 'nil') throw funcError('cannot index slice/array with nil');
  if (k !== 'int') throw funcError(`cannot index slice/array with type ${typeName(index)}`);
  const x = Number(index);
  if (x < 0 || x > cap) throw funcError(`index out of range: ${x}`);
  return x;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw funcError('index of untyped nil');
  for (const ix of indexes) {
    if (item === null || item === undefined) throw funcError('index of nil pointer');
    if (typeof item === 'string' || Array.isArray(item)) {
      const len = typeof item === 'string' ? byteLength(item) : item.length;
      const x = indexArg(ix, len);
      // Go's indexArg lets x == len through and reflect's Index then panics with this text
      if (x === len) throw funcError(`reflect: ${typeof item === 'string' ? 'string' : 'slice'} index out of range`);
      if (typeof item === 'string') item = ASCII.test(item) ? item.charCodeAt(x) : Buffer.from(item)[x];
      else item = item[x] === undefined ? null : item[x];
    } else if (isMap(item)) {
      if (ix === undefined || ix === null) throw funcError('value is nil; should be of type string');
      if (typeof ix !== 'string') throw funcError(`value has type ${typeName(ix)}; should be string`);
      item = Object.hasOwn(item, ix) ? (item[ix] ?? null) : null;
    } else throw funcError(`can't index item of type ${typeName(item)}`);
  }
  return item;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw funcError('slice of untyped nil');
  if (indexes.length > 3) throw funcError(`too many slice indexes: ${indexes.length}`);
  let len: number;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw funcError('cannot 3-index slice a string');
    len = byteLength(item);
  } else if (Array.isArray(item)) len = item.length;
  else throw funcError(`can't slice item of type ${typeName(item)}`);
  const idx = [0, len, len];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(ix, len);
  });
  if (idx[0] > idx[1]) throw funcError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1] > idx[2]) throw funcError(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (typeof item === 'string') {
    return ASCII.test(item) ? item.slice(idx[0], idx[1]) : Buffer.from(item).subarray(idx[0], idx[1]).toString();
  }
  return (item as unknown[]).slice(idx[0], idx[1]);
}

function length(item: unknown): number {
  switch (kindOf(item)) {
    case 'string':
      return byteLength(item as string);
    case 'slice':
      return (item as unknown[]).length;
    case 'map':
      return Object.keys(item as object).length;
    case 'nil':
      throw funcError('len of nil pointer');
    case 'invalid':
      // Go's length() asks a zero reflect.Value for its type, and reflect panics so
      throw funcError('reflect: call of reflect.Value.Type on zero Value');
    default:
      throw funcError(`len of type ${typeName(item)}`);
  }
}

/** html/js/urlquery print their arguments as fmt.Sprint does, with a nil as `<no value>`. */
function evalArgs(args: readonly unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? '<no value>' : a)));
}

export function htmlEscape(s: string): string {
  return s.replace(/["'&<>\0]/g, (c) => HTML[c]);
}
const HTML: Readonly<Record<string, string>> = { '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;', '\0': '\uFFFD' };

const IS_PRINT = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;
const JS: Readonly<Record<string, string>> = {
  '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D',
};

export function jsEscape(s: string): string {
  let out = '';
  for (const c of s) {
    const cp = c.codePointAt(0) as number;
    if (c in JS) out += JS[c];
    else if (cp < 0x20) out += `\\u00${cp.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (cp < 0x80 || IS_PRINT.test(c)) out += c;
    else out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `call FN ARGS…`; the engine passes the callee's source text first, as Go's evalCall does. */
function call(name: string, fn: unknown, ...args: unknown[]): unknown {
  if (fn === undefined || fn === null) throw funcError('call of nil');
  if (typeof fn !== 'function') throw funcError(`non-function ${name} of type ${typeName(fn)}`);
  return (fn as (...a: unknown[]) => unknown)(...args.map((a) => (a === undefined ? null : a)));
}

export const BUILTINS: Readonly<Record<string, TemplateFunc>> = {
  and: goFunc(['value'], () => undefined, 'value'), // evaluated by the engine: it short-circuits
  or: goFunc(['value'], () => undefined, 'value'),
  not: goFunc(['value'], (v: unknown) => !truth(v)),
  len: goFunc(['value'], length),
  index: goFunc(['value'], index, 'value'),
  slice: goFunc(['value'], slice, 'value'),
  print: goFunc([], (...a: unknown[]) => sprint(a), 'any'),
  printf: goFunc(['string'], (f: string, ...a: unknown[]) => sprintf(f, a), 'any'),
  println: goFunc([], (...a: unknown[]) => sprintln(a), 'any'),
  eq: goFunc(['value'], eq, 'value'),
  ne: goFunc(['value', 'value'], ne),
  lt: goFunc(['value', 'value'], lt),
  le: goFunc(['value', 'value'], le),
  gt: goFunc(['value', 'value'], gt),
  ge: goFunc(['value', 'value'], ge),
  html: goFunc([], (...a: unknown[]) => htmlEscape(evalArgs(a)), 'any'),
  js: goFunc([], (...a: unknown[]) => jsEscape(evalArgs(a)), 'any'),
  urlquery: goFunc([], (...a: unknown[]) => queryEscape(evalArgs(a)), 'any'),
  call: goFunc(['value'], call, 'value'),
};
