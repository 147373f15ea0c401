/**
 * fmt's verbs on one operand: integers, floats (Go's rounding via floats.ts), strings, %v
 * of lists and maps element by element, %#v's Go syntax, %T, width and flags, and the
 * `%!verb(type=value)` form for a verb that does not fit.
 */
import { formatFloat, type FloatFormat } from './floats.js';
import { formatValue, quote } from './fmt.js';
import { GoFloat, kindOf, num, sortedKeys, typeName, type GoMap } from './values.js';

export interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number; // -1: none
  prec: number; // -1: none
}

function pad(s: string, f: Spec, numeric = false): string {
  if (f.width < 0 || s.length >= f.width * 2) return s;
  const n = [...s].length;
  if (n >= f.width) return s;
  const fill = f.width - n;
  if (f.minus) return s + ' '.repeat(fill);
  if (f.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s[0] : '';
    const rest = s.slice(sign.length);
    const prefix = /^0[xXbo]/.test(rest) && f.sharp ? rest.slice(0, 2) : '';
    return sign + prefix + '0'.repeat(fill) + rest.slice(prefix.length);
  }
  if (f.zero && !numeric) return '0'.repeat(fill) + s;
  return ' '.repeat(fill) + s;
}

function signed(s: string, negative: boolean, f: Spec): string {
  if (negative) return `-${s}`;
  if (f.plus) return `+${s}`;
  if (f.space) return ` ${s}`;
  return s;
}

function bad(verb: string, v: unknown): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatValue(v)})`;
}

function fmtInt(v: number, verb: string, f: Spec): string {
  const neg = v < 0;
  const a = Math.abs(v);
  let s: string;
  switch (verb) {
    case 'd': case 'v': s = String(a); break;
    case 'x': s = a.toString(16); if (f.sharp) s = `0x${s}`; break;
    case 'X': s = a.toString(16).toUpperCase(); if (f.sharp) s = `0X${s}`; break;
    case 'o': s = a.toString(8); if (f.sharp && s !== '0') s = `0${s}`; break;
    case 'O': s = `0o${a.toString(8)}`; break;
    case 'b': s = a.toString(2); break;
    case 'c': return pad(String.fromCodePoint(v), f);
    case 'q': return pad(quote(String.fromCodePoint(v), "'"), f);
    case 'U': s = `U+${a.toString(16).toUpperCase().padStart(4, '0')}`; break;
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
      return bad(verb, v);
    default: return bad(verb, v);
  }
  if (f.prec >= 0) {
    const m = /^(0[xXo]?)?(.*)$/.exec(s) as RegExpExecArray;
    const digits = m[2].padStart(f.prec, '0');
    s = (m[1] && f.sharp ? m[1] : '') + (f.prec === 0 && a === 0 ? '' : digits);
    const z = { ...f, zero: false };
    return pad(signed(s, neg, f), z, true);
  }
  return pad(signed(s, neg, f), f, true);
}

function fmtFloat(x: number, verb: string, f: Spec): string {
  let fmt: FloatFormat;
  let prec = f.prec;
  switch (verb) {
    case 'v': fmt = 'g'; break;
    case 'e': case 'E': fmt = verb; if (prec < 0) prec = 6; break;
    case 'f': case 'F': fmt = 'f'; if (prec < 0) prec = 6; break;
    case 'g': case 'G': fmt = verb; break;
    default: return bad(verb, new GoFloat(x));
  }
  let s = formatFloat(x, fmt, prec);
  if (s === '+Inf' || s === '-Inf' || s === 'NaN') {
    // Go keeps the sign of an infinity and shows one for NaN only when asked
    if (s === 'NaN' && (f.plus || f.space)) s = `${f.plus ? '+' : ' '}NaN`;
    else if (s === '+Inf' && f.space && !f.plus) s = ' Inf';
    return pad(s, { ...f, zero: false }, true);
  }
  if (f.plus && !s.startsWith('-')) s = `+${s}`;
  else if (f.space && !s.startsWith('-')) s = ` ${s}`;
  return pad(s, f, true);
}

function fmtString(s: string, verb: string, f: Spec): string {
  if (f.prec >= 0 && (verb === 's' || verb === 'v' || verb === 'q')) s = [...s].slice(0, f.prec).join('');
  switch (verb) {
    case 's': case 'v': return pad(s, f);
    case 'q':
      if (f.sharp && !/[`\x00-\x08\x0a-\x1f\x7f]/.test(s)) return pad(`\`${s}\``, f);
      return pad(quote(s), f);
    case 'x': case 'X': {
      let h = [...Buffer.from(s)].map((b) => b.toString(16).padStart(2, '0')).join(f.space ? ' ' : '');
      if (verb === 'X') h = h.toUpperCase();
      return pad(h, f);
    }
    default: return bad(verb, s);
  }
}

/** %#v: a Go-syntax representation. */
function goSyntax(v: unknown, top = true): string {
  switch (kindOf(v)) {
    case 'invalid': case 'nil':
      return top ? '<nil>' : 'interface {}(nil)';
    case 'string':
      return quote(v as string);
    case 'slice':
      return `[]interface {}{${(v as unknown[]).map((e) => goSyntax(e, false)).join(', ')}}`;
    case 'map': {
      const m = v as GoMap;
      return `map[string]interface {}{${sortedKeys(m).map((k) => `${quote(k)}:${goSyntax(m[k], false)}`).join(', ')}}`;
    }
    default:
      return formatValue(v);
  }
}

/** One operand under one verb. */
export function formatVerb(v: unknown, verb: string, f: Spec): string {
  if (verb === 'T') return pad(typeName(v), f);
  if (verb === 'v' && f.sharp) return pad(goSyntax(v), f);
  const k = kindOf(v);
  switch (k) {
    case 'invalid': case 'nil':
      return verb === 'v' ? pad('<nil>', f) : bad(verb, v);
    case 'bool':
      return verb === 't' || verb === 'v' ? pad(v ? 'true' : 'false', f) : bad(verb, v);
    case 'int':
      return verb === 's' || verb === 't' ? bad(verb, v) : fmtInt(Number(v), verb, f);
    case 'float':
      return fmtFloat(num(v), verb, f);
    case 'string':
      return fmtString(v as string, verb, f);
    case 'slice':
      return `[${(v as unknown[]).map((e) => formatVerb(e, verb, { ...f, width: f.width })).join(' ')}]`;
    case 'map': {
      const m = v as GoMap;
      return `map[${sortedKeys(m).map((key) => `${formatVerb(key, verb, f)}:${formatVerb(m[key], verb, f)}`).join(' ')}]`;
    }
    case 'func':
      return verb === 'v' || verb === 'p' ? pad('0xfunc', f) : bad(verb, v);
  }
}
