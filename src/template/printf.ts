/**
 * Go's fmt.Sprintf for the verbs templates use (%v %s %d %q %x %X %o %O %b %c %U %e %E %f %F
 * %g %G %t %T %%, and %#v's Go syntax), flags `+-# 0`, width and precision (also `*`),
 * explicit argument indexes (`%[2]d`), and Go's error forms (`%!d(string=x)`,
 * `%!d(MISSING)`, `%!d(BADINDEX)`, `%!(EXTRA …)`, `%!(NOVERB)`).
 */
import { formatValue } from './fmt.js';
import { formatVerb, type Spec } from './verbs.js';
import { typeName } from './values.js';

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  let anyReordered = false;
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
    // an explicit argument index, %[n]d: from here on arguments are taken from n
    const argIndex = (): boolean => {
      if (format[i] !== '[') return true;
      anyReordered = true;
      const close = format.indexOf(']', i);
      const want = Number(format.slice(i + 1, close));
      if (close < 0 || !/^[1-9][0-9]*$/.test(format.slice(i + 1, close)) || want > args.length) {
        i = close < 0 ? n : close + 1;
        return false;
      }
      i = close + 1;
      argi = want - 1;
      return true;
    };
    let goodIndex = argIndex();
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
      goodIndex = argIndex() && goodIndex;
      if (format[i] === '*') {
        i++;
        const p = args[argi++];
        if (typeof p === 'number' && Number.isInteger(p) && p >= 0) f.prec = p;
        else out += '%!(BADPREC)';
      } else f.prec = Math.max(number(), 0);
    }
    goodIndex = argIndex() && goodIndex;
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
    if (!goodIndex) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatVerb(args[argi++], verb, f);
  }
  if (!anyReordered && argi < args.length) {
    out += `%!(EXTRA ${args.slice(argi).map((a) => (a === null || a === undefined ? '<nil>' : `${typeName(a)}=${formatValue(a)}`)).join(', ')})`;
  }
  return out;
}
