/**
 * Nomad's cron grammar (the cronexpr library Nomad's periodic jobs use), parsed and
 * evaluated here without a dependency: no maintained npm package reads the same grammar
 * (7 fields = second … year, 6 fields = minute … year, `L`, `W`, `#`, `@daily` …).
 *
 * Pure: `parseCron` turns text into a `Cron` or an error in cronexpr's words;
 * `nextFire` gives the first instant strictly after a time, in an IANA time zone read
 * through `Intl` (so DST gaps and repeats follow the zone's rules, as Go's time.Location
 * does for Nomad: a wall time inside a spring-forward gap does not fire that day, a wall
 * time inside a fall-back repeat fires on both passes).
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

// ---------------------------------------------------------------------------------------
// Next fire time.

interface Wall {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when Node's Intl knows the IANA zone (`UTC` and `Local` included, as Go's LoadLocation does). */
export function isKnownTimeZone(tz: string): boolean {
  if (tz === '' || tz === 'UTC' || tz === 'Local') return true;
  try {
    formatter(tz);
    return true;
  } catch {
    // RangeError: the zone is unknown; that is the answer.
    return false;
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

function wallAt(ms: number, tz: string): Wall {
  if (tz === 'UTC') {
    const d = new Date(ms);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
  }
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p['year'], month: p['month'], day: p['day'], hour: p['hour'], minute: p['minute'], second: p['second'] };
}

const wallMs = (w: Wall): number => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/** The first instant whose wall time in tz is at or after w (a wall time in a DST gap maps past the gap). */
function instantOf(w: Wall, tz: string): number {
  const target = wallMs(w);
  let t = target;
  for (let i = 0; i < 4; i++) {
    const diff = target - wallMs(wallAt(t, tz));
    if (diff === 0) break;
    t += diff;
  }
  // In a gap the loop may settle before the target wall time: step forward past it.
  while (wallMs(wallAt(t, tz)) < target) t += 15 * 60_000;
  return t;
}

const daysInMonth = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();
const weekday = (y: number, m: number, d: number): number => new Date(Date.UTC(y, m - 1, d)).getUTCDay();

function nearestWorkday(y: number, m: number, d: number, last: number): number {
  const wd = weekday(y, m, d);
  if (wd === 6) return d > 1 ? d - 1 : d + 2;
  if (wd === 0) return d < last ? d + 1 : d - 2;
  return d;
}

/** The days of month y/m the expression allows (either day field matches when both are restricted). */
export function daysMatching(cron: Cron, y: number, m: number): Set<number> {
  const last = daysInMonth(y, m);
  const out = new Set<number>();
  const { dom, dow } = cron;
  if (!dom.restricted && !dow.restricted) {
    for (let d = 1; d <= last; d++) out.add(d);
    return out;
  }
  if (dom.restricted) {
    if (dom.last) out.add(last);
    if (dom.lastWorkday) out.add(nearestWorkday(y, m, last, last));
    for (const d of dom.days) if (d <= last) out.add(d);
    for (const d of dom.workdays) if (d <= last) out.add(nearestWorkday(y, m, d, last));
  }
  if (dow.restricted) {
    const first = weekday(y, m, 1);
    for (let d = 1; d <= last; d++) {
      const wd = (first + d - 1) % 7;
      if (dow.days.has(wd)) out.add(d);
      if (dow.lastOf.has(wd) && d + 7 > last) out.add(d);
      for (const [nd, n] of dow.nth) if (nd === wd && Math.ceil(d / 7) === n) out.add(d);
    }
  }
  return out;
}

const nextIn = (set: ReadonlySet<number>, v: number): number | null => {
  let best: number | null = null;
  for (const x of set) if (x >= v && (best === null || x < best)) best = x;
  return best;
};

/**
 * The first fire time strictly after `afterMs` (whole seconds), or null when the
 * expression never fires again (a year list in the past, or beyond 2099).
 */
export function nextFire(cron: Cron, afterMs: number, tz = 'UTC'): number | null {
  const zone = tz === '' || tz === 'Local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : tz;
  let t = Math.floor(afterMs / 1000) * 1000 + 1000;
  // Each turn moves t forward to the next candidate; the bound only stops a bug from spinning.
  for (let guard = 0; guard < 100_000; guard++) {
    const w = wallAt(t, zone);
    if (w.year > 2099) return null;
    if (cron.years !== null && !cron.years.has(w.year)) {
      const y = nextIn(cron.years, w.year + 1);
      if (y === null) return null;
      t = instantOf({ year: y, month: 1, day: 1, hour: 0, minute: 0, second: 0 }, zone);
      continue;
    }
    if (!cron.months.has(w.month)) {
      const m = nextIn(cron.months, w.month + 1);
      t = m === null
        ? instantOf({ year: w.year + 1, month: 1, day: 1, hour: 0, minute: 0, second: 0 }, zone)
        : instantOf({ year: w.year, month: m, day: 1, hour: 0, minute: 0, second: 0 }, zone);
      continue;
    }
    if (!daysMatching(cron, w.year, w.month).has(w.day)) {
      const next = new Date(Date.UTC(w.year, w.month - 1, w.day + 1));
      t = instantOf({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), hour: 0, minute: 0, second: 0 }, zone);
      continue;
    }
    const intoHour = w.minute * 60_000 + w.second * 1000;
    if (!cron.hours.has(w.hour)) {
      // Real hours, one at a time: across a DST change the wall hour skips or repeats.
      t = t - intoHour + 3_600_000;
      continue;
    }
    if (!cron.minutes.has(w.minute)) {
      const mi = nextIn(cron.minutes, w.minute + 1);
      t = mi === null ? t - intoHour + 3_600_000 : t - w.second * 1000 + (mi - w.minute) * 60_000;
      continue;
    }
    if (!cron.seconds.has(w.second)) {
      const s = nextIn(cron.seconds, w.second + 1);
      t = s === null ? t - w.second * 1000 + 60_000 : t + (s - w.second) * 1000;
      continue;
    }
    return t;
  }
  return null;
}
