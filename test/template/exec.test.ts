// Execution cases from Go's text/template tests (exec_test.go) and documentation, with Go's
// struct test value recast as the maps and lists templates see here. Each case gives the
// output Go prints, or that execution fails (TEMPLATE_EXEC) and, where the text matters,
// the error text Go prints.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GoFloat, goFunc, parseTemplate, TemplateError, type FuncMap } from '../../src/template/index.js';

const tVal = {
  True: true,
  I: 17,
  U16: 16,
  X: 'x',
  S: 'xyz',
  U: { V: 'v' },
  SI: [3, 4, 5],
  SIEmpty: [],
  SB: [true, false],
  MSI: { one: 1, two: 2, three: 3 },
  MSIone: { one: 1 },
  MSIEmpty: {},
  SMSI: [{ one: 1, two: 2 }, { eleven: 11, twelve: 12 }],
  Empty0: null,
  Empty1: 3,
  Empty2: 'empty2',
  Empty3: [7, 8],
  Empty4: { V: 'UinEmpty' },
  PS: 'a string',
  PSI: [21, 22, 23],
  FloatZero: new GoFloat(0),
  Float: 15.1,
  BinaryFunc: (a: string, b: string) => `[${a}=${b}]`,
  VariadicFunc: (...s: string[]) => `<${s.join('+')}>`,
  ErrFunc: () => 'bla',
  FailFunc: () => {
    throw new Error('boom');
  },
};

// Go's test functions (exec_test.go's funcs map), as template functions.
const funcs: FuncMap = {
  add: goFunc([], (...xs: number[]) => xs.reduce((a, b) => a + b, 0), 'int'),
  echo: goFunc(['any'], (x: unknown) => x),
  makemap: goFunc([], (...a: string[]) => Object.fromEntries(a.flatMap((_, i) => (i % 2 === 0 ? [[a[i], a[i + 1]]] : []))), 'string'),
  mapOfThree: goFunc([], () => ({ three: 3 })),
  oneArg: goFunc(['string'], (a: string) => `oneArg=${a}`),
  twoArgs: goFunc(['string', 'string'], (a: string, b: string) => `twoArgs=${a}${b}`),
  dddArg: goFunc(['int'], (a: number, ...b: string[]) => `${a} [${b.join(' ')}]\n`, 'string'),
  zeroArgs: goFunc([], () => 'zeroArgs'),
  returnInt: goFunc([], () => 7),
  valueString: goFunc(['string'], () => 'value is ignored'),
};

type Case = readonly [name: string, input: string, output: string | Error, data?: unknown];

function run(input: string, data: unknown, opts: { missingKey?: 'default' | 'zero' | 'error' } = {}): string {
  return parseTemplate('t', input, { funcs }).execute(data, opts);
}

function check([name, input, output, data]: Case): void {
  test(`${name}: ${input}`, () => {
    if (output instanceof Error) {
      assert.throws(() => run(input, data), (e: unknown) => {
        assert.ok(e instanceof TemplateError, String(e));
        assert.equal(e.code, 'TEMPLATE_EXEC');
        if (output.message !== '') assert.equal(e.message, output.message);
        return true;
      });
    } else assert.equal(run(input, data), output);
  });
}

const fails = (message = ''): Error => new Error(message);

