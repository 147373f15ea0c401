/**
 * strconv.FormatFloat for the formats fmt uses (%e %f %g and %v's shortest %g), with Go's
 * rounding: exact decimal expansion, round half to even. JavaScript's toFixed rounds exact
 * ties up (2.5 → "3"), Go to even ("2"), so precision formats go through exact digits.
 */
interface Digits {
  /** Significant digits, no leading or trailing zeros ('' for zero). */
  d: string;
  /** Decimal point position: value = 0.d × 10^dp. */
  dp: number;
}

/** The exact decimal expansion of a finite positive double. */
function exactDigits(x: number): Digits {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (bexp === 0) e2 = -1074;
  else {
    mant |= 1n << 52n;
    e2 = bexp - 1075;
  }
  let s: string;
  let dp: number;
  if (e2 >= 0) {
    s = (mant << BigInt(e2)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-e2)).toString();
    dp = s.length + e2;
  }
  return trim({ d: s, dp });
}

function trim(g: Digits): Digits {
  let d = g.d;
  let dp = g.dp;
  let i = 0;
  while (i < d.length && d[i] === '0') i++;
  d = d.slice(i);
  dp -= i;
  d = d.replace(/0+$/, '');
  return d === '' ? { d: '', dp: 0 } : { d, dp };
}

/** Shortest digits that read back as x (JavaScript's toExponential() is shortest, like Go's). */
function shortestDigits(x: number): Digits {
  const [m, e] = x.toExponential().split('e');
  return trim({ d: m.replace('.', ''), dp: Number(e) + 1 });
}

/** Go's decimal.Round(nd): keep nd digits, exact halves to even. */
function round(g: Digits, nd: number): Digits {
  if (nd < 0 || nd >= g.d.length) return nd < 0 ? { d: '', dp: 0 } : g;
  const half = g.d[nd] === '5' && nd + 1 === g.d.length;
  const up = half ? nd > 0 && Number(g.d[nd - 1]) % 2 === 1 : g.d[nd] >= '5';
  if (!up) return trim({ d: g.d.slice(0, nd), dp: g.dp });
  let i = nd - 1;
  while (i >= 0 && g.d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: g.dp + 1 };
  return trim({ d: g.d.slice(0, i) + String(Number(g.d[i]) + 1), dp: g.dp });
}

function digitAt(g: Digits, i: number): string {
  return i >= 0 && i < g.d.length ? g.d[i] : '0';
}

function fmtE(g: Digits, prec: number, e: string): string {
  let s = digitAt(g, 0);
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += digitAt(g, i);
  }
  const exp = g.d === '' ? 0 : g.dp - 1;
  const a = Math.abs(exp);
  return `${s}${e}${exp < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
}

function fmtF(g: Digits, prec: number): string {
  let s = '';
  if (g.dp > 0) for (let i = 0; i < g.dp; i++) s += digitAt(g, i);
  else s = '0';
  if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) s += digitAt(g, g.dp + i);
  }
  return s;
}

export type FloatFormat = 'e' | 'E' | 'f' | 'g' | 'G';

/** strconv.FormatFloat(x, fmt, prec, 64); prec -1 is the shortest representation. */
export function formatFloat(x: number, fmt: FloatFormat, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  const shortest = prec < 0;
  let g: Digits;
  if (ax === 0) g = { d: '', dp: 0 };
  else if (shortest) g = shortestDigits(ax);
  else {
    const exact = exactDigits(ax);
    switch (fmt) {
      case 'e': case 'E':
        g = round(exact, prec + 1);
        break;
      case 'f':
        g = round(exact, exact.dp + prec);
        break;
      default:
        g = round(exact, prec === 0 ? 1 : prec);
    }
  }
  let body: string;
  switch (fmt) {
    case 'e': case 'E':
      body = fmtE(g, shortest ? Math.max(g.d.length - 1, 0) : prec, fmt);
      break;
    case 'f':
      body = fmtF(g, shortest ? Math.max(g.d.length - g.dp, 0) : prec);
      break;
    default: {
      let p = shortest ? g.d.length : prec === 0 ? 1 : prec;
      let eprec = p;
      if (eprec > g.d.length && g.d.length >= g.dp) eprec = g.d.length;
      if (shortest) eprec = 6;
      const exp = g.dp - 1;
      if (g.d !== '' && (exp < -4 || exp >= eprec)) {
        if (p > g.d.length) p = g.d.length;
        body = fmtE(g, Math.max(p - 1, 0), fmt === 'g' ? 'e' : 'E');
      } else {
        if (p > g.dp) p = g.d.length;
        body = fmtF(g, Math.max(p - g.dp, 0));
      }
    }
  }
  return neg ? `-${body}` : body;
}
