import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCron, type Cron } from '../../src/jobspec/cron.js';
import { isKnownTimeZone, nextFire } from '../../src/jobspec/cron-next.js';

function cron(spec: string): Cron {
  const r = parseCron(spec);
  if (!r.ok) assert.fail(`${spec}: ${r.error}`);
  return r.cron;
}

const utc = (s: string): number => Date.parse(`${s.replace(' ', 'T')}Z`);
const iso = (ms: number | null): string => (ms === null ? 'never' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19));

// The table of cronexpr's own tests (gorhill/cronexpr, as Nomad vendors it): from → next, in UTC.
const CASES: readonly (readonly [string, readonly (readonly [string, string])[]])[] = [
  ['* * * * * * *', [
    ['2013-01-01 00:00:00', '2013-01-01 00:00:01'], ['2013-01-01 00:00:59', '2013-01-01 00:01:00'],
    ['2013-01-01 00:59:59', '2013-01-01 01:00:00'], ['2013-01-01 23:59:59', '2013-01-02 00:00:00'],
    ['2013-02-28 23:59:59', '2013-03-01 00:00:00'], ['2016-02-28 23:59:59', '2016-02-29 00:00:00'],
    ['2012-12-31 23:59:59', '2013-01-01 00:00:00'],
  ]],
  ['*/5 * * * * * *', [
    ['2013-01-01 00:00:00', '2013-01-01 00:00:05'], ['2013-01-01 00:00:59', '2013-01-01 00:01:00'],
    ['2013-01-01 23:59:59', '2013-01-02 00:00:00'], ['2016-02-28 23:59:59', '2016-02-29 00:00:00'],
  ]],
  ['* * * * *', [
    ['2013-01-01 00:00:00', '2013-01-01 00:01:00'], ['2013-01-01 00:00:59', '2013-01-01 00:01:00'],
    ['2013-01-01 23:59:00', '2013-01-02 00:00:00'], ['2012-12-31 23:59:00', '2013-01-01 00:00:00'],
  ]],
  ['17-43/5 * * * *', [
    ['2013-01-01 00:00:00', '2013-01-01 00:17:00'], ['2013-01-01 00:16:59', '2013-01-01 00:17:00'],
    ['2013-01-01 00:30:00', '2013-01-01 00:32:00'], ['2013-01-01 00:50:00', '2013-01-01 01:17:00'],
    ['2016-02-28 23:50:00', '2016-02-29 00:17:00'],
  ]],
  ['15-30/4,55 * * * *', [
    ['2013-01-01 00:00:00', '2013-01-01 00:15:00'], ['2013-01-01 00:16:00', '2013-01-01 00:19:00'],
    ['2013-01-01 00:30:00', '2013-01-01 00:55:00'], ['2013-01-01 00:55:00', '2013-01-01 01:15:00'],
    ['2012-12-31 23:54:00', '2012-12-31 23:55:00'], ['2012-12-31 23:55:00', '2013-01-01 00:15:00'],
  ]],
  ['0 0 * * MON', [['2013-01-01 00:00:00', '2013-01-07 00:00:00'], ['2013-12-30 00:30:00', '2014-01-06 00:00:00']]],
  ['0 0 * * friday', [['2013-01-01 00:00:00', '2013-01-04 00:00:00'], ['2013-01-28 00:00:00', '2013-02-01 00:00:00']]],
  ['0 0 * * 6,7', [['2013-01-01 00:00:00', '2013-01-05 00:00:00'], ['2013-12-30 00:30:00', '2014-01-04 00:00:00']]],
  ['0 0 * * 5-7', [['2013-01-01 00:00:00', '2013-01-04 00:00:00'], ['2013-01-05 12:00:00', '2013-01-06 00:00:00']]],
  ['0 0 * * fri-sun', [['2013-01-05 12:00:00', '2013-01-06 00:00:00']]],
  ['0 0 * * 5-7/2', [['2013-01-05 12:00:00', '2013-01-06 00:00:00']]],
  ['0 0 * * 0-0', [['2013-01-08 12:00:00', '2013-01-13 00:00:00']]],
  ['0 0 * * 7-7', [['2013-01-08 12:00:00', '2013-01-13 00:00:00']]],
  ['0 0 * * 0-7', [['2013-01-08 12:00:00', '2013-01-09 00:00:00']]],
  ['0 0 * * 6#5', [['2013-09-02 00:00:00', '2013-11-30 00:00:00']]],
  ['0 0 14W * *', [['2013-03-31 00:00:00', '2013-04-15 00:00:00'], ['2013-08-31 00:00:00', '2013-09-13 00:00:00']]],
  ['0 0 30W * *', [
    ['2013-03-02 00:00:00', '2013-03-29 00:00:00'], ['2013-06-02 00:00:00', '2013-06-28 00:00:00'],
    ['2013-09-02 00:00:00', '2013-09-30 00:00:00'], ['2013-11-02 00:00:00', '2013-11-29 00:00:00'],
  ]],
  ['0 0 L * *', [
    ['2013-09-02 00:00:00', '2013-09-30 00:00:00'], ['2014-01-01 00:00:00', '2014-01-31 00:00:00'],
    ['2014-02-01 00:00:00', '2014-02-28 00:00:00'], ['2016-02-15 00:00:00', '2016-02-29 00:00:00'],
  ]],
  ['0 0 LW * *', [
    ['2013-09-02 00:00:00', '2013-09-30 00:00:00'], ['2013-11-02 00:00:00', '2013-11-29 00:00:00'],
    ['2014-08-15 00:00:00', '2014-08-29 00:00:00'],
  ]],
  ['0 0 * 04 * *', [
    ['2013-09-02 00:00:00', '2014-04-01 00:00:00'], ['2014-04-03 03:00:00', '2014-04-04 00:00:00'],
    ['2014-08-15 00:00:00', '2015-04-01 00:00:00'],
  ]],
  ['0 0 * * 5L', [['2013-01-01 00:00:00', '2013-01-25 00:00:00']]],
  ['@hourly', [['2013-01-01 00:00:00', '2013-01-01 01:00:00']]],
  ['@daily', [['2013-01-01 00:00:00', '2013-01-02 00:00:00']]],
  ['@midnight', [['2013-01-01 10:00:00', '2013-01-02 00:00:00']]],
  ['@weekly', [['2013-01-01 00:00:00', '2013-01-06 00:00:00']]],
  ['@monthly', [['2013-01-15 00:00:00', '2013-02-01 00:00:00']]],
  ['@yearly', [['2013-01-15 00:00:00', '2014-01-01 00:00:00']]],
  ['@annually', [['2013-01-15 00:00:00', '2014-01-01 00:00:00']]],
  // Both day fields restricted: either one matches, as crontab(5) says.
  ['0 0 13 * fri', [['2013-09-01 00:00:00', '2013-09-06 00:00:00'], ['2013-09-07 00:00:00', '2013-09-13 00:00:00']]],
];