describe('exec: basics and constants', () => {
  const cases: Case[] = [
    ['empty', '', ''],
    ['text', 'some text', 'some text'],
    ['nil action', '{{nil}}', fails('template: t:1:2: executing "t" at <nil>: nil is not a command')],
    ['ideal int', '{{printf "%T" 3}}', 'int'],
    ['ideal float', '{{printf "%T" 1.0}}', 'float64'],
    ['ideal exp float', '{{printf "%T" 1e1}}', 'float64'],
    ['ideal hex int', '{{printf "%T" 0xef}}', 'int'],
    ['ideal hex E', '{{printf "%T" 0XEE}}', 'int'],
    ['ideal char', "{{printf \"%T %v\" 'x' 'x'}}", 'int 120'],
    ['ideal too big', '{{printf "%T" 18446744073709551615}}', fails('template: t:1:14: executing "t" at <18446744073709551615>: 18446744073709551615 overflows int')],
    ['number forms', '{{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000_000}} {{-7}} {{+7}} {{.5}} {{1e3}} {{0x1p-2}}', '31 15 15 5 1000000 -7 7 0.5 1000 0.25'],
    ['floats print as Go %v', '{{1.0}} {{1e6}} {{1e21}} {{123456.0}} {{1234567.0}} {{0.0001}} {{0.00001}} {{-2.5}}', '1 1e+06 1e+21 123456 1.234567e+06 0.0001 1e-05 -2.5'],
    ['strings and escapes', '{{"a\\tb\\u00e9\\x41"}} {{`raw\\n`}}', 'a\tbéA raw\\n'],
    ['bools', '{{true}} {{false}}', 'true false'],
    ['parenthesized non-function with no args', '{{(1)}}', '1'],
    ['unparenthesized non-function', '{{1 2}}', fails('template: t:1:2: executing "t" at <1>: can\'t give argument to non-function 1')],
    ['parenthesized non-function', '{{(1) 2}}', fails()],
    ['bug7b', '{{$x := 1}}{{$x 2}}', fails()],
    ['bug7c', '{{$x := 1}}{{3 | $x}}', fails()],
  ];
  cases.forEach(check);
});

describe('exec: fields, maps, dot, variables', () => {
  const cases: Case[] = [
    ['.X', '-{{.X}}-', '-x-', tVal],
    ['.U.V', '-{{.U.V}}-', '-v-', tVal],
    ['map .one', '{{.MSI.one}}', '1', tVal],
    ['map .NO', '{{.MSI.NO}}', '<no value>', tVal],
    ['map .WRONG args', '{{.MSI.one 1}}', fails('template: t:1:6: executing "t" at <.MSI.one>: one is not a method but has arguments'), tVal],
    ['field on string', '{{.X.Y}}', fails('template: t:1:4: executing "t" at <.X.Y>: can\'t evaluate field Y in type string'), tVal],
    ['field on int data', 'hello, {{.X.Y}}', fails('template: t:1:11: executing "t" at <.X.Y>: can\'t evaluate field X in type int'), 0],
    ['dot int', '<{{.}}>', '<13>', 13],
    ['dot float', '<{{.}}>', '<15.1>', 15.1],
    ['dot bool', '<{{.}}>', '<true>', true],
    ['dot string', '<{{.}}>', '<hello>', 'hello'],
    ['dot slice', '<{{.}}>', '<[-1 -2 -3]>', [-1, -2, -3]],
    ['dot map', '<{{.}}>', '<map[two:22]>', { two: 22 }],
    ['dot nested', '{{.}}', 'map[a:[1 x <nil> map[b:2.5]] c:map[]]', { c: {}, a: [1, 'x', null, { b: 2.5 }] }],
    ['dot nil', '{{.}}', '<no value>', null],
    ['$ int', '{{$}}', '123', 123],
    ['$.I', '{{$.I}}', '17', tVal],
    ['$.U.V', '{{$.U.V}}', 'v', tVal],
    ['declare in action', '{{$x := $.U.V}}{{$x}}', 'v', tVal],
    ['simple assignment', '{{$x := 2}}{{$x = 3}}{{$x}}', '3', tVal],
    ['nested assignment', '{{$x := 2}}{{if true}}{{$x = 3}}{{end}}{{$x}}', '3', tVal],
    ['nested assignment changes the last declaration', '{{$x := 1}}{{if true}}{{$x := 2}}{{if true}}{{$x = 3}}{{end}}{{end}}{{$x}}', '1', tVal],
    ['assignment to an undeclared variable', '{{range $x = .SI}}{{end}}', fails(), tVal],
    ['empty nil', '{{.Empty0}}', '<no value>', tVal],
    ['empty with int', '{{.Empty1}}', '3', tVal],
    ['empty with string', '{{.Empty2}}', 'empty2', tVal],
    ['empty with slice', '{{.Empty3}}', '[7 8]', tVal],
    ['empty with struct, field', '{{.Empty4.V}}', 'UinEmpty', tVal],
    ['field on nil data', '{{.foo}}', '<no value>', null],
    ['field on parenthesized nil data', '{{(.).foo}}', '<no value>', null],
    ['field through nil map value', '{{.Empty0.x}}', fails('template: t:1:9: executing "t" at <.Empty0.x>: nil pointer evaluating interface {}.x'), tVal],
    ['missing key chain', '{{.nope.deeper}}', '<no value>', tVal],
    ['print of missing', '{{print .nope}} {{printf "%v" .nope}}', '<nil> <nil>', tVal],
    ['parens: $ in paren', '{{($).X}}', 'x', tVal],
    ['parens: $ in paren in pipe', '{{($ | echo).X}}', 'x', tVal],
    ['parens: spaces and args', '{{(makemap "up" "down" "left" "right").left}}', 'right', tVal],
    ['bug10: field chain starting with function', '{{mapOfThree.three}}-{{(mapOfThree).three}}', '3-3', 0],
    ['bug13: chained nodes as arguments', '{{print (echo .).I}}', '17', tVal],
    ['bug14a', '{{(nil).True}}', fails(), tVal],
    ['bug14b', '{{$x := nil}}{{$x.anything}}', fails(), tVal],
    ['bug14c', '{{$x := (1.0)}}{{$y := ("hello")}}{{$x.anything}}{{$y.true}}', fails(), tVal],
    ['bug9: lower-case keys', '{{.cause}}', 'neglect', { cause: 'neglect' }],
    ['keys that are Object.prototype names', '{{.constructor}}|{{.toString}}|{{index . "__proto__"}}', '<no value>|<no value>|<no value>', {}],
  ];
  cases.forEach(check);
});

