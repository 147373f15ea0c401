/**
 * The functions Nomad's HCL2 job files may call (jobspec2/functions.go: cty's stdlib plus
 * Terraform's collection, encoding, crypto and file functions), one small pure function
 * each. `file` and friends read through the caller's `readFile`, which confines paths to
 * the job file's directory; without one they fail with a clear message. Functions that
 * need what bivouac has no library for (yamlencode, bcrypt, rsadecrypt, cidr*) fail by name.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ExprError } from './hcl2-lex.js';
import type { HclValue } from './parse.js';

export interface FnContext {
  /** Text of a file relative to the job file's directory; throws when it is outside or missing. */
  readonly readFile?: (path: string) => string;
}

export interface Fn {
  readonly call: (args: readonly HclValue[], ctx: FnContext) => HclValue;
  /** Functions that must not evaluate every argument first (try, can). */
  readonly lazy?: (args: readonly (() => HclValue)[]) => HclValue;
}

type Obj = { readonly [k: string]: HclValue };
const isObj = (v: HclValue): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const str = (v: HclValue): string => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ExprError(`a string is required, got ${JSON.stringify(v)}`);
};
const num = (v: HclValue): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (Number.isNaN(n)) throw new ExprError(`a number is required, got ${JSON.stringify(v)}`);
  return n;
};
const list = (v: HclValue): readonly HclValue[] => {
  if (Array.isArray(v)) return v as readonly HclValue[];
  throw new ExprError(`a list is required, got ${JSON.stringify(v)}`);
};
const obj = (v: HclValue): Obj => {
  if (isObj(v)) return v;
  throw new ExprError(`a map is required, got ${JSON.stringify(v)}`);
};
const same = (a: HclValue, b: HclValue): boolean => JSON.stringify(a) === JSON.stringify(b);
const uniq = (xs: readonly HclValue[]): HclValue[] => xs.filter((x, i) => xs.findIndex((y) => same(x, y)) === i);

const fn = (call: (a: readonly HclValue[], ctx: FnContext) => HclValue): Fn => ({ call });
const s1 = (f: (s: string) => HclValue): Fn => fn((a) => f(str(a[0])));
const n1 = (f: (n: number) => HclValue): Fn => fn((a) => f(num(a[0])));
const hash = (alg: string): Fn => s1((s) => createHash(alg).update(s).digest('hex'));

/** Go's fmt verbs as cty's format supports the common ones: %s %d %f %q %v %t %%. */
function format(spec: string, args: readonly HclValue[]): string {
  let k = 0;
  return spec.replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([sdfqvtx%])/g, (_m, flags: string, width: string, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (k >= args.length) throw new ExprError(`format: too few arguments for "${spec}"`);
    const v = args[k++];
    let out: string;
    switch (verb) {
      case 'd': out = String(Math.trunc(num(v))); break;
      case 'f': out = num(v).toFixed(prec === undefined ? 6 : Number(prec)); break;
      case 'q': out = JSON.stringify(str(v)); break;
      case 'x': out = Math.trunc(num(v)).toString(16); break;
      case 't': out = String(v === true); break;
      default: out = typeof v === 'object' && v !== null ? JSON.stringify(v) : str(v);
    }
    if (width === '') return out;
    if (flags.includes('-')) return out.padEnd(Number(width));
    if (flags.includes('0') && /^-?[0-9.]+$/.test(out)) return out.startsWith('-') ? `-${out.slice(1).padStart(Number(width) - 1, '0')}` : out.padStart(Number(width), '0');
    return out.padStart(Number(width));
  });
}

