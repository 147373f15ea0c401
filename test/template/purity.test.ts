// The engine (src/template/*.ts) knows nothing of Nomad and does no I/O: it imports only its
// own modules. The function layer (src/template/funcs/) may add node:crypto and node:path
// (pure computations), never the file system, the network or child processes: what `file`
// and `env` see is handed in by the caller.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { goFunc, parseTemplate, TemplateError } from '../../src/template/index.js';
import { repoRoot } from '../helpers/paths.js';

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)[^;]*?from '([^']+)'/gm)].map((m) => m[1]);
}

describe('template modules stay pure', () => {
  const dir = join(repoRoot, 'src', 'template');
  test('the engine imports only its own modules and mentions no Nomad', () => {
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      for (const spec of importsOf(join(dir, name))) {
        assert.ok(spec.startsWith('./'), `${name} imports ${spec}`);
      }
      const text = readFileSync(join(dir, name), 'utf8');
      assert.doesNotMatch(text.replace(/^export \{[^}]*\} from '\.\/funcs\/index\.js';$/m, ''), /nomad/i, `${name} mentions Nomad`);
    }
  });
  test('the function layer does no I/O of its own', () => {
    const allowed = new Set(['node:crypto', 'node:path']);
    for (const name of readdirSync(join(dir, 'funcs')).filter((f) => f.endsWith('.ts'))) {
      for (const spec of importsOf(join(dir, 'funcs', name))) {
        assert.ok(spec.startsWith('./') || spec.startsWith('../') || allowed.has(spec), `funcs/${name} imports ${spec}`);
        assert.ok(!spec.startsWith('../../'), `funcs/${name} reaches outside src/template: ${spec}`);
      }
    }
  });
});

describe('function maps (Go TestGoodFuncNames, TestBadFuncNames)', () => {
  const f = goFunc([], () => 0);
  for (const name of ['_', 'a', 'a1', 'Ӵ']) test(`good name ${JSON.stringify(name)}`, () => assert.equal(parseTemplate('t', 'x', { funcs: { [name]: f } }).execute(null), 'x'));
  for (const name of ['', '2', 'a-b']) {
    test(`bad name ${JSON.stringify(name)}`, () => assert.throws(() => parseTemplate('t', 'x', { funcs: { [name]: f } }), TemplateError));
  }
  test('a given function replaces a built-in of the same name', () => {
    assert.equal(parseTemplate('t', '{{len "abc"}}', { funcs: { len: goFunc(['any'], () => 'mine') } }).execute(null), 'mine');
  });
});

describe('TemplateError fields', () => {
  test('parse errors carry the template, line and column', () => {
    assert.throws(() => parseTemplate('conf', 'a\n\n{{ nope }}'), (e: unknown) => e instanceof TemplateError && e.code === 'TEMPLATE_PARSE' &&
      e.template === 'conf' && e.line === 3 && e.col === 4 && e.message === 'template: conf:3: function "nope" not defined');
    assert.throws(() => parseTemplate('conf', 'é\n  x {{ .a | 3 }}'), (e: unknown) => e instanceof TemplateError && e.line === 2 && e.col === 15);
  });
  test('exec errors carry the template, line, column, function and cause', () => {
    const boom = new Error('boom');
    const t = parseTemplate('conf', 'line1\n  {{ fail 1 }}', { funcs: { fail: goFunc(['int'], () => { throw boom; }) } });
    assert.throws(() => t.execute(null), (e: unknown) => e instanceof TemplateError && e.code === 'TEMPLATE_EXEC' &&
      e.template === 'conf' && e.line === 2 && e.col === 5 && e.func === 'fail' && e.cause === boom &&
      e.message === 'template: conf:2:5: executing "conf" at <fail 1>: error calling fail: boom');
  });
  test('columns count bytes, as Go does', () => {
    assert.throws(() => parseTemplate('t', 'é {{ .x.y }}').execute({ x: 1 }), (e: unknown) => e instanceof TemplateError && e.col === 8);
  });
  test('an empty template name reads as consul-template\'s', () => {
    assert.throws(() => parseTemplate('', '{{ .x.y }}').execute({ x: 1 }), (e: unknown) => e instanceof TemplateError &&
      e.message === 'template: :1:5: executing "" at <.x.y>: can\'t evaluate field y in type int');
  });
  test('long contexts are cut at 20 characters', () => {
    assert.throws(() => parseTemplate('t', '{{ printf "%d" "abcdefghijklmnopqrstuvwxyz" | len 3 }}').execute(null), (e: unknown) => e instanceof TemplateError &&
      /at <len>: wrong number of args for len: want 1 got 2$/.test(e.message));
    assert.throws(() => parseTemplate('t', '{{ index "abcdefghijklmnopqrstuvwxyz" 99 }}').execute(null), (e: unknown) => e instanceof TemplateError &&
      e.message.includes('at <index "abcdefghijklm...>: error calling index: index out of range: 99'));
  });
});

describe('nesting deeper than the stack', () => {
  test('deeply nested parentheses are a parse error, not a crash', () => {
    const text = `{{ ${'('.repeat(20000)}1${')'.repeat(20000)} }}`;
    assert.throws(() => parseTemplate('t', text), (e: unknown) => e instanceof TemplateError && e.code === 'TEMPLATE_PARSE');
  });
  test('deeply nested ifs execute or fail as template errors', () => {
    const text = `${'{{ if true }}'.repeat(5000)}x${'{{ end }}'.repeat(5000)}`;
    let out: string | undefined;
    try {
      out = parseTemplate('t', text).execute(null);
    } catch (e) {
      assert.ok(e instanceof TemplateError, String(e));
    }
    if (out !== undefined) assert.equal(out, 'x');
  });
  test('runaway template recursion stops with Go\'s message', () => {
    assert.throws(() => parseTemplate('t', '{{define "r"}}{{with .}}{{if true}}{{range $i := 1}}{{template "r" $}}{{end}}{{end}}{{end}}{{end}}{{template "r" 1}}').execute(null),
      (e: unknown) => e instanceof TemplateError && e.code === 'TEMPLATE_EXEC' && /exceeded maximum template depth \(1000\)/.test(e.message));
  });
});