describe('exec: pipelines and function calls', () => {
  const cases: Case[] = [
    ['parens in pipeline', '{{printf `%d %d %d` (1) (2 | add 3) (add 4 (add 5 6))}}', '1 5 15', tVal],
    ['pipeline final arg', '{{"aaa" | twoArgs "bbb"}}', 'twoArgs=bbbaaa', tVal],
    ['pipeline one arg', '{{"aaa"|oneArg}}', 'oneArg=aaa', tVal],
    ['pipeline printf', '{{"aaa"|printf}}', 'aaa', tVal],
    ['bug8a: piped arg type-checked', '{{3|oneArg}}', fails('template: t:1:4: executing "t" at <oneArg>: wrong type for value; expected string; got int'), tVal],
    ['bug8b', '{{4|dddArg 3}}', fails(), tVal],
    ['bug16a', '{{true|printf}}', fails(), tVal],
    ['bug16b', '{{1|printf}}', fails(), tVal],
    ['bug16c', '{{1.1|printf}}', fails(), tVal],
    ['bug16d', "{{'x'|printf}}", fails(), tVal],
    ['bug16f', '{{true|twoArgs "xxx"}}', fails(), tVal],
    ['bug16h', '{{1|oneArg}}', fails(), tVal],
    ['bug15: result type checked', '{{valueString returnInt}}', fails(), tVal],
    ['constant of wrong type', '{{oneArg 3}}', fails('template: t:1:9: executing "t" at <3>: expected string; found 3'), tVal],
    ['too few args', '{{twoArgs "a"}}', fails('template: t:1:2: executing "t" at <twoArgs>: wrong number of args for twoArgs: want 2 got 1'), tVal],
    ['too many args', '{{oneArg "a" "b"}}', fails('template: t:1:2: executing "t" at <oneArg>: wrong number of args for oneArg: want 1 got 2'), tVal],
    ['variadic too few', '{{dddArg}}', fails('template: t:1:2: executing "t" at <dddArg>: wrong number of args for dddArg: want at least 1 got 0'), tVal],
    ['variadic', '{{dddArg 1 "a" "b"}}', '1 [a b]\n', tVal],
    ['zero args', '{{zeroArgs}}', 'zeroArgs', tVal],
    ['function as argument', '{{printf "%s" zeroArgs}}', 'zeroArgs', tVal],
    ['.BinaryFunc', '{{call .BinaryFunc `1` `2`}}', '[1=2]', tVal],
    ['.VariadicFunc0', '{{call .VariadicFunc}}', '<>', tVal],
    ['.VariadicFunc2', '{{call .VariadicFunc `he` `llo`}}', '<he+llo>', tVal],
    ['if .BinaryFunc call', '{{ if .BinaryFunc}}{{call .BinaryFunc `1` `2`}}{{end}}', '[1=2]', tVal],
    ['if not .BinaryFunc call', '{{ if not .BinaryFunc}}{{call .BinaryFunc `1` `2`}}{{else}}No{{end}}', 'No', tVal],
    ['.ErrFunc', '{{call .ErrFunc}}', 'bla', tVal],
    ['pipeline func', '-{{call .VariadicFunc `llo` | call .VariadicFunc `he` }}-', '-<he+<llo>>-', tVal],
    ['call nil', '{{call nil}}', fails('template: t:1:2: executing "t" at <call nil>: error calling call: call of nil'), tVal],
    ['call non-function', '{{call .X}}', fails('template: t:1:2: executing "t" at <call .X>: error calling call: non-function .X of type string'), tVal],
    ['call failing function', '{{call .FailFunc}}', fails('template: t:1:2: executing "t" at <call .FailFunc>: error calling call: boom'), tVal],
    ['printing a function fails', '{{.BinaryFunc}}', fails(), tVal],
  ];
  cases.forEach(check);
});

