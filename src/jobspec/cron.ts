/**
 * Nomad's cron grammar (the cronexpr library Nomad's periodic jobs use), parsed and
 * evaluated here without a dependency: no maintained npm package reads the same grammar
 * (7 fields = second … year, 6 fields = minute … year, `L`, `W`, `#`, `@daily` …).
 *
 * Pure: `parseCron` turns text into a `Cron` or an error in cronexpr's words; the next
 * fire time is cron-next.ts.
 */

export interface Cron {
  readonly seconds: ReadonlySet<number>;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** null: every year up to 2099. */
  readonly years: ReadonlySet<number> | null;
  readonly dom: DaySpec;
  readonly dow: WeekSpec;
}

interface DaySpec {
  readonly restricted: boolean;
  readonly days: ReadonlySet<number>;
  readonly last: boolean;
  readonly lastWorkday: boolean;
  /** `15W`: the weekday nearest the 15th, within the month. */
  readonly workdays: ReadonlySet<number>;
}

interface WeekSpec {
  readonly restricted: boolean;
  readonly days: ReadonlySet<number>;
  /** `5L`: the last Friday of the month. */
  readonly lastOf: ReadonlySet<number>;
  /** `5#3` → [5, 3]: the third Friday. */
  readonly nth: readonly (readonly [number, number])[];
}

export type CronResult = { readonly ok: true; readonly cron: Cron } | { readonly ok: false; readonly error: string };

const SHORTHANDS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 0 1 1 * *',
  '@annually': '0 0 0 1 1 * *',
  '@monthly': '0 0 0 1 * * *',
  '@weekly': '0 0 0 * * 0 *',
  '@daily': '0 0 0 * * * *',
  '@midnight': '0 0 0 * * * *',
  '@hourly': '0 0 * * * * *',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTHS_LONG = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAYS_LONG = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

interface FieldDef {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** A value token to its number, or null when it is not one. */
  readonly value: (tok: string) => number | null;
}

const numeric = (min: number, max: number, maxDigits: number) => (tok: string): number | null => {
  if (!/^\d+$/.test(tok) || tok.length > maxDigits) return null;
  const n = Number(tok);
  return n >= min && n <= max ? n : null;
};

const SECOND: FieldDef = { name: 'second', min: 0, max: 59, value: numeric(0, 59, 2) };
const MINUTE: FieldDef = { name: 'minute', min: 0, max: 59, value: numeric(0, 59, 2) };
const HOUR: FieldDef = { name: 'hour', min: 0, max: 23, value: numeric(0, 23, 2) };
const DOM: FieldDef = { name: 'day-of-month', min: 1, max: 31, value: numeric(1, 31, 2) };
const MONTH: FieldDef = {
  name: 'month', min: 1, max: 12,
  value: (t) => numeric(1, 12, 2)(t) ?? nameIndex(t, MONTHS, MONTHS_LONG, 1),
};
/** 7 is Sunday too; kept as 7 here so that `5-7` spans to Sunday, folded to 0 after. */
const DOW: FieldDef = {
  name: 'day-of-week', min: 0, max: 7,
  value: (t) => numeric(0, 7, 2)(t) ?? nameIndex(t, DAYS, DAYS_LONG, 0),
};
const YEAR: FieldDef = { name: 'year', min: 1970, max: 2099, value: numeric(1970, 2099, 4) };

function nameIndex(tok: string, short: readonly string[], long: readonly string[], base: number): number | null {
  const i = short.indexOf(tok);
  if (i >= 0) return i + base;
  const j = long.indexOf(tok);
  return j >= 0 ? j + base : null;
}

export function parseCron(text: string): CronResult {
  let spec = text.trim();
  const short = SHORTHANDS[spec.toLowerCase()];
  if (short !== undefined) spec = short;
  let fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length < 5) return { ok: false, error: 'missing field(s)' };
  // cronexpr ignores fields beyond the seventh.
  fields = fields.slice(0, 7);
  try {
    const hasSeconds = fields.length === 7;
    const f = hasSeconds ? fields : ['0', ...fields];
    const cron: Cron = {
      seconds: listField(f[0], SECOND),
      minutes: listField(f[1], MINUTE),
      hours: listField(f[2], HOUR),
      dom: domField(f[3]),
      months: listField(f[4], MONTH),
      dow: dowField(f[5]),
      years: f[6] === undefined ? null : wildcard(f[6]) ? null : listField(f[6], YEAR),
    };
    return { ok: true, cron };
  } catch (err) {
    if (err instanceof CronSyntaxError) return { ok: false, error: err.message };
    throw err;
  }
}

