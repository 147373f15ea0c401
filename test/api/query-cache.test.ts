/**
 * The API's answer cache: answers are kept while the state index stands still, the most
 * recently used last out, and URLs differing only in their query string cannot grow it past
 * its bounds (count and total size).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryCache } from '../../src/api/server.js';

describe('the API answer cache', () => {
  test('an answer is served only at the index it was made at', () => {
    const c = new QueryCache();
    c.put('/v1/jobs', 7, '[]');
    assert.equal(c.get('/v1/jobs', 7), '[]');
    assert.equal(c.get('/v1/jobs', 8), null);
  });

  test('distinct query strings of large answers stay within the total bound, oldest use out first', () => {
    const c = new QueryCache();
    const big = 'x'.repeat(1024 * 1024);
    c.put('/v1/jobs?n=0', 1, big);
    for (let i = 1; i < 40; i++) {
      // The first stays in use: it must outlive the ones never asked again.
      assert.equal(c.get('/v1/jobs?n=0', 1), big, `entry 0 after ${i} puts`);
      c.put(`/v1/jobs?n=${i}`, 1, big);
    }
    const kept = Array.from({ length: 40 }, (_, i) => c.get(`/v1/jobs?n=${i}`, 1) !== null).filter(Boolean).length;
    assert.ok(kept <= 16 && kept >= 8, `${kept} answers of 1 MiB kept`);
    assert.notEqual(c.get('/v1/jobs?n=39', 1), null, 'the newest is kept');
    assert.equal(c.get('/v1/jobs?n=1', 1), null, 'an old one unused since is gone');
  });

  test('an answer over the per-entry bound is not kept', () => {
    const c = new QueryCache();
    c.put('/v1/allocations', 1, 'y'.repeat(5 * 1024 * 1024));
    assert.equal(c.get('/v1/allocations', 1), null);
  });
});