describe('exec: if, with, range, break, continue', () => {
  const cases: Case[] = [
    ['if true', '{{if true}}TRUE{{end}}', 'TRUE'],
    ['if false', '{{if false}}TRUE{{else}}FALSE{{end}}', 'FALSE'],
    ['if nil', '{{if nil}}TRUE{{end}}', fails()],
    ['if 1', '{{if 1}}NON-ZERO{{else}}ZERO{{end}}', 'NON-ZERO'],
    ['if 0', '{{if 0}}NON-ZERO{{else}}ZERO{{end}}', 'ZERO'],
    ['if 1.5', '{{if 1.5}}NON-ZERO{{else}}ZERO{{end}}', 'NON-ZERO'],
    ['if 0.0', '{{if .FloatZero}}NON-ZERO{{else}}ZERO{{end}}', 'ZERO', tVal],
    ['if emptystring', '{{if ``}}NON-EMPTY{{else}}EMPTY{{end}}', 'EMPTY'],
    ['if string', '{{if `notempty`}}NON-EMPTY{{else}}EMPTY{{end}}', 'NON-EMPTY'],
    ['if emptyslice', '{{if .SIEmpty}}NON-EMPTY{{else}}EMPTY{{end}}', 'EMPTY', tVal],
    ['if slice', '{{if .SI}}NON-EMPTY{{else}}EMPTY{{end}}', 'NON-EMPTY', tVal],
    ['if emptymap', '{{if .MSIEmpty}}NON-EMPTY{{else}}EMPTY{{end}}', 'EMPTY', tVal],
    ['if map', '{{if .MSI}}NON-EMPTY{{else}}EMPTY{{end}}', 'NON-EMPTY', tVal],
    ['if map unset', '{{if .MSI.none}}NON-ZERO{{else}}ZERO{{end}}', 'ZERO', tVal],
    ['if map not unset', '{{if not .MSI.none}}ZERO{{else}}NON-ZERO{{end}}', 'ZERO', tVal],
    ['if $x with $y int', '{{if $x := true}}{{with $y := .I}}{{$x}},{{$y}}{{end}}{{end}}', 'true,17', tVal],
    ['if $x with $x int', '{{if $x := true}}{{with $x := .I}}{{$x}},{{end}}{{$x}}{{end}}', '17,true', tVal],
    ['if else if', '{{if false}}FALSE{{else if true}}TRUE{{end}}', 'TRUE'],
    ['if else chain', '{{if eq 1 3}}1{{else if eq 2 3}}2{{else if eq 3 3}}3{{end}}', '3'],
    ['bug4: nil interface in if', '{{if .Empty0}}non-nil{{else}}nil{{end}}', 'nil', tVal],
    ['with true', '{{with true}}{{.}}{{end}}', 'true'],
    ['with false', '{{with false}}{{.}}{{else}}FALSE{{end}}', 'FALSE'],
    ['with 1', '{{with 1}}{{.}}{{else}}ZERO{{end}}', '1'],
    ['with 0', '{{with 0}}{{.}}{{else}}ZERO{{end}}', 'ZERO'],
    ['with 1.5', '{{with 1.5}}{{.}}{{else}}ZERO{{end}}', '1.5'],
    ['with 0.0', '{{with .FloatZero}}{{.}}{{else}}ZERO{{end}}', 'ZERO', tVal],
    ['with emptystring', '{{with ``}}{{.}}{{else}}EMPTY{{end}}', 'EMPTY'],
    ['with string', '{{with `notempty`}}{{.}}{{else}}EMPTY{{end}}', 'notempty'],
    ['with emptyslice', '{{with .SIEmpty}}{{.}}{{else}}EMPTY{{end}}', 'EMPTY', tVal],
    ['with slice', '{{with .SI}}{{.}}{{else}}EMPTY{{end}}', '[3 4 5]', tVal],
    ['with emptymap', '{{with .MSIEmpty}}{{.}}{{else}}EMPTY{{end}}', 'EMPTY', tVal],
    ['with map', '{{with .MSIone}}{{.}}{{else}}EMPTY{{end}}', 'map[one:1]', tVal],
    ['with empty interface, struct field', '{{with .Empty4}}{{.V}}{{end}}', 'UinEmpty', tVal],
    ['with $x int', '{{with $x := .I}}{{$x}}{{end}}', '17', tVal],
    ['with $x struct.U.V', '{{with $x := $}}{{$x.U.V}}{{end}}', 'v', tVal],
    ['with variable and action', '{{with $x := $}}{{$y := $.U.V}}{{$y}}{{end}}', 'v', tVal],
    ['else with', '{{with .nope}}A{{else with .X}}B{{.}}{{else}}C{{end}}', 'Bx', tVal],
    ['else with to else', '{{with .nope}}A{{else with .nope2}}B{{else}}C{{end}}', 'C', tVal],
    ['range []int', '{{range .SI}}-{{.}}-{{end}}', '-3--4--5-', tVal],
    ['range empty no else', '{{range .SIEmpty}}-{{.}}-{{end}}', '', tVal],
    ['range []int else', '{{range .SI}}-{{.}}-{{else}}EMPTY{{end}}', '-3--4--5-', tVal],
    ['range empty else', '{{range .SIEmpty}}-{{.}}-{{else}}EMPTY{{end}}', 'EMPTY', tVal],
    ['range []bool', '{{range .SB}}-{{.}}-{{end}}', '-true--false-', tVal],
    ['range map (sorted keys)', '{{range .MSI}}-{{.}}-{{end}}', '-1--3--2-', tVal],
    ['range empty map no else', '{{range .MSIEmpty}}-{{.}}-{{end}}', '', tVal],
    ['range map else', '{{range .MSI}}-{{.}}-{{else}}EMPTY{{end}}', '-1--3--2-', tVal],
    ['range empty map else', '{{range .MSIEmpty}}-{{.}}-{{else}}EMPTY{{end}}', 'EMPTY', tVal],
    ['range empty interface', '{{range .Empty3}}-{{.}}-{{else}}EMPTY{{end}}', '-7--8-', tVal],
    ['range empty nil', '{{range .Empty0}}-{{.}}-{{end}}', '', tVal],
    ['range missing key', '{{range .nope}}-{{.}}-{{else}}none{{end}}', 'none', tVal],
    ['range $x SI', '{{range $x := .SI}}<{{$x}}>{{end}}', '<3><4><5>', tVal],
    ['range $x $y SI', '{{range $x, $y := .SI}}<{{$x}}={{$y}}>{{end}}', '<0=3><1=4><2=5>', tVal],
    ['range $x MSIone', '{{range $x := .MSIone}}<{{$x}}>{{end}}', '<1>', tVal],
    ['range $x $y MSIone', '{{range $x, $y := .MSIone}}<{{$x}}={{$y}}>{{end}}', '<one=1>', tVal],
    ['range $x PSI', '{{range $x := .PSI}}<{{$x}}>{{end}}', '<21><22><23>', tVal],
    ['declare in range', '{{range $x := .PSI}}<{{$foo:=$x}}{{$x}}>{{end}}', '<21><22><23>', tVal],
    ['range assigns existing variables', '{{$i := 0}}{{$v := 0}}{{range $i, $v = .SI}}{{end}}{{$i}} {{$v}}', '2 5', tVal],
    ['range over int', '{{range 3}}{{.}}{{end}}', '012'],
    ['range $x over int', '{{range $x := 4}}{{$x}}{{end}}', '0123'],
    ['range over zero int', '{{range 0}}x{{else}}none{{end}}', 'none'],
    ['range over int with two vars', '{{range $i, $x := 3}}{{end}}', fails()],
    ['range over string', '{{range "abc"}}{{.}}{{end}}', fails('template: t:1:8: executing "t" at <"abc">: range can\'t iterate over abc')],
    ['range quick break', '{{range .SI}}{{break}}{{.}}{{end}}', '', tVal],
    ['range break after two', '{{range $i, $x := .SI}}{{if ge $i 2}}{{break}}{{end}}{{.}}{{end}}', '34', tVal],
    ['range continue', '{{range .SI}}{{continue}}{{.}}{{end}}', '', tVal],
    ['range continue condition', '{{range .SI}}{{if eq . 3 }}{{continue}}{{end}}{{.}}{{end}}', '45', tVal],
    ['break in nested range', '{{range .SI}}[{{range $.SB}}{{break}}{{end}}{{.}}]{{end}}', '[3][4][5]', tVal],
    ['break inside with inside range', '{{range .SI}}{{with .}}{{if eq . 4}}{{break}}{{end}}{{end}}{{.}}{{end}}', '3', tVal],
    ['range map break', '{{range $k, $v := .MSI}}{{if eq $k "three"}}{{break}}{{end}}{{$k}}{{end}}', 'one', tVal],
    ['range var scope ends', '{{range $x := .SI}}{{end}}{{$x := 9}}{{$x}}', '9', tVal],
    ['or as if true', '{{or .SI "slice is empty"}}', '[3 4 5]', tVal],
    ['or as if false', '{{or .SIEmpty "slice is empty"}}', 'slice is empty', tVal],
    ['bug0: dot and receiver', '{{range .MSIone}}{{if $.I}}X{{end}}{{end}}', 'X', tVal],
  ];
  cases.forEach(check);
});

