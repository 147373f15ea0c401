import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HclHost, ParserFailure } from '../../src/jobspec/hcl-host.js';

describe('HclHost: the parser in its own thread', () => {
  test('parses, and reports HCL errors as errors with the parser\'s message', async () => {
    const host = new HclHost(20_000);
    assert.deepEqual(await host.parse('f', 'a = 1\n'), { a: 1 });
    await assert.rejects(host.parse('f', 'a = \n'), (err: unknown) => err instanceof Error && !(err instanceof ParserFailure) && /f:\d+,\d+/.test(err.message));
  });

  test('a parse that runs past the limit fails alone; the next file gets a fresh parser', async () => {
    const host = new HclHost(20_000);
    await host.parse('warm', 'a = 1\n');
    const big = `x = "${'a'.repeat(5_000_000)}"\n`;
    await assert.rejects(host.parse('big', big, 1), ParserFailure);
    assert.deepEqual(await host.parse('next', 'b = 2\n'), { b: 2 });
  });

  test('a parser idle past its limit is let go, and the next file loads a new one', async () => {
    const host = new HclHost(20_000, 50);
    assert.equal(host.loaded, false);
    assert.deepEqual(await host.parse('a', 'a = 1\n'), { a: 1 });
    const end = Date.now() + 30_000;
    while (host.loaded) {
      assert.ok(Date.now() < end, 'the idle parser was never let go');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(await host.parse('b', 'b = 2\n'), { b: 2 });
    assert.equal(host.loaded, true);
  });

  test('without an idle limit the parser stays loaded', async () => {
    const host = new HclHost(20_000);
    await host.parse('a', 'a = 1\n');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(host.loaded, true);
  });
});
