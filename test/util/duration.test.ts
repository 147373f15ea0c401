import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../src/util/duration.js';

describe('parseDuration', () => {
  const cases: [string, number | null][] = [
    ['5s', 5000],
    ['30m', 1_800_000],
    ['24h', 86_400_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['300ms', 300],
    ['0', 0],
    ['', null],
    ['5', null],
    ['5x', null],
    ['s', null],
  ];
  for (const [text, ms] of cases) test(JSON.stringify(text), () => assert.equal(parseDuration(text), ms));
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [15_000, '15s'],
    [1_800_000, '30m0s'],
    [3_600_000, '1h0m0s'],
    [16_200, '16.2s'],
    [250, '250ms'],
  ];
  for (const [ms, text] of cases) test(text, () => assert.equal(formatDuration(ms), text));
});
