// Parse cases from Go's text/template/parse tests (parse_test.go): each input either parses
// to the given tree (Go's Root.String(), text quoted) or fails with TEMPLATE_PARSE.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { goFunc, parseTemplate, TemplateError } from '../../src/template/index.js';

const funcs = { contains: goFunc(['string', 'string'], (a: string, b: string) => a.includes(b)) };
const parse = (text: string) => parseTemplate('test', text, { funcs });

describe('parse: trees (Go parseTests)', () => {
  const ok: [string, string, string][] = [
    ['empty', '', ''],
    ['comment', '{{/*\n\n\n*/}}', ''],
    ['spaces', ' \t\n', '" \\t\\n"'],
    ['text', 'some text', '"some text"'],
    ['field', '{{.X}}', '{{.X}}'],
    ['simple command', '{{printf}}', '{{printf}}'],
    ['$ invocation', '{{$}}', '{{$}}'],
    ['variable invocation', '{{with $x := 3}}{{$x 23}}{{end}}', '{{with $x := 3}}{{$x 23}}{{end}}'],
    ['variable with fields', '{{$.I}}', '{{$.I}}'],
    ['multi-word command', '{{printf `%d` 23}}', '{{printf `%d` 23}}'],
    ['pipeline', '{{.X|.Y}}', '{{.X | .Y}}'],
    ['pipeline with decl', '{{$x := .X|.Y}}', '{{$x := .X | .Y}}'],
    ['nested pipeline', '{{.X (.Y .Z) (.A | .B .C) (.E)}}', '{{.X (.Y .Z) (.A | .B .C) (.E)}}'],
    ['field applied to parentheses', '{{(.Y .Z).Field}}', '{{(.Y .Z).Field}}'],
    ['simple if', '{{if .X}}hello{{end}}', '{{if .X}}"hello"{{end}}'],
    ['if with else', '{{if .X}}true{{else}}false{{end}}', '{{if .X}}"true"{{else}}"false"{{end}}'],
    ['if with else if', '{{if .X}}true{{else if .Y}}false{{end}}', '{{if .X}}"true"{{else}}{{if .Y}}"false"{{end}}{{end}}'],
    ['if else chain', '+{{if .X}}X{{else if .Y}}Y{{else if .Z}}Z{{end}}+', '"+"{{if .X}}"X"{{else}}{{if .Y}}"Y"{{else}}{{if .Z}}"Z"{{end}}{{end}}{{end}}"+"'],
    ['simple range', '{{range .X}}hello{{end}}', '{{range .X}}"hello"{{end}}'],
    ['chained field range', '{{range .X.Y.Z}}hello{{end}}', '{{range .X.Y.Z}}"hello"{{end}}'],
    ['nested range', '{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}', '{{range .X}}"hello"{{range .Y}}"goodbye"{{end}}{{end}}'],
    ['range with else', '{{range .X}}true{{else}}false{{end}}', '{{range .X}}"true"{{else}}"false"{{end}}'],
    ['range over pipeline', '{{range .X|.M}}true{{else}}false{{end}}', '{{range .X | .M}}"true"{{else}}"false"{{end}}'],
    ['range 1 var', '{{range $x := .SI}}{{.}}{{end}}', '{{range $x := .SI}}{{.}}{{end}}'],
    ['range 2 vars', '{{range $x, $y := .SI}}{{.}}{{end}}', '{{range $x, $y := .SI}}{{.}}{{end}}'],
    ['range with break', '{{range .SI}}{{.}}{{break}}{{end}}', '{{range .SI}}{{.}}{{break}}{{end}}'],
    ['range with continue', '{{range .SI}}{{.}}{{continue}}{{end}}', '{{range .SI}}{{.}}{{continue}}{{end}}'],
    ['constants', "{{range .SI 1 -3.2 true false 'a' nil}}{{end}}", "{{range .SI 1 -3.2 true false 'a' nil}}{{end}}"],
    ['template', '{{template `x`}}', '{{template "x"}}'],
    ['template with arg', '{{template `x` .Y}}', '{{template "x" .Y}}'],
    ['with', '{{with .X}}hello{{end}}', '{{with .X}}"hello"{{end}}'],
    ['with with else', '{{with .X}}hello{{else}}goodbye{{end}}', '{{with .X}}"hello"{{else}}"goodbye"{{end}}'],
    ['with with else with', '{{with .X}}hello{{else with .Y}}goodbye{{end}}', '{{with .X}}"hello"{{else}}{{with .Y}}"goodbye"{{end}}{{end}}'],
    ['with else chain', '{{with .X}}X{{else with .Y}}Y{{else with .Z}}Z{{end}}', '{{with .X}}"X"{{else}}{{with .Y}}"Y"{{else}}{{with .Z}}"Z"{{end}}{{end}}{{end}}'],
    ['trim left', 'x \r\n\t{{- 3}}', '"x"{{3}}'],
    ['trim right', '{{3 -}}\n\n\ty', '{{3}}"y"'],
    ['trim left and right', 'x \r\n\t{{- 3 -}}\n\n\ty', '"x"{{3}}"y"'],
    ['trim with extra spaces', 'x\n{{-  3   -}}\ny', '"x"{{3}}"y"'],
    ['comment trim left', 'x \r\n\t{{- /* hi */}}', '"x"'],
    ['comment trim right', '{{/* hi */ -}}\n\n\ty', '"y"'],
    ['comment trim left and right', 'x \r\n\t{{- /* */ -}}\n\n\ty', '"x""y"'],
    ['block definition', '{{block "foo" .}}hello{{end}}', '{{template "foo" .}}'],
    ['newline in assignment', '{{ $x \n := \n 1 \n }}', '{{$x := 1}}'],
    ['newline in pipeline', '{{\n"x"\n|\nprintf\n}}', '{{"x" | printf}}'],
    ['newline in comment', '{{/*\nhello\n*/}}', ''],
    ['newline in trimmed comment', '{{-\n/*\nhello\n*/\n-}}', ''],
    ['spaces around continue', '{{range .SI}}{{.}}{{ continue }}{{end}}', '{{range .SI}}{{.}}{{continue}}{{end}}'],
    ['spaces around break', '{{range .SI}}{{.}}{{ break }}{{end}}', '{{range .SI}}{{.}}{{break}}{{end}}'],
    ['bug0a', '{{$x := 0}}{{$x}}', '{{$x := 0}}{{$x}}'],
    ['bug1c', '{{$x:=.}}{{$x +2}}', '{{$x := .}}{{$x +2}}'],
    ['bug2a', '{{range $x := 0}}{{$x}}{{end}}', '{{range $x := 0}}{{$x}}{{end}}'],
    ['bug2b', '{{range $x = 0}}{{$x}}{{end}}', '{{range $x = 0}}{{$x}}{{end}}'],
    ['paren nesting', '{{ ((( 1 ))) | printf }}', '{{(((1))) | printf}}'],
    ['control nesting', '{{if .X}}{{with .Y}}{{range .Z}}x{{end}}{{end}}{{end}}', '{{if .X}}{{with .Y}}{{range .Z}}"x"{{end}}{{end}}{{end}}'],
  ];
  for (const [name, input, tree] of ok) test(name, () => assert.equal(parse(input).treeString(), tree));
});

