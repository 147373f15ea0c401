import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAgo, formatGoDuration, formatGoSeconds, formatIBytes, formatKV, formatTable, formatTime } from '../../src/cli/format.js';

describe('CLI layouts', () => {
  test('key/value blocks align the equals signs', () => {
    assert.equal(formatKV([['ID', 'web'], ['Submit Date', 'x']]), 'ID          = web\nSubmit Date = x\n');
  });
  test('tables pad columns by two spaces and trim the last', () => {
    assert.equal(formatTable(['ID', 'Type'], [['web', 'service'], ['nightly-report', 'batch']]), 'ID              Type\nweb             service\nnightly-report  batch\n');
  });
  test('times are ISO-8601 UTC to the second', () => {
    assert.equal(formatTime(Date.UTC(2024, 4, 2, 10, 14, 3, 999)), '2024-05-02T10:14:03Z');
    assert.equal(formatTime(null), 'N/A');
  });
  test('relative times keep the two largest units', () => {
    const now = 1_000_000_000;
    assert.equal(formatAgo(now - 130_000, now), '2m10s ago');
    assert.equal(formatAgo(now - 3_780_000, now), '1h3m ago');
    assert.equal(formatAgo(now - 5_000, now), '5s ago');
    assert.equal(formatAgo(now, now), '0s ago');
  });
  test("an empty value or cell reads <none>, as Nomad's formatKV and formatList; keepEmpty leaves the separator", () => {
    assert.equal(formatKV([['Class', ''], ['DC', 'dc1']]), 'Class = <none>\nDC    = dc1\n');
    assert.equal(formatTable(['A', 'B'], [['x', '']]), 'A  B\nx  <none>\n');
    assert.equal(formatTable(['CPU', 'Addresses'], [['100 MHz', '']], { keepEmpty: true }), 'CPU      Addresses\n100 MHz  \n');
  });
  test('table cells are trimmed of any whitespace, ASCII or not, and a short row reads <none>', () => {
    const ws = [' ', '\t', '\n', '\u00a0', '\u2003', '\ufeff'];
    const rows = ws.map((w, i) => [`${w}x${i}${w}`, `y${w}`, `${w}`]);
    rows.push(['only']);
    rows.push(['é', 'ü', 'z']);
    const expected = ['ID     B  C', ...ws.map((_, i) => `x${i}     y  <none>`), 'only   <none>  <none>', 'é      ü  z'];
    // The middle column is as wide as its widest cell, `<none>`: re-pad the expectation as columnize does.
    const table = formatTable(['ID', 'B', 'C'], rows);
    assert.deepEqual(
      table.split('\n').map((l) => l.replace(/ +/g, ' ')),
      [...expected.map((l) => l.replace(/ +/g, ' ')), ''],
    );
    assert.equal(table.split('\n')[1], 'x0    y       <none>');
    assert.equal(formatTable(['A', 'B'], [[' a ', ' ']], { keepEmpty: true }), 'A  B\na  \n');
  });
  test("Go's duration strings", () => {
    assert.equal(formatGoDuration(0), '0s');
    assert.equal(formatGoDuration(850), '850ns');
    assert.equal(formatGoDuration(63_938), '63.938µs');
    assert.equal(formatGoDuration(1_500_000), '1.5ms');
    assert.equal(formatGoDuration(123_500_000_000), '2m3.5s');
    assert.equal(formatGoDuration(3_600_000_000_000), '1h0m0s');
    assert.equal(formatGoSeconds(2393), '39m53s');
    assert.equal(formatGoSeconds(0), '0s');
    assert.equal(formatGoSeconds(3605), '1h0m5s');
  });
  test('go-humanize IBytes', () => {
    assert.equal(formatIBytes(0), '0 B');
    assert.equal(formatIBytes(32 * 1024 * 1024), '32 MiB');
    assert.equal(formatIBytes(25276510208), '24 GiB');
    assert.equal(formatIBytes(1.5 * 1024 ** 3), '1.5 GiB');
  });
});
