/**
 * Go's fmt.Sprintf for the verbs templates use (%v %s %d %q %x %X %o %O %b %c %U %e %E %f %F
 * %g %G %t %T %%), flags `+-# 0`, width and precision (also `*`), and Go's error forms
 * (`%!d(string=x)`, `%!d(MISSING)`, `%!(EXTRA …)`, `%!(NOVERB)`).
 */
import { formatFloat, type FloatFormat } from './floats.js';
import { formatValue, quote } from './fmt.js';
import { GoFloat, kindOf, num, sortedKeys, typeName, type GoMap } from './values.js';

interface Spec {
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

/** One operand under one verb. */
export function formatVerb(v: unknown, verb: string, f: Spec): string {
  if (verb === 'T') return pad(typeName(v), f);
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

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  const n = format.length;
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const f: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false, width: -1, prec: -1 };
    flags: for (; i < n; i++) {
      switch (format[i]) {
        case '-': f.minus = true; f.zero = false; break;
        case '+': f.plus = true; break;
        case '#': f.sharp = true; break;
        case ' ': f.space = true; break;
        case '0': f.zero = !f.minus; break;
        default: break flags;
      }
    }
    const number = (): number => {
      let v = -1;
      while (i < n && format[i] >= '0' && format[i] <= '9') {
        v = (v < 0 ? 0 : v * 10) + Number(format[i]);
        i++;
      }
      return v;
    };
    if (format[i] === '*') {
      i++;
      const w = args[argi++];
      if (typeof w === 'number' && Number.isInteger(w)) {
        f.width = Math.abs(w);
        if (w < 0) { f.minus = true; f.zero = false; }
      } else out += '%!(BADWIDTH)';
    } else f.width = number();
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        i++;
        const p = args[argi++];
        if (typeof p === 'number' && Number.isInteger(p) && p >= 0) f.prec = p;
        else out += '%!(BADPREC)';
      } else f.prec = Math.max(number(), 0);
    }
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatVerb(args[argi++], verb, f);
  }
  if (argi < args.length) {
    out += `%!(EXTRA ${args.slice(argi).map((a) => (a === null || a === undefined ? '<nil>' : `${typeName(a)}=${formatValue(a)}`)).join(', ')})`;
  }
  return out;
}
