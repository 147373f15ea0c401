import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAgo, formatKV, formatTable, formatTime } from '../../src/cli/format.js';

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
});
