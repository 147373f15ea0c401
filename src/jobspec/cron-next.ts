/**
 * The next fire time of a parsed cron expression (cron.ts), strictly after a time, in an
 * IANA time zone read through `Intl`: DST gaps and repeats follow the zone's rules, as Go's
 * time.Location does for Nomad (a wall time inside a spring-forward gap does not fire that
 * day; one inside a fall-back repeat fires on both passes). Pure.
 */
import type { Cron } from './cron.js';

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
