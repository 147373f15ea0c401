// Hostile or broken template text: whatever the input, parsing and executing either succeed
// or throw a TemplateError (with its code) — never another exception, never a hang.
// Inputs are generated from a fixed seed, so a failure names an input that reproduces.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { consulTemplateFuncs, parseTemplate, TemplateError } from '../../src/template/index.js';

const PIECES = [
  '.', '.a', '.b', '.a.b', '$', '$x', ':=', '=', '|', '(', ')', '"s"', '`r`', "'c'", '1', '-2', '3.5', '0x1F', '1e3', 'if', 'else', 'end',
  'range', 'with', 'define', 'template', 'block', 'break', 'continue', 'nil', 'true', 'printf', '"%d %s %v"', 'index', 'len', 'slice', 'eq',
  'lt', 'and', 'or', 'not', 'print', 'html', 'js', 'urlquery', 'call', 'split', '","', 'toJSON', 'parseJSON', 'add', 'divide', 'modulo',
  '/*', '*/', '\n', ',', '"t"', 'regexReplaceAll', '"(a"', '"a*"', 'loop', 'env', '"A"', 'key', 'timestamp', 'toTitle', '"\\xff"',
];

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

describe('random template text never crashes the engine', () => {
  const funcs = consulTemplateFuncs({ env: { A: 'a,b' }, file: { baseDir: '/', readFile: () => 'f' }, now: () => new Date(0) });
  const data = { a: [1, 'x', null, { b: 2 }], b: { c: 'd' }, n: null };
  test('5,000 generated templates', () => {
    const rand = seeded(11);
    const pick = (): string => PIECES[Math.floor(rand() * PIECES.length)];
    let executed = 0;
    for (let i = 0; i < 5000; i++) {
      let s = '';
      for (let a = 1 + Math.floor(rand() * 4); a > 0; a--) {
        s += `${rand() < 0.5 ? 'x' : ''}${rand() < 0.2 ? '{{- ' : '{{ '}`;
        for (let j = 1 + Math.floor(rand() * 6); j > 0; j--) s += pick() + (rand() < 0.6 ? ' ' : '');
        s += rand() < 0.2 ? ' -}}' : ' }}';
      }
      let tmpl;
      try {
        tmpl = parseTemplate('f', s, { funcs });
      } catch (e) {
        assert.ok(e instanceof TemplateError, `parse of ${JSON.stringify(s)} threw ${String(e)}`);
        assert.equal(e.code, 'TEMPLATE_PARSE');
        continue;
      }
      try {
        tmpl.execute(data);
        executed++;
      } catch (e) {
        assert.ok(e instanceof TemplateError, `execute of ${JSON.stringify(s)} threw ${String(e)}`);
        assert.ok(e.code === 'TEMPLATE_EXEC' || e.code === 'TEMPLATE_NEEDS_SERVER', e.code);
      }
    }
    assert.ok(executed > 50, `only ${executed} generated templates executed: the generator is not exercising exec`);
  });
  test('truncations of a real template', () => {
    const full = '{{ define "u" }}{{ . | printf "%-6s" }}{{ end }}{{ range $i, $v := env "A" | split "," -}}\n' +
      '{{ if eq $i 0 }}{{ template "u" $v }}{{ else if lt $i 3 }}{{ $v | toJSON }}{{ else }}{{ break }}{{ end }}\n{{- end }}';
    for (let n = 0; n <= full.length; n++) {
      const s = full.slice(0, n);
      try {
        parseTemplate('f', s, { funcs }).execute(null);
      } catch (e) {
        assert.ok(e instanceof TemplateError, `${JSON.stringify(s)} threw ${String(e)}`);
      }
    }
    assert.equal(parseTemplate('f', full, { funcs }).execute(null), 'a     "b"');
  });
});