describe('exec: define, template, block', () => {
  const cases: Case[] = [
    ['template with dot', '{{define "x"}}<{{.}}>{{end}}{{template "x" .I}}', '<17>', tVal],
    ['template without pipeline has no dot', '{{define "x"}}<{{.}}>{{end}}{{template "x"}}', '<<no value>>', tVal],
    ['no dynamic scoping', '{{define "x"}}{{$}}{{end}}{{$y := 1}}{{template "x" 2}}', '2', tVal],
    ['block', 'a({{block "inner" .}}bar({{.}})baz{{end}})b', 'a(bar(hello)baz)b', 'hello'],
    ['recursion', '{{define "r"}}{{if .}}{{index . 0}}{{template "r" (slice . 1)}}{{end}}{{end}}{{template "r" .SI}}', '345', tVal],
    ['undefined template', '{{template "nope"}}', fails('template: t:1:11: executing "t" at <{{template "nope"}}>: template "nope" not defined')],
    ['runaway recursion', '{{define "r"}}{{template "r"}}{{end}}{{template "r"}}', fails()],
  ];
  cases.forEach(check);

  test('Go TestExecError: location of an error in a nested template', () => {
    const text = 'line 1\nline 2\nline 3\n{{template "one" .}}\n{{define "one"}}{{template "two" .}}{{end}}\n{{define "two"}}{{template "three" .}}{{end}}\n{{define "three"}}{{index "hi" $}}{{end}}';
    assert.throws(() => parseTemplate('top', text).execute(5), (e: unknown) => e instanceof TemplateError &&
      e.message === 'template: top:7:20: executing "three" at <index "hi" $>: error calling index: index out of range: 5' &&
      e.template === 'three' && e.line === 7 && e.col === 20);
  });

  test('Go TestTree: define, with, template and trimming with ( ) delimiters', () => {
    const treeTemplate = '\n\t(- define "tree" -)\n\t[\n\t\t(- .Val -)\n\t\t(- with .Left -)\n\t\t\t(template "tree" . -)\n\t\t(- end -)\n\t\t(- with .Right -)\n\t\t\t(- template "tree" . -)\n\t\t(- end -)\n\t]\n\t(- end -)\n';
    const node = (Val: number, Left: unknown = null, Right: unknown = null) => ({ Val, Left, Right });
    const tree = node(1, node(2, node(3, node(4)), node(5, node(6))), node(7, node(8, node(9)), node(10, node(11))));
    const t = parseTemplate('root', treeTemplate, { leftDelim: '(', rightDelim: ')' });
    assert.equal(t.executeTemplate('tree', tree), '[1[2[3[4]][5[6]]][7[8[9]][10[11]]]]');
  });

  test('Go TestDelims', () => {
    for (const [left, right] of [['', ''], ['{{', '}}'], ['<<', '>>'], ['|', '|'], ['(日)', '(本)']]) {
      const l = left || '{{';
      const r = right || '}}';
      const text = `${l}.Str${r}${l}/*comment*/${r}${l}"${l}"${r}`;
      assert.equal(parseTemplate('delims', text, { leftDelim: left, rightDelim: right }).execute({ Str: 'Hello, world' }), `Hello, world${l}`);
    }
  });

  test('executing an unknown template name', () => {
    assert.throws(() => parseTemplate('t', 'x').executeTemplate('y', null), (e: unknown) => e instanceof TemplateError && e.code === 'TEMPLATE_EXEC');
  });
});