describe('cron: cronexpr test table', () => {
  for (const [spec, times] of CASES) {
    test(spec, () => {
      const c = cron(spec);
      for (const [from, want] of times) assert.equal(iso(nextFire(c, utc(from))), want, `${spec} after ${from}`);
    });
  }

  test('field counts: 5 = minute…dow, 6 = minute…year, 7 = second…year', () => {
    assert.equal(iso(nextFire(cron('*/5 * * * * * *'), utc('2020-01-01 00:00:01'))), '2020-01-01 00:00:05');
    // Six fields: the sixth is the year, not seconds.
    assert.equal(iso(nextFire(cron('0 2 * * * 2019'), utc('2018-05-01 00:00:00'))), '2019-01-01 02:00:00');
    assert.equal(nextFire(cron('* * * * * 1980'), utc('2013-08-31 00:00:00')), null);
    assert.notEqual(nextFire(cron('* * * * * 2050'), utc('2013-08-31 00:00:00')), null);
    // cronexpr ignores fields after the seventh.
    assert.equal(iso(nextFire(cron('0 0 0 1 1 * * junk'), utc('2013-01-15 00:00:00'))), '2014-01-01 00:00:00');
  });

  test('NextN of 6#5 and */5', () => {
    const c = cron('0 0 * * 6#5');
    let t = utc('2013-09-02 08:44:30');
    const got: string[] = [];
    for (let i = 0; i < 5; i++) {
      t = nextFire(c, t) as number;
      got.push(iso(t));
    }
    assert.deepEqual(got, ['2013-11-30 00:00:00', '2014-03-29 00:00:00', '2014-05-31 00:00:00', '2014-08-30 00:00:00', '2014-11-29 00:00:00']);
  });
});

describe('cron: errors in cronexpr words', () => {
  const bad: readonly (readonly [string, string])[] = [
    ['* * * *', 'missing field(s)'],
    ['', 'missing field(s)'],
    ['60 * * * *', "syntax error in minute field: '60'"],
    ['* 24 * * *', "syntax error in hour field: '24'"],
    ['* * 32 * *', "syntax error in day-of-month field: '32'"],
    ['* * * 13 *', "syntax error in month field: '13'"],
    ['* * * * 8', "syntax error in day-of-week field: '8'"],
    ['*/0 * * * *', 'invalid interval */0'],
    ['* * * * * 2100', "syntax error in year field: '2100'"],
    ['@every 5m', 'missing field(s)'],
    ['a b c d e', "syntax error in minute field: 'a'"],
  ];
  for (const [spec, msg] of bad) {
    test(JSON.stringify(spec), () => {
      const r = parseCron(spec);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.error, msg);
    });
  }
});

