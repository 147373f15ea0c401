/**
 * Go literal syntax the parser needs: strconv.Unquote for "…", `…` and '…', and the number
 * forms Go's template parser accepts (ParseInt/ParseUint with base 0, ParseFloat), each
 * returning undefined where Go's strconv reports a syntax error; numberNode is parse.go's
 * newNumber.
 */
import type { NumberNode } from './nodes.js';
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\',
};

/** strconv.Unquote; undefined for "invalid syntax". */
export function unquote(s: string): string | undefined {
  if (s.length < 2) return undefined;
  const q = s[0];
  if (q !== s[s.length - 1]) return undefined;
  const body = s.slice(1, -1);
  if (q === '`') return body.includes('`') ? undefined : body.replace(/\r/g, '');
  if (q !== '"' && q !== "'") return undefined;
  let out = '';
  // \xNN and \NNN are bytes in a Go string: collected as bytes, then read as UTF-8
  let bytes: Buffer[] | undefined;
  let i = 0;
  let runes = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === q) return undefined;
    if (c === '\n') return undefined;
    if (c !== '\\') {
      const cp = body.codePointAt(i) as number;
      out += String.fromCodePoint(cp);
      i += cp > 0xffff ? 2 : 1;
      runes++;
      continue;
    }
    const r = unescape(body, i + 1, q);
    if (r === undefined) return undefined;
    if (r.byte && q === '"') {
      bytes ??= [];
      bytes.push(Buffer.from(out), Buffer.from([r.text.charCodeAt(0)]));
      out = '';
    } else out += r.text;
    i = r.next;
    runes++;
  }
  if (q === "'" && runes !== 1) return undefined;
  if (bytes !== undefined) return Buffer.concat([...bytes, Buffer.from(out)]).toString('utf8');
  return out;
}

function unescape(s: string, i: number, quote: string): { text: string; next: number; byte?: boolean } | undefined {
  const c = s[i];
  if (c === undefined) return undefined;
  if (c in SIMPLE_ESCAPES) return { text: SIMPLE_ESCAPES[c], next: i + 1 };
  if (c === quote) return { text: c, next: i + 1 };
  const hex = (n: number): { text: string; next: number; byte?: boolean } | undefined => {
    const h = s.slice(i + 1, i + 1 + n);
    if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) return undefined;
    const v = parseInt(h, 16);
    if (n === 2) return { text: String.fromCharCode(v), next: i + 1 + n, byte: true };
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return undefined;
    return { text: String.fromCodePoint(v), next: i + 1 + n };
  };
  if (c === 'x') return hex(2);
  if (c === 'u') return hex(4);
  if (c === 'U') return hex(8);
  if (c >= '0' && c <= '7') {
    const o = s.slice(i, i + 3);
    if (!/^[0-7]{3}$/.test(o)) return undefined;
    const v = parseInt(o, 8);
    if (v > 255) return undefined;
    return { text: String.fromCharCode(v), next: i + 3, byte: true };
  }
  return undefined;
}

/** Go's underscoreOK: underscores only between digits or right after a base prefix. */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s[0] === '+' || s[0] === '-') s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && /[bBoOxX]/.test(s[1])) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.ParseInt(s, 0, 64); undefined on syntax error or overflow. */
export function parseGoInt(text: string): number | undefined {
  const big = parseGoBig(text);
  if (big === undefined || big > INT64_MAX || big < -INT64_MAX - 1n) return undefined;
  return Number(big);
}

/** strconv.ParseUint(s, 0, 64): an unsigned constant too big for int (Go then says it overflows int). */
export function parseGoUint(text: string): number | undefined {
  const big = parseGoBig(text);
  if (big === undefined || big < 0n || big > UINT64_MAX || text.startsWith('-') || text.startsWith('+')) return undefined;
  return Number(big);
}

function parseGoBig(text: string): bigint | undefined {
  if (!underscoreOK(text)) return undefined;
  let s = text.replace(/_/g, '');
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  let digits: RegExp;
  let prefix = '';
  if (/^0[xX]/.test(s)) [prefix, s, digits] = ['0x', s.slice(2), /^[0-9a-fA-F]+$/];
  else if (/^0[oO]/.test(s)) [prefix, s, digits] = ['0o', s.slice(2), /^[0-7]+$/];
  else if (/^0[bB]/.test(s)) [prefix, s, digits] = ['0b', s.slice(2), /^[01]+$/];
  else if (/^0./.test(s)) [prefix, s, digits] = ['0o', s.slice(1), /^[0-7]+$/];
  else digits = /^[0-9]+$/;
  if (!digits.test(s)) return undefined;
  const big = BigInt(prefix + s);
  return neg ? -big : big;
}

/** strconv.ParseFloat(s, 64) for Go literal syntax (decimal and hex floats). */
export function parseGoFloat(text: string): number | undefined {
  if (!underscoreOK(text)) return undefined;
  const s = text.replace(/_/g, '');
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(s);
  if (m) {
    const [, sign, whole, frac = '', exp] = m;
    if (whole === '' && frac === '') return undefined;
    const mant = parseInt(whole + frac || '0', 16) / 16 ** frac.length;
    const v = mant * 2 ** Number(exp);
    return sign === '-' ? -v : v;
  }
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

/** A number or character constant as Go's newNumber reads it, or the parse error's text. */
export function numberNode(isChar: boolean, text: string, pos: number): NumberNode | string {
  const node = numberValue(isChar, text, pos);
  if (typeof node === 'string') return node;
  // What the constant is where no parameter type decides (Go's idealConstant)
  const hexInt = /^[+-]?0[xX]/.test(text) && !/[pP]/.test(text);
  let ideal: NumberNode['ideal'] = 'overflow';
  if (node.isFloat && !hexInt && !isChar && /[.eEpP]/.test(text)) ideal = 'float';
  else if (node.isInt) ideal = 'int';
  return { ...node, ideal };
}

function numberValue(isChar: boolean, text: string, pos: number): Omit<NumberNode, 'ideal'> | string {
  const base = { type: 'number' as const, pos, text };
  if (isChar) {
    const s = unquote(text);
    if (s === undefined) return 'invalid syntax';
    const r = s.codePointAt(0) as number;
    return { ...base, isInt: true, isFloat: true, int: r, float: r };
  }
  if (text.endsWith('i') && !/^[+-]?0[xX]/.test(text)) return `complex numbers are not supported: ${JSON.stringify(text)}`;
  // plain decimals (the common case) skip the general Go literal parser
  const i = /^[1-9][0-9]{0,14}$|^0$/.test(text) ? Number(text) : parseGoInt(text);
  if (i !== undefined) return { ...base, isInt: true, isFloat: true, int: i, float: i };
  const u = parseGoUint(text);
  if (u !== undefined) return { ...base, isInt: false, isFloat: true, int: 0, float: u };
  const f = parseGoFloat(text);
  if (f !== undefined) {
    if (!/[.eEpP]/.test(text)) return `integer overflow: ${JSON.stringify(text)}`;
    const isInt = Number.isInteger(f) && Math.abs(f) < 2 ** 63;
    return { ...base, isInt, isFloat: true, int: isInt ? f : 0, float: f };
  }
  return `illegal number syntax: ${JSON.stringify(text)}`;
}