describe('exec: missingkey option (Go TestMissingMapKey)', () => {
  test('default prints <no value>', () => assert.equal(run('{{.x}} {{.y}}', { x: 99 }), '99 <no value>'));
  test('zero on map[string]interface{} prints <no value> too', () => assert.equal(run('{{.x}} {{.y}}', { x: 99 }, { missingKey: 'zero' }), '99 <no value>'));
  test('error names the key', () => {
    assert.throws(() => run('{{.x}} {{.y}}', { x: 99 }, { missingKey: 'error' }), (e: unknown) => e instanceof TemplateError &&
      e.message === 'template: t:1:9: executing "t" at <.y>: map has no entry for key "y"');
  });
  test('error on nil data', () => {
    assert.throws(() => run('{{.x}}', null, { missingKey: 'error' }), (e: unknown) => e instanceof TemplateError &&
      e.message === 'template: t:1:2: executing "t" at <.x>: nil data; no entry for key "x"');
  });
  test('index of a missing key is not an error', () => assert.equal(run('{{index . "y"}}', { x: 1 }, { missingKey: 'error' }), '<no value>'));
});

describe('exec: whitespace trimming', () => {
  const cases: Case[] = [
    ['trim both', 'a  \n\t{{- 3 -}}\n  b', 'a3b'],
    ['trim left only', 'a \n{{- 3 }} b', 'a3 b'],
    ['trim right only', 'a {{ 3 -}} \n b', 'a 3b'],
    ['minus number is not a trim', 'a {{-3}} b', 'a -3 b'],
    ['trim around comment', 'a {{- /* x */ -}} b', 'ab'],
    ['trim keeps non-space', 'x.{{- 1 -}}.y', 'x.1.y'],
    ['range lines', '{{ range .SI -}}\n{{ . }}\n{{ end -}}', '3\n4\n5\n', tVal],
  ];
  cases.forEach(check);
});

