/** consul-template's string helpers: case, trimming, splitting, joining, membership. */
import { funcError } from '../errors.js';
import { typeName, kindOf, num } from '../values.js';

/** Go's unicode.IsSpace set (JavaScript's \s also has U+FEFF and lacks U+0085). */
const SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const LEADING = new RegExp(`^[${SPACE}]+`);
const TRAILING = new RegExp(`[${SPACE}]+$`);

/** Printable ASCII cannot be Go space: the common case needs no regex. */
const plainEdge = (code: number): boolean => code > 0x20 && code < 0x7f;

export function trimSpace(s: string): string {
  if (s.length > 0 && plainEdge(s.charCodeAt(0)) && plainEdge(s.charCodeAt(s.length - 1))) return s;
  return s.replace(LEADING, '').replace(TRAILING, '');
}

/** strings.Trim(s, cutset): drops leading and trailing runes found in cutset. */
export function trim(cutset: string, s: string): string {
  const set = new Set(cutset);
  const runes = [...s];
  let a = 0;
  let b = runes.length;
  while (a < b && set.has(runes[a])) a++;
  while (b > a && set.has(runes[b - 1])) b--;
  return runes.slice(a, b).join('');
}

export function trimPrefix(prefix: string, s: string): string {
  return prefix !== '' && s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

export function trimSuffix(suffix: string, s: string): string {
  return suffix !== '' && s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
}

const ASCII = /^[\x00-\x7f]*$/;

/**
 * strings.ToLower/ToUpper map rune by rune (Unicode's simple case mapping): where JavaScript
 * would expand one character into several ('ß' → 'SS'), Go keeps it.
 */
function mapRunes(s: string, upper: boolean): string {
  if (ASCII.test(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = '';
  for (const c of s) {
    if (!upper && c === '\u0130') {
      out += 'i';
      continue;
    }
    const m = upper ? c.toUpperCase() : c.toLowerCase();
    out += [...m].length === 1 ? m : c;
  }
  return out;
}

export const toLower = (s: string): string => mapRunes(s, false);
export const toUpper = (s: string): string => mapRunes(s, true);

/** cases.Title(language.Und, cases.NoLower): upper-case the first letter of each word. */
export function toTitle(s: string): string {
  const runes = [...s];
  let out = '';
  let inWord = false;
  for (let i = 0; i < runes.length; i++) {
    const c = runes[i];
    const letter = /[\p{L}\p{N}]/u.test(c);
    const joiner: boolean = /['’.:_\p{M}]/u.test(c) && inWord && /[\p{L}\p{N}]/u.test(runes[i + 1] ?? '');
    if (letter && !inWord) out += c.toUpperCase();
    else out += c;
    inWord = letter || joiner || (c === '_' && inWord);
  }
  return out;
}

/** strings.ReplaceAll(s, from, to); an empty `from` inserts `to` around every rune, as Go does. */
export function replaceAll(from: string, to: string, s: string): string {
  if (from === '') return [...s].reduce((acc, c) => acc + c + to, to);
  return s.split(from).join(to);
}

/** strings.Split after TrimSpace; an empty string gives an empty list. */
export function split(sep: string, s: string): string[] {
  s = trimSpace(s);
  if (s === '') return [];
  return sep === '' ? [...s] : s.split(sep);
}

export function splitToMap(sep1: string, sep2: string, s: string): Record<string, string> {
  s = trimSpace(s);
  const m: Record<string, string> = {};
  if (s === '') return m;
  for (const part of sep1 === '' ? [...s] : s.split(sep1)) {
    const at = part.indexOf(sep2);
    if (at < 0) continue;
    m[part.slice(0, at)] = part.slice(at + sep2.length);
  }
  return m;
}

export function join(sep: string, a: readonly string[]): string {
  return a.join(sep);
}

export function indent(spaces: number, s: string): string {
  if (spaces < 0) throw funcError('indent value must be a positive integer');
  const prefix = ' '.repeat(spaces);
  return s.replace(/(?:^|(?<=\n))(?=[^\n])/g, prefix);
}

/** `in l v`: is v an element of list l (same kind), or a substring of string l? */
export function inList(l: unknown, v: unknown): boolean {
  if (Array.isArray(l)) {
    const kv = kindOf(v);
    for (const e of l) {
      const ke = kindOf(e);
      if (ke !== kv) continue;
      if (ke === 'int' && e === v) return true;
      if (ke === 'float' && num(e) === num(v)) return true;
      if (ke === 'string' && e === v) return true;
    }
    return false;
  }
  if (typeof l === 'string') return typeof v === 'string' && l.includes(v);
  return false;
}

export function contains(v: unknown, l: unknown): boolean {
  return inList(l, v);
}

/** containsAll / containsAny / containsNone / containsNotAll (consul-template's containsSomeFunc). */
export function containsSome(retTrue: boolean, invert: boolean): (v: unknown, l: unknown) => boolean {
  return (v, l) => {
    if (!Array.isArray(v)) throw funcError(`wrong type for value; expected []interface {}; got ${typeName(v)}`);
    for (const x of v) if (inList(l, x) !== invert) return !retTrue;
    return retTrue;
  };
}