describe('parse: errors (Go parseTests)', () => {
  const bad: [string, string][] = [
    ['emptyAction', '{{}}'],
    ['newline in empty action', '{{\n}}'],
    ['unclosed action', 'hello{{range'],
    ['unmatched end', '{{end}}'],
    ['unmatched else', '{{else}}'],
    ['unmatched else after if', '{{if .X}}hello{{end}}{{else}}'],
    ['multiple else', '{{if .X}}1{{else}}2{{else}}3{{end}}'],
    ['missing end', 'hello{{range .x}}'],
    ['missing end after else', 'hello{{range .x}}{{else}}'],
    ['undefined function', 'hello{{undefined}}'],
    ['undefined variable', '{{$x}}'],
    ['variable undefined after end', '{{with $x := 4}}{{end}}{{$x}}'],
    ['variable undefined in template', '{{template $v}}'],
    ['declare with field', '{{with $x.Y := 4}}{{end}}'],
    ['template with field ref', '{{template .X}}'],
    ['invalid punctuation', '{{printf 3, 4}}'],
    ['multidecl outside range', '{{with $v, $u := 3}}{{end}}'],
    ['too many decls in range', '{{range $u, $v, $w := 3}}{{end}}'],
    ['dot applied to parentheses', '{{printf (printf .).}}'],
    ['adjacent args', '{{printf 3`x`}}'],
    ['adjacent args with .', '{{printf `x`.}}'],
    ['extra end after if', '{{if .X}}a{{else if .Y}}b{{end}}{{end}}'],
    ['break outside range', '{{range .}}{{end}} {{break}}'],
    ['continue outside range', '{{range .}}{{end}} {{continue}}'],
    ['break in range else', '{{range .}}{{else}}{{break}}{{end}}'],
    ['continue in range else', '{{range .}}{{else}}{{continue}}{{end}}'],
    ['bug0b', '{{$x += 1}}{{$x}}'],
    ['bug0c', '{{$x ! 2}}{{$x}}'],
    ['bug0d', '{{$x % 3}}{{$x}}'],
    ['bug0e', '{{range $x := $y := 3}}{{end}}'],
    ['bug1a', '{{$x:=.}}{{$x!2}}'],
    ['bug1b', '{{$x:=.}}{{$x+2}}'],
    ['dot after integer', '{{1.E}}'],
    ['dot after float', '{{0.1.E}}'],
    ['dot after boolean', '{{true.E}}'],
    ['dot after char', "{{'a'.any}}"],
    ['dot after string', '{{"hello".guys}}'],
    ['dot after dot', '{{..E}}'],
    ['dot after nil', '{{nil.E}}'],
    ['wrong pipeline dot', '{{12|.}}'],
    ['wrong pipeline number', '{{.|12|printf}}'],
    ['wrong pipeline string', '{{.|printf|"error"}}'],
    ['wrong pipeline char', "{{12|printf|'e'}}"],
    ['wrong pipeline boolean', '{{.|true}}'],
    ['wrong pipeline nil', "{{'c'|nil}}"],
    ['empty pipeline', '{{printf "%d" ( ) }}'],
    ['block without pipeline', '{{block "foo"}}hello{{end}}'],
    ['unclosed comment', '{{/* hi'],
    ['comment before delimiter', '{{/* hi */x}}'],
    ['unterminated string', '{{"abc}}'],
    ['unterminated raw string', '{{`abc}}'],
    ['bad number', '{{3k}}'],
    ['unclosed paren', '{{(3}}'],
    ['extra right paren', '{{3)}}'],
    ['redefinition', '{{define "a"}}a{{end}}{{define "a"}}b{{end}}'],
  ];
  for (const [name, input] of bad) {
    test(name, () => assert.throws(() => parse(input), (e: unknown) => e instanceof TemplateError && e.code === 'TEMPLATE_PARSE'));
  }
});