describe('exec: string literals are Go strings', () => {
  test('byte escapes form UTF-8', () => assert.equal(run('{{"\\xc3\\xa9\\303\\251"}} {{len "\\xc3\\xa9"}}', null), 'éé 2'));
  test('char constants are runes', () => assert.equal(run("{{'\\xff'}} {{'é'}} {{'\\u00e9'}}", null), '255 233 233'));
});

describe('Go TestInterfaceValues (map data, nil and zero values)', () => {
  const data = { PlusOne: (n: number) => n + 1, Slice: [0, 1, 2, 3], One: 1, Two: 2, Nil: null, Zero: 0 };
  const cases: [string, string][] = [
    ['{{index .Nil 1}}', 'ERROR: index of untyped nil'],
    ['{{index .Slice 2}}', '2'],
    ['{{index .Slice .Two}}', '2'],
    ['{{call .Nil 1}}', 'ERROR: call of nil'],
    ['{{call .PlusOne 1}}', '2'],
    ['{{call .PlusOne .One}}', '2'],
    ['{{and (index .Slice 0) true}}', '0'],
    ['{{and .Zero true}}', '0'],
    ['{{and (index .Slice 1) false}}', 'false'],
    ['{{and .One false}}', 'false'],
    ['{{or (index .Slice 0) false}}', 'false'],
    ['{{or .Zero false}}', 'false'],
    ['{{or (index .Slice 1) true}}', '1'],
    ['{{or .One true}}', '1'],
    ['{{not (index .Slice 0)}}', 'true'],
    ['{{not .Zero}}', 'true'],
    ['{{not (index .Slice 1)}}', 'false'],
    ['{{not .One}}', 'false'],
    ['{{eq (index .Slice 0) .Zero}}', 'true'],
    ['{{eq (index .Slice 1) .One}}', 'true'],
    ['{{ne (index .Slice 0) .Zero}}', 'false'],
    ['{{ne (index .Slice 1) .One}}', 'false'],
    ['{{ge (index .Slice 0) .One}}', 'false'],
    ['{{ge (index .Slice 1) .Zero}}', 'true'],
    ['{{gt (index .Slice 0) .One}}', 'false'],
    ['{{gt (index .Slice 1) .Zero}}', 'true'],
    ['{{le (index .Slice 0) .One}}', 'true'],
    ['{{le (index .Slice 1) .Zero}}', 'false'],
    ['{{lt (index .Slice 0) .One}}', 'true'],
    ['{{lt (index .Slice 1) .Zero}}', 'false'],
  ];
  for (const [text, out] of cases) {
    test(text, () => {
      if (out.startsWith('ERROR:')) {
        const want = out.slice('ERROR:'.length).trim();
        assert.throws(() => run(text, data), (e: unknown) => e instanceof TemplateError && e.message.includes(want));
      } else assert.equal(run(text, data), out);
    });
  }
  test('Go TestMaxExecDepth', () => {
    assert.throws(() => parseTemplate('tmpl', '{{template "tmpl" .}}').execute(null), (e: unknown) => e instanceof TemplateError && e.message.includes('exceeded maximum template depth'));
  });
});