class CronSyntaxError extends Error {}

function wildcard(s: string): boolean {
  return s === '*' || s === '?';
}

type Entry = { readonly kind: 'all' } | { readonly kind: 'values'; readonly values: number[] } | { readonly kind: 'other'; readonly text: string };

/** One comma-separated entry: `*`, `5`, `5-20`, `*\/2`, `5/2`, `5-20/2`. */
function entry(raw: string, def: FieldDef): Entry {
  const s = raw.toLowerCase();
  if (wildcard(s)) return { kind: 'all' };
  const single = def.value(s);
  if (single !== null) return { kind: 'values', values: [single] };
  const m = /^([^-/]+|\*)(?:-([^-/]+))?(?:\/(\d+))?$/.exec(s);
  if (m === null) return { kind: 'other', text: raw };
  const [, from, to, stepText] = m;
  const step = stepText === undefined ? 1 : Number(stepText);
  if (stepText !== undefined && (step < 1 || step > def.max)) throw new CronSyntaxError(`invalid interval ${s}`);
  if (from === '*') {
    if (to !== undefined || stepText === undefined) return { kind: 'other', text: raw };
    return { kind: 'values', values: span(def.min, def === DOW ? 6 : def.max, step) };
  }
  const a = def.value(from);
  if (a === null) return { kind: 'other', text: raw };
  if (to === undefined) {
    if (stepText === undefined) return { kind: 'other', text: raw };
    return { kind: 'values', values: span(a, def === DOW ? 6 : def.max, step) };
  }
  let b = def.value(to);
  if (b === null) return { kind: 'other', text: raw };
  // `fri-sun`: a name range ending on Sunday runs through Sunday.
  if (def === DOW && b === 0 && a > 0) b = 7;
  if (def === DOW && a > b) b = 6; // an inverted day range (`7-1`) spans to Saturday, as cronexpr expands it
  return { kind: 'values', values: span(a, b, step) };
}

function span(a: number, b: number, step: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i += step) out.push(i);
  return out;
}

function entries(s: string, def: FieldDef): Entry[] {
  const parts = s.split(',').filter((p) => p !== '');
  if (parts.length === 0) throw new CronSyntaxError(`${def.name} field: missing directive`);
  return parts.map((p) => entry(p, def));
}

function listField(s: string, def: FieldDef): ReadonlySet<number> {
  const out = new Set<number>();
  for (const e of entries(s, def)) {
    if (e.kind === 'other') throw new CronSyntaxError(`syntax error in ${def.name} field: '${e.text}'`);
    if (e.kind === 'all') return new Set(span(def.min, def.max, 1));
    for (const v of e.values) out.add(v);
  }
  return out;
}

function domField(s: string): DaySpec {
  const days = new Set<number>();
  const workdays = new Set<number>();
  let last = false;
  let lastWorkday = false;
  let restricted = true;
  for (const e of entries(s, DOM)) {
    if (e.kind === 'all') {
      restricted = false;
      continue;
    }
    if (e.kind === 'values') {
      for (const v of e.values) days.add(v);
      continue;
    }
    const t = e.text.toLowerCase();
    const w = /^(.+)w$/.exec(t);
    if (t === 'l') last = true;
    else if (t === 'lw') lastWorkday = true;
    else if (w !== null && DOM.value(w[1]) !== null) workdays.add(DOM.value(w[1]) as number);
    else throw new CronSyntaxError(`syntax error in day-of-month field: '${e.text}'`);
  }
  return { restricted, days, last, lastWorkday, workdays };
}

function dowField(s: string): WeekSpec {
  const days = new Set<number>();
  const lastOf = new Set<number>();
  const nth: [number, number][] = [];
  let restricted = true;
  for (const e of entries(s, DOW)) {
    if (e.kind === 'all') {
      restricted = false;
      continue;
    }
    if (e.kind === 'values') {
      for (const v of e.values) days.add(v % 7);
      continue;
    }
    const t = e.text.toLowerCase();
    const l = /^(.+)l$/.exec(t);
    const h = /^(.+)#([1-5])$/.exec(t);
    if (l !== null && DOW.value(l[1]) !== null) lastOf.add((DOW.value(l[1]) as number) % 7);
    else if (h !== null && DOW.value(h[1]) !== null) nth.push([(DOW.value(h[1]) as number) % 7, Number(h[2])]);
    else throw new CronSyntaxError(`syntax error in day-of-week field: '${e.text}'`);
  }
  return { restricted, days, lastOf, nth };
}