describe('parse: error texts as Go prints them', () => {
  const cases: [string, string][] = [
    ['{{undefined}}', 'template: test:1: function "undefined" not defined'],
    ['\n\n{{$x}}', 'template: test:3: undefined variable "$x"'],
    ['{{if}}', 'template: test:1: missing value for if'],
    ['{{range .}}{{else}}{{break}}{{end}}', 'template: test:1: {{break}} outside {{range}}'],
    ['{{end}}', 'template: test:1: unexpected {{end}}'],
    ['{{if .X}}', 'template: test:1: unexpected EOF'],
    ['{{12|.}}', 'template: test:1: non executable command in pipeline stage 2'],
    ['{{with $v, $u := 3}}{{end}}', 'template: test:1: too many declarations in with'],
    ['{{range $u, $v, $w := 3}}{{end}}', 'template: test:1: too many declarations in range'],
    ['{{"hello".guys}}', 'template: test:1: unexpected . after term "\\"hello\\""'],
    ['{{printf 3, 4}}', 'template: test:1: unexpected "," in operand'],
    ['{{.x}', "template: test:1: bad character U+007D '}'"],
    ['{{/* hi */x}}', 'template: test:1: comment ends before closing delimiter'],
    ['{{3k}}', 'template: test:1: bad number syntax: "3k"'],
    ['{{(3}}', 'template: test:1: unclosed left paren'],
    ['{{08}}', 'template: test:1: integer overflow: "08"'],
    ['x\n{{range .\n', 'template: test:3: unclosed action started at test:2'],
    ['{{define "a"}}a{{end}}{{define "a"}}b{{end}}', 'template: test:1: template: multiple definition of template "a"'],
  ];
  for (const [input, message] of cases) {
    test(JSON.stringify(input), () => assert.throws(() => parse(input), (e: unknown) => e instanceof TemplateError && e.message === message));
  }
});

describe('parse: keywords, delimiters, defines', () => {
  test('break is a function when one is defined (Go TestKeywordsAndFuncs)', () => {
    const t = parseTemplate('t', '{{range .X}}{{break 20}}{{end}}', { funcs: { break: goFunc(['any'], (x: unknown) => x) } });
    assert.equal(t.treeString(), '{{range .X}}{{break 20}}{{end}}');
    assert.throws(() => parseTemplate('t', '{{range .X}}{{break 20}}{{end}}'), TemplateError);
  });
  test('custom delimiters', () => {
    const t = parseTemplate('t', '[[if .X]]y[[else]]z[[end]] {{ not an action }}', { leftDelim: '[[', rightDelim: ']]' });
    assert.equal(t.treeString(), '{{if .X}}"y"{{else}}"z"{{end}}" {{ not an action }}"');
    assert.equal(t.execute({ X: true }), 'y {{ not an action }}');
  });
  test('empty delimiters mean the defaults', () => {
    assert.equal(parseTemplate('t', '{{1}}', { leftDelim: '', rightDelim: '' }).execute(null), '1');
  });
  test('define and block register named templates', () => {
    const t = parseTemplate('main', '{{define "a"}}A{{end}}{{block "b" .}}B{{end}}x');
    assert.deepEqual(t.definedTemplates(), ['a', 'b', 'main']);
    assert.equal(t.treeString('a'), '"A"');
  });
  test('an empty redefinition keeps the first (Go IsEmptyTree)', () => {
    const t = parseTemplate('t', '{{define "a"}}A{{end}}{{define "a"}} {{end}}{{template "a"}}');
    assert.equal(t.execute(null), 'A');
  });
  test('functionsUsed lists every called function, executed or not', () => {
    const t = parseTemplate('t', '{{if false}}{{printf "%d" (len .x)}}{{end}}{{define "d"}}{{html .}}{{end}}');
    assert.deepEqual([...t.functionsUsed()].sort(), ['html', 'len', 'printf']);
  });
});