describe('Go text/template documentation: the examples that all print "output"', () => {
  const examples = [
    '{{"\\"output\\""}}',
    '{{`"output"`}}',
    '{{printf "%q" "output"}}',
    '{{"output" | printf "%q"}}',
    '{{printf "%q" (print "out" "put")}}',
    '{{"put" | printf "%s%s" "out" | printf "%q"}}',
    '{{"output" | printf "%s" | printf "%q"}}',
    '{{with "output"}}{{printf "%q" .}}{{end}}',
    '{{with $x := "output" | printf "%q"}}{{$x}}{{end}}',
    '{{with $x := "output"}}{{printf "%q" $x}}{{end}}',
    '{{with $x := "output"}}{{$x | printf "%q"}}{{end}}',
  ];
  for (const text of examples) test(text, () => assert.equal(run(text, null), '"output"'));
  test('the documented trim example', () => assert.equal(run('"{{23 -}} < {{- 45}}"', null), '"23<45"'));
  test('the documented variable scope example', () => {
    assert.equal(run('{{range $index, $element := .}}{{$index}}={{$element}};{{end}}', ['a', 'b']), '0=a;1=b;');
  });
});

describe('exec: missingkey=invalid is Go\'s other name for default', () => {
  test('prints <no value>', () => assert.equal(parseTemplate('t', '{{.y}}').execute({}, { missingKey: 'invalid' }), '<no value>'));
});
