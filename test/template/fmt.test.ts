// printf through the engine: Go's fmt verbs, flags, width and precision, rounding, and its
// error forms, with the outputs Go's fmt documents (and fmt_test.go checks).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GoFloat, sprintf } from '../../src/template/index.js';

const cases: [string, unknown[], string][] = [
  ['%d', [12345], '12345'],
  ['%v', [-12345], '-12345'],
  ['%5d|%-5d|%05d', [123, 123, 123], '  123|123  |00123'],
  ['%+d % d %+d', [12, 12, -12], '+12  12 -12'],
  ['%x %X %#x %#X %x', [255, 255, 255, 255, -255], 'ff FF 0xff 0XFF -ff'],
  ['%o %#o %O %b', [8, 8, 8, 5], '10 010 0o10 101'],
  ['%c %q %U', [65, 65, 0x1f600], "A 'A' U+1F600"],
  ['%.3d|%8.3d|%-8.3d|%08.3d', [7, 7, 7, 7], '007|     007|007     |     007'],
  ['%04x', [127], '007f'],
  ['%*d|%-*d', [5, 3, 4, 2], '    3|2   '],
  ['%s|%5s|%-5s|%.2s|%05s', ['abc', 'abc', 'abc', 'abc', 'ab'], 'abc|  abc|abc  |ab|000ab'],
  ['%q', ['a"b\n\t\u0001é'], '"a\\"b\\n\\t\\x01é"'],
  ['%#q %#q', ['abc', 'a`b'], '`abc` "a`b"'],
  ['%x|%X|% x', ['xyz', 'xyz', 'xyz'], '78797a|78797A|78 79 7a'],
  ['%f|%.2f|%8.2f|%-8.2f|%08.2f|%+.2f', [new GoFloat(1), 3.14159, 3.14159, 3.14159, -3.14159, 3.14159], '1.000000|3.14|    3.14|3.14    |-0003.14|+3.14'],
  ['%e|%E|%.2e', [1234.5678, 1234.5678, new GoFloat(1e100)], '1.234568e+03|1.234568E+03|1.00e+100'],
  ['%g|%g|%g|%g|%g|%G', [1234.5678, new GoFloat(1e21), new GoFloat(100000), new GoFloat(1e6), 1e-7, 1e-7], '1234.5678|1e+21|100000|1e+06|1e-07|1E-07'],
  ['%.3g|%.3g|%.1g|%.10g', [new GoFloat(1234), 3.14159, 0.15, 1 / 3], '1.23e+03|3.14|0.1|0.3333333333'],
  ['%v %v %v', [0.1 + 0.2, new GoFloat(100), 1 / 3], '0.30000000000000004 100 0.3333333333333333'],
  ['round half to even: %.0f %.0f %.0f %.2f %.1f', [2.5, 3.5, -0.5, 0.125, 0.25], 'round half to even: 2 4 -0 0.12 0.2'],
  ['%.1f %.2f', [0.35, 1.005], '0.3 1.00'],
  ['%f %v %f %v %5.1f', [Infinity, -Infinity, NaN, NaN, Infinity], '+Inf -Inf NaN NaN  +Inf'],
  ['%t %v', [true, false], 'true false'],
  ['%v %d %s %q', [[1, 2], [1, 2], ['a', 'b'], ['a', 'b']], '[1 2] [1 2] [a b] ["a" "b"]'],
  ['%v', [{ b: 2, a: [1] }], 'map[a:[1] b:2]'],
  ['%v %s %d', [null, null, null], '<nil> %!s(<nil>) %!d(<nil>)'],
  ['%T %T %T %T %T %T %T', [1, new GoFloat(1), 'x', true, [1], { a: 1 }, null], 'int float64 string bool []interface {} map[string]interface {} <nil>'],
  ['%d', ['hi'], '%!d(string=hi)'],
  ['%s', [5], '%!s(int=5)'],
  ['%t', [5], '%!t(int=5)'],
  ['%z', [1], '%!z(int=1)'],
  ['%d %d', [1], '1 %!d(MISSING)'],
  ['%d', [1, 2, 'x'], '1%!(EXTRA int=2, string=x)'],
  ['100%%', [], '100%'],
  ['%#v %#v %#v %#v %#v', ['a', 1, new GoFloat(1e6), null, true], '"a" 1 1e+06 <nil> true'],
  ['%#v', [[1, 'a', null]], '[]interface {}{1, "a", interface {}(nil)}'],
  ['%#v', [{ b: 'x', a: [1] }], 'map[string]interface {}{"a":[]interface {}{1}, "b":"x"}'],
  ['%[2]d %[1]d', [1, 2], '2 1'],
  ['%[3]*.[2]*[1]f', [new GoFloat(12), 2, 6], ' 12.00'],
  ['%d %d %#[1]x %#x', [16, 17], '16 17 0x10 0x11'],
  ['%[5]d', [1, 2], '%!d(BADINDEX)'],
  ['%[x]d %d', [1], '%!d(BADINDEX) 1'],
  ['%[2]d', [1, 2, 3], '2'],
  ['trailing %', [], 'trailing %!(NOVERB)'],
];

describe('sprintf (Go fmt)', () => {
  for (const [format, args, want] of cases) test(`${format} ${JSON.stringify(args)}`, () => assert.equal(sprintf(format, args), want));
});