describe('cron: time zones and DST (cronexpr TestPeriodicConfig_DSTChange_Transitions, America/Los_Angeles 2019)', () => {
  const LA = 'America/Los_Angeles';
  const pst = (mo: number, d: number, h: number, mi = 0): number => Date.UTC(2019, mo - 1, d, h + 8, mi);
  const pdt = (mo: number, d: number, h: number, mi = 0): number => Date.UTC(2019, mo - 1, d, h + 7, mi);
  const series = (spec: string, from: number, n: number): number[] => {
    const c = cron(spec);
    const out: number[] = [];
    let t = from;
    for (let i = 0; i < n; i++) {
      t = nextFire(c, t, LA) as number;
      out.push(t);
    }
    return out;
  };
  const cases: readonly (readonly [string, string, number, readonly number[]])[] = [
    ['normal time', '0 2 * * * 2019', pst(2, 7, 1), [pst(2, 7, 2), pst(2, 8, 2), pst(2, 9, 2)]],
    ['spring forward, not at the switch', '0 4 * * * 2019', pst(3, 9, 1), [pst(3, 9, 4), pdt(3, 10, 4), pdt(3, 11, 4)]],
    ['spring forward at a skipped time', '1 2 * * * 2019', pst(3, 9, 1), [pst(3, 9, 2, 1), pdt(3, 11, 2, 1), pdt(3, 12, 2, 1)]],
    ['spring forward at the skipped boundary', '0 2 * * * 2019', pst(3, 9, 1), [pst(3, 9, 2), pdt(3, 11, 2), pdt(3, 12, 2)]],
    ['spring forward at 1:00', '0 1 * * * 2019', pst(3, 9, 0), [pst(3, 9, 1), pst(3, 10, 1), pdt(3, 11, 1), pdt(3, 12, 1)]],
    ['fall back: before the transition', '30 0 * * * 2019', pdt(11, 3, 0), [pdt(11, 3, 0, 30), pst(11, 4, 0, 30), pst(11, 5, 0, 30)]],
    ['fall back: after the transition', '30 3 * * * 2019', pdt(11, 3, 0), [pst(11, 3, 3, 30), pst(11, 4, 3, 30)]],
    ['fall back: in the repeated hour, both passes', '30 1 * * * 2019', pdt(11, 3, 0), [pdt(11, 3, 1, 30), pst(11, 3, 1, 30), pst(11, 4, 1, 30)]],
    ['fall back: repeated boundary', '0 1 * * * 2019', pdt(11, 3, 0), [pdt(11, 3, 1), pst(11, 3, 1), pst(11, 4, 1)]],
    ['fall back: 2:00 once', '0 2 * * * 2019', pdt(11, 3, 0), [pst(11, 3, 2), pst(11, 4, 2)]],
    ['fall back: from inside the second pass', '30 1 * * * 2019', pst(11, 3, 1, 40), [pst(11, 4, 1, 30)]],
    ['fall back: wildcard hour', '30 * * * * 2019', pdt(11, 3, 0), [pdt(11, 3, 0, 30), pdt(11, 3, 1, 30), pst(11, 3, 1, 30), pst(11, 3, 2, 30)]],
  ];
  for (const [name, spec, from, want] of cases) {
    test(name, () => assert.deepEqual(series(spec, from, want.length).map(iso), want.map(iso)));
  }

  test('Europe/Berlin daily 02:30 skips the spring-forward day and fires once on the fall-back day', () => {
    const c = cron('30 2 * * *');
    const z = 'Europe/Berlin';
    // 2024-03-31: 02:00 CET → 03:00 CEST, so 02:30 does not exist.
    assert.equal(iso(nextFire(c, Date.UTC(2024, 2, 30, 12), z)), '2024-04-01 00:30:00');
    // 2024-10-27: 03:00 CEST → 02:00 CET: 02:30 comes twice, and fires twice.
    const first = nextFire(c, Date.UTC(2024, 9, 26, 12), z) as number;
    assert.equal(iso(first), '2024-10-27 00:30:00');
    assert.equal(iso(nextFire(c, first, z)), '2024-10-27 01:30:00');
  });

  test('time zones known to Intl', () => {
    assert.equal(isKnownTimeZone('UTC'), true);
    assert.equal(isKnownTimeZone('America/New_York'), true);
    assert.equal(isKnownTimeZone('Local'), true);
    assert.equal(isKnownTimeZone('Mars/Olympus_Mons'), false);
  });
});
