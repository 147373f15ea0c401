import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { rewriteHcl1 } from '../../src/jobspec/hcl1-prepass.js';
import { parseJobFile } from '../../src/jobspec/index.js';
import { fixturesDir } from '../helpers/paths.js';
import { errors, parse } from './helpers.js';

const all = { decimals: true, quotedKeys: true, nestLabelsOf: [] };

describe('HCL1 pre-pass (unit)', () => {
  const table = [
    { name: '.5 after "= " reuses the space', src: 'a = .5\n', want: 'a =0.5\n' },
    { name: '.5 in a list gets a zero inserted', src: 'a = [1,.5]\n', want: 'a = [1,0.5]\n' },
    { name: 'a quoted identifier key loses its quotes in place', src: 'env {\n  "PORT" = 1\n}\n', want: 'env {\n   PORT  = 1\n}\n' },
    { name: 'a block with a dotted quoted key becomes a map attribute', src: 'env {\n  "A.B" = "x"\n  C = "d"\n}\n', want: 'env={\n  "A.B" = "x"\n  C = "d"\n}\n' },
    { name: 'strings and comments are left alone', src: '# "A.B" = .5\nx = ".5 \\"q\\""\n', want: null },
    { name: 'heredocs are left alone', src: 'x = <<EOT\n  "A.B" = .5\nEOT\n', want: null },
  ];
  for (const { name, src, want } of table) {
    test(name, () => {
      const r = rewriteHcl1(src, all);
      assert.equal(r === null ? null : r.text, want);
    });
  }

  test('positions map back to the original text', () => {
    const src = 'a = [1,.5, x]\n';
    const r = rewriteHcl1(src, all);
    assert.ok(r);
    const x = r.text.indexOf('x');
    assert.equal(src[r.toOriginal(x)], 'x');
  });

  test('labels nest as blocks when asked (hcl2json cannot convert mixed label depths)', () => {
    const r = rewriteHcl1('b "l1" "l2" {\n  a = 1\n}\n', { decimals: false, quotedKeys: false, nestLabelsOf: ['b'] });
    assert.equal(r?.text, 'b {\nl1 {\nl2 {\n  a = 1\n}\n}\n}\n');
  });
});

describe('HCL1 job files', () => {
  test('quoted env/meta keys and .5 decimals read, with a warning', async () => {
    const r = await parseJobFile('hcl1-legacy.nomad', readFileSync(join(fixturesDir, 'jobspec', 'hcl1-legacy.nomad'), 'utf8'));
    assert.ok(r.job, JSON.stringify(r.diagnostics));
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['HCL1_REWRITTEN']);
    const t = r.job.groups[0].tasks[0];
    assert.deepEqual(t.env, { 'APP.MODE': 'x', PLAIN: 'y' });
    assert.deepEqual(t.meta, { ratio: '0.5' });
  });

  test('an error after the rewrite still points at the original position', async () => {
    const text = 'job "j" {\n  meta {\n    "a.b" = .5\n  }\n  x = [1,\n}\n';
    const [d] = errors(await parse(text));
    assert.equal(d.code, 'SYNTAX');
    assert.equal(d.line, 6);
  });

  test('a file HCL2 rejects for other reasons is not rewritten', async () => {
    const r = await parse('job "j" {\n  @\n}\n');
    assert.deepEqual([...new Set(r.diagnostics.map((d) => d.code))], ['SYNTAX']);
  });
});