function uuidv5(namespace: string, name: string): string {
  const ns: Readonly<Record<string, string>> = {
    dns: '6ba7b810-9dad-11d1-80b4-00c04fd430c8', url: '6ba7b811-9dad-11d1-80b4-00c04fd430c8',
    oid: '6ba7b812-9dad-11d1-80b4-00c04fd430c8', x500: '6ba7b814-9dad-11d1-80b4-00c04fd430c8',
  };
  const id = (ns[namespace] ?? namespace).replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(id)) throw new ExprError(`uuidv5: unsupported namespace "${namespace}"`);
  const h = createHash('sha1').update(Buffer.from(id, 'hex')).update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Go durations as timeadd takes them: "1h30m", "-10s". */
function goDurationMs(d: string): number {
  const m = /^(-)?((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(d.trim());
  if (!m) throw new ExprError(`timeadd: invalid duration "${d}"`);
  const unit: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };
  let ms = 0;
  for (const [, n, u] of m[2].matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(n) * unit[u];
  return m[1] ? -ms : ms;
}

function unsupported(name: string): Fn {
  return fn(() => { throw new ExprError(`${name}() is not supported by bivouac`); });
}

const flatten = (xs: readonly HclValue[]): HclValue[] => xs.flatMap((x) => (Array.isArray(x) ? flatten(x as readonly HclValue[]) : [x]));

export const FUNCTIONS: Readonly<Record<string, Fn>> = {
  // numbers
  abs: n1(Math.abs), ceil: n1(Math.ceil), floor: n1(Math.floor), signum: n1(Math.sign),
  log: fn((a) => Math.log(num(a[0])) / Math.log(num(a[1])) ), pow: fn((a) => num(a[0]) ** num(a[1])),
  max: fn((a) => Math.max(...a.map(num))), min: fn((a) => Math.min(...a.map(num))),
  parseint: fn((a) => {
    const n = Number.parseInt(str(a[0]), num(a[1]));
    if (Number.isNaN(n)) throw new ExprError(`parseint: cannot parse "${str(a[0])}" in base ${num(a[1])}`);
    return n;
  }),
  // strings
  chomp: s1((s) => s.replace(/(\r?\n)+$/, '')), lower: s1((s) => s.toLowerCase()), upper: s1((s) => s.toUpperCase()),
  title: s1((s) => s.replace(/\b\p{L}/gu, (c) => c.toUpperCase())), strrev: s1((s) => [...s].reverse().join('')),
  trimspace: s1((s) => s.trim()), trim: fn((a) => { const cut = [...str(a[1])]; let s = str(a[0]); while (s && cut.includes(s[0])) s = s.slice(1); while (s && cut.includes(s[s.length - 1])) s = s.slice(0, -1); return s; }),
  trimprefix: fn((a) => (str(a[0]).startsWith(str(a[1])) ? str(a[0]).slice(str(a[1]).length) : str(a[0]))),
  trimsuffix: fn((a) => (str(a[1]) !== '' && str(a[0]).endsWith(str(a[1])) ? str(a[0]).slice(0, -str(a[1]).length) : str(a[0]))),
  indent: fn((a) => str(a[1]).replace(/\n/g, `\n${' '.repeat(num(a[0]))}`)),
  format: fn((a) => format(str(a[0]), a.slice(1))),
  formatlist: fn((a) => {
    const n = Math.max(0, ...a.slice(1).filter(Array.isArray).map((x) => (x as readonly HclValue[]).length));
    return Array.from({ length: n }, (_x, i) => format(str(a[0]), a.slice(1).map((x) => (Array.isArray(x) ? (x as readonly HclValue[])[i] : x))));
  }),
  join: fn((a) => a.slice(1).flatMap((x) => list(x)).map(str).join(str(a[0]))),
  split: fn((a) => str(a[1]).split(str(a[0]))),
  replace: fn((a) => {
    const sub = str(a[1]);
    const m = /^\/(.*)\/$/s.exec(sub);
    return m ? str(a[0]).replace(new RegExp(m[1], 'g'), str(a[2]).replace(/\$\{(\w+)\}/g, '$<$1>')) : str(a[0]).split(sub).join(str(a[2]));
  }),
  regex_replace: fn((a) => str(a[0]).replace(new RegExp(str(a[1]), 'g'), str(a[2]))),
  regex: fn((a) => {
    const m = new RegExp(str(a[0])).exec(str(a[1]));
    if (m === null) throw new ExprError(`regex: no match for "${str(a[0])}"`);
    if (m.groups) return { ...m.groups } as Obj;
    return m.length > 1 ? m.slice(1).map((x) => x ?? null) : m[0];
  }),
  substr: fn((a) => { const s = [...str(a[0])]; const off = num(a[1]); const start = off < 0 ? s.length + off : off; const len = num(a[2]); return s.slice(start, len < 0 ? undefined : start + len).join(''); }),
  // collections
  coalesce: fn((a) => { const v = a.find((x) => x !== null && x !== ''); if (v === undefined) throw new ExprError('coalesce: no non-null, non-empty argument'); return v; }),
  coalescelist: fn((a) => a.find((x) => Array.isArray(x) && x.length > 0) ?? []),
  compact: fn((a) => list(a[0]).filter((x) => x !== null && x !== '')),
  concat: fn((a) => a.flatMap((x) => list(x))),
  contains: fn((a) => list(a[0]).some((x) => same(x, a[1]))),
  distinct: fn((a) => uniq(list(a[0]))),
  element: fn((a) => { const l = list(a[0]); if (l.length === 0) throw new ExprError('element: empty list'); return l[((num(a[1]) % l.length) + l.length) % l.length]; }),
  flatten: fn((a) => flatten(list(a[0]))),
  index: fn((a) => { const i = list(a[0]).findIndex((x) => same(x, a[1])); if (i < 0) throw new ExprError('index: item not found'); return i; }),
  keys: fn((a) => Object.keys(obj(a[0])).sort()),
  values: fn((a) => { const o = obj(a[0]); return Object.keys(o).sort().map((k) => o[k]); }),
  length: fn((a) => (typeof a[0] === 'string' ? [...a[0]].length : Array.isArray(a[0]) ? a[0].length : Object.keys(obj(a[0])).length)),
  lookup: fn((a) => { const o = obj(a[0]); const k = str(a[1]); if (k in o) return o[k]; if (a.length > 2) return a[2]; throw new ExprError(`lookup: no key "${k}" and no default`); }),
  merge: fn((a) => Object.assign({}, ...a.filter((x) => x !== null).map(obj)) as Obj),
  range: fn((a) => {
    const [start, end, step] = a.length === 1 ? [0, num(a[0]), 1] : [num(a[0]), num(a[1]), a.length > 2 ? num(a[2]) : 1];
    if (step === 0) throw new ExprError('range: step cannot be zero');
    const out: number[] = [];
    for (let x = start; step > 0 ? x < end : x > end; x += step) { out.push(x); if (out.length > 1024) throw new ExprError('range: more than 1024 elements'); }
    return out;
  }),
  reverse: fn((a) => [...list(a[0])].reverse()),
  slice: fn((a) => list(a[0]).slice(num(a[1]), num(a[2]))),
  sort: fn((a) => list(a[0]).map(str).sort()),
  chunklist: fn((a) => { const l = list(a[0]); const n = num(a[1]); if (n <= 0) return [l]; const out: HclValue[] = []; for (let i = 0; i < l.length; i += n) out.push(l.slice(i, i + n)); return out; }),
  setunion: fn((a) => uniq(a.flatMap((x) => list(x)))),
  setintersection: fn((a) => uniq(list(a[0] ?? [])).filter((x) => a.every((l) => list(l).some((y) => same(x, y))))),
  setproduct: fn((a) => a.map(list).reduce<HclValue[][]>((acc, l) => acc.flatMap((p) => l.map((x) => [...p, x])), [[]])),
  zipmap: fn((a) => Object.fromEntries(list(a[0]).map((k, i) => [str(k), list(a[1])[i] ?? null])) as Obj),
  tolist: fn((a) => [...list(a[0])]), toset: fn((a) => uniq(list(a[0]))), tomap: fn((a) => ({ ...obj(a[0]) })),
  tostring: fn((a) => (a[0] === null ? null : str(a[0]))), tonumber: fn((a) => (a[0] === null ? null : num(a[0]))),
  tobool: fn((a) => { if (a[0] === null || typeof a[0] === 'boolean') return a[0]; if (a[0] === 'true' || a[0] === 'false') return a[0] === 'true'; throw new ExprError('tobool: a bool is required'); }),
  // encoding, crypto, time, uuid
  jsonencode: fn((a) => JSON.stringify(a[0])),
  jsondecode: s1((s) => { try { return JSON.parse(s) as HclValue; } catch { throw new ExprError('jsondecode: invalid JSON'); } }),
  csvdecode: s1((s) => { const [head, ...rows] = s.trim().split(/\r?\n/).map((l) => l.split(',')); return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ''])) as Obj); }),
  base64encode: s1((s) => Buffer.from(s, 'utf8').toString('base64')),
  base64decode: s1((s) => Buffer.from(s, 'base64').toString('utf8')),
  urlencode: s1((s) => encodeURIComponent(s).replace(/%20/g, '+')),
  md5: hash('md5'), sha1: hash('sha1'), sha256: hash('sha256'), sha512: hash('sha512'),
  uuidv4: fn(() => randomUUID()), uuidv5: fn((a) => uuidv5(str(a[0]), str(a[1]))),
  timeadd: fn((a) => { const t = Date.parse(str(a[0])); if (Number.isNaN(t)) throw new ExprError(`timeadd: invalid timestamp "${str(a[0])}"`); return new Date(t + goDurationMs(str(a[1]))).toISOString().replace('.000Z', 'Z'); }),
  // errors as values
  try: { call: () => null, lazy: (thunks) => { for (const t of thunks) { try { return t(); } catch (err) { if (!(err instanceof ExprError)) throw err; } } throw new ExprError('try: no argument could be evaluated'); } },
  can: { call: () => null, lazy: (thunks) => { try { thunks[0]?.(); return true; } catch (err) { if (err instanceof ExprError) return false; throw err; } } },
  // files, confined by the caller to the job file's directory
  file: fn((a, ctx) => {
    if (!ctx.readFile) throw new ExprError('file() needs the job file\'s directory, which this caller does not give');
    try {
      return ctx.readFile(str(a[0]));
    } catch (err) {
      throw new ExprError(`file("${str(a[0])}"): ${err instanceof Error ? err.message.replace(/^[A-Z]+: /, '') : String(err)}`);
    }
  }),
  fileexists: fn((a, ctx) => {
    if (!ctx.readFile) return false;
    try {
      ctx.readFile(str(a[0]));
      return true;
    } catch {
      return false; // not there, or outside the job file's directory: either way, no such file
    }
  }),
  basename: s1((s) => s.replace(/\/+$/, '').split('/').pop() ?? ''),
  dirname: s1((s) => { const i = s.replace(/\/+$/, '').lastIndexOf('/'); return i < 0 ? '.' : i === 0 ? '/' : s.slice(0, i); }),
  yamlencode: unsupported('yamlencode'), yamldecode: unsupported('yamldecode'), bcrypt: unsupported('bcrypt'),
  rsadecrypt: unsupported('rsadecrypt'), cidrhost: unsupported('cidrhost'), cidrnetmask: unsupported('cidrnetmask'),
  cidrsubnet: unsupported('cidrsubnet'), cidrsubnets: unsupported('cidrsubnets'), formatdate: unsupported('formatdate'),
  fileset: unsupported('fileset'), abspath: unsupported('abspath'), pathexpand: unsupported('pathexpand'),
  convert: fn((a) => a[0]),
};
