/**
 * Go's fmt printing of template values: %v (Print, Println, and what an action prints) and
 * strconv.Quote. Printf with its verbs and flags is in printf.ts.
 */
import { formatFloat } from './floats.js';
import { GoFloat, sortedKeys, type GoMap } from './values.js';

/** %v of one value, as fmt.Sprint prints it. */
export function formatValue(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Number.isInteger(v) ? String(v) : formatFloat(v, 'g', -1);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return '<nil>';
    case 'bigint':
      return v.toString();
    case 'function':
      return '0xfunc';
    default:
      break;
  }
  if (v === null) return '<nil>';
  if (v instanceof GoFloat) return formatFloat(v.value, 'g', -1);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  const m = v as GoMap;
  return `map[${sortedKeys(m).map((k) => `${k}:${formatValue(m[k])}`).join(' ')}]`;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    if (i > 0 && typeof args[i] !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(args[i]);
  }
  return out;
}

/** fmt.Sprintln: always spaces, then a newline. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map(formatValue).join(' ')}\n`;
}

const IS_PRINT = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

/** strconv.Quote (and QuoteRune with `'`). */
export function quote(s: string, q = '"'): string {
  let out = q;
  for (const c of s) {
    const cp = c.codePointAt(0) as number;
    if (c === q || c === '\\') out += `\\${c}`;
    else if (cp < 0x80 && cp >= 0x20 && cp !== 0x7f) out += c;
    else if (cp >= 0x80 && IS_PRINT.test(c)) out += c;
    else {
      switch (c) {
        case '\x07': out += '\\a'; break;
        case '\b': out += '\\b'; break;
        case '\f': out += '\\f'; break;
        case '\n': out += '\\n'; break;
        case '\r': out += '\\r'; break;
        case '\t': out += '\\t'; break;
        case '\v': out += '\\v'; break;
        default:
          if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
          else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
          else out += `\\U${cp.toString(16).padStart(8, '0')}`;
      }
    }
  }
  return out + q;
}
