// Go's predefined template functions: comparisons (Go's cmpTests), and, or, not, len, index,
// slice, print, println, printf, html, js, urlquery, with outputs and error texts from
// Go's exec_test.go and funcs.go.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate, TemplateError } from '../../src/template/index.js';

const data = {
  SI: [3, 4, 5],
  SMSI: [{ one: 1, two: 2 }, { eleven: 11, twelve: 12 }],
  MSI: { one: 1, two: 2, three: 3 },
  S: 'héllo',
  Three: 3,
  NegOne: -1,
  Nil: null,
  Fail: () => {
    throw new Error('should not be called');
  },
};

const run = (text: string): string => parseTemplate('t', text).execute(data);

function fails(text: string, message?: string): void {
  assert.throws(() => run(text), (e: unknown) => {
    assert.ok(e instanceof TemplateError, String(e));
    assert.equal(e.code, 'TEMPLATE_EXEC');
    if (message !== undefined) assert.equal(e.message, message);
    return true;
  });
}

describe('comparisons (Go cmpTests)', () => {
  const truths: [string, boolean][] = [
    ['eq true true', true], ['eq true false', false], ['eq 1.5 1.5', true], ['eq 1.5 2.5', false], ['eq 1 1', true], ['eq 1 2', false],
    ['eq `xy` `xy`', true], ['eq `xy` `xyz`', false], ['eq 3 4 5 6 3', true], ['eq 3 4 5 6 7', false],
    ['ne true true', false], ['ne true false', true], ['ne 1.5 1.5', false], ['ne 1 2', true], ['ne `xy` `xyz`', true],
    ['lt 1.5 1.5', false], ['lt 1.5 2.5', true], ['lt 1 1', false], ['lt 1 2', true], ['lt `xy` `xy`', false], ['lt `xy` `xyz`', true],
    ['le 1.5 1.5', true], ['le 2.5 1.5', false], ['le 1 1', true], ['le 2 1', false], ['le `xy` `xyz`', true], ['le `xyz` `xy`', false],
    ['gt 1.5 1.5', false], ['gt 2 1', true], ['gt 1 2', false], ['gt `xy` `xyz`', false],
    ['ge 1.5 1.5', true], ['ge 1.5 2.5', false], ['ge 2 1', true], ['ge `xyz` `xy`', true],
    ['eq .Three 3', true], ['lt .NegOne .Three', true], ['gt .NegOne .Three', false],
    ["eq (index `x` 0) 'x'", true], ["eq (index `x` 0) 'y'", false],
    ['eq .missing "x"', false], ['eq .Nil "x"', false], ['eq .missing .Nil', true], ['ne .missing "x"', true],
  ];
  for (const [expr, want] of truths) test(expr, () => assert.equal(run(`{{if ${expr}}}true{{else}}false{{end}}`), String(want)));

  test('eq `xy` 1: different types', () => fails('{{eq `xy` 1}}', 'template: t:1:2: executing "t" at <eq `xy` 1>: error calling eq: incompatible types for comparison'));
  test('eq 2 2.0: different types', () => fails('{{eq 2 2.0}}', 'template: t:1:2: executing "t" at <eq 2 2.0>: error calling eq: incompatible types for comparison'));
  test('lt true true: unordered', () => fails('{{lt true true}}', 'template: t:1:2: executing "t" at <lt true true>: error calling lt: invalid type for comparison'));
  test('lt on a missing value', () => fails('{{lt .missing 1}}', 'template: t:1:2: executing "t" at <lt .missing 1>: error calling lt: invalid type for comparison'));
  test('eq with one argument', () => fails('{{eq 1}}', 'template: t:1:2: executing "t" at <eq 1>: error calling eq: missing argument for comparison'));
  test('eq on lists', () => fails('{{eq .SI .SI}}', 'template: t:1:2: executing "t" at <eq .SI .SI>: error calling eq: non-comparable type [3 4 5]: []interface {}'));
  test('comparisons by byte order', () => assert.equal(run('{{lt "Z" "a"}} {{lt "é" "z"}}'), 'true false'));
});

describe('and, or, not', () => {
  test('Go: and', () => assert.equal(run('{{and false 0}} {{and 1 0}} {{and 0 true}} {{and 1 1}}'), 'false 0 0 1'));
  test('Go: or', () => assert.equal(run('{{or 0 0}} {{or 1 0}} {{or 0 true}} {{or 1 1}}'), '0 1 true 1'));
  test('Go: not', () => assert.equal(run('{{not true}} {{not false}} {{not .SI}} {{not .missing}}'), 'false true false true'));
  test('Go: boolean if', () => assert.equal(run('{{if and true 1 `hi`}}TRUE{{else}}FALSE{{end}}'), 'TRUE'));
  test('Go: boolean if not', () => assert.equal(run('{{if and true 1 `hi` | not}}TRUE{{else}}FALSE{{end}}'), 'FALSE'));
  test('and short-circuits', () => assert.equal(run('{{and false (call .Fail)}}'), 'false'));
  test('or short-circuits', () => assert.equal(run('{{or 1 (call .Fail)}}'), '1'));
  test('and takes the piped value last', () => assert.equal(run('{{1 | and 2}} {{0 | or 0}}'), '1 0'));
  test('and needs an argument', () => fails('{{and}}', 'template: t:1:2: executing "t" at <and>: wrong number of args for and: want at least 1 got 0'));
});

describe('len, index, slice', () => {
  test('len', () => assert.equal(run('{{len .SI}} {{len .MSI}} {{len .S}} {{len ""}}'), '3 3 6 0'));
  test('len of int', () => fails('{{len 3}}', 'template: t:1:2: executing "t" at <len 3>: error calling len: len of type int'));
  test('len of nothing', () => fails('{{len .missing}}', 'template: t:1:2: executing "t" at <len .missing>: error calling len: reflect: call of reflect.Value.Type on zero Value'));
  test('len of a nil value', () => fails('{{len .Nil}}', 'template: t:1:2: executing "t" at <len .Nil>: error calling len: len of nil pointer'));
  test('index', () => assert.equal(run('{{index .SI 0}} {{index .SI 2}} {{index .MSI `one`}} {{index .SMSI 1 `eleven`}} {{index "abc" 1}}'), '3 5 1 11 98'));
  test('index of a missing map key is no value', () => assert.equal(run('{{index .MSI `XXX`}}|{{index .MSI ``}}'), '<no value>|<no value>'));
  test('index no indexes', () => assert.equal(run('{{index .SI}}'), '[3 4 5]'));
  test('slice[HUGE]', () => fails('{{index .SI 10}}', 'template: t:1:2: executing "t" at <index .SI 10>: error calling index: index out of range: 10'));
  test('slice[len]', () => fails('{{index .SI 3}}', 'template: t:1:2: executing "t" at <index .SI 3>: error calling index: reflect: slice index out of range'));
  test('slice[WRONG]', () => fails('{{index .SI `hello`}}', 'template: t:1:2: executing "t" at <index .SI `hello`>: error calling index: cannot index slice/array with type string'));
  test('slice[nil]', () => fails('{{index .SI nil}}', 'template: t:1:2: executing "t" at <index .SI nil>: error calling index: cannot index slice/array with nil'));
  test('map[nil]', () => fails('{{index .MSI nil}}', 'template: t:1:2: executing "t" at <index .MSI nil>: error calling index: value is nil; should be of type string'));
  test('map[WRONG]', () => fails('{{index .MSI 10}}', 'template: t:1:2: executing "t" at <index .MSI 10>: error calling index: value has type int; should be string'));
  test('nil[1]', () => fails('{{index nil 1}}', 'template: t:1:2: executing "t" at <index nil 1>: error calling index: index of untyped nil'));
  test('index into an int', () => fails('{{index 3 0}}', 'template: t:1:2: executing "t" at <index 3 0>: error calling index: can\'t index item of type int'));
  test('slice', () => assert.equal(run('{{slice .SI}} {{slice .SI 1}} {{slice .SI 1 2}} {{slice .SI 1 2 3}} {{slice "abcdef" 1 3}} {{slice "abc" 3}}'), '[3 4 5] [4 5] [4] [4] bc '));
  test('slice a string by bytes', () => assert.equal(run('{{slice .S 0 3}}'), 'hé'));
  test('slice errors', () => {
    fails('{{slice .SI 2 1}}', 'template: t:1:2: executing "t" at <slice .SI 2 1>: error calling slice: invalid slice index: 2 > 1');
    fails('{{slice .SI 1 2 3 4}}', 'template: t:1:2: executing "t" at <slice .SI 1 2 3 4>: error calling slice: too many slice indexes: 4');
    fails('{{slice "abc" 1 2 3}}', 'template: t:1:2: executing "t" at <slice "abc" 1 2 3>: error calling slice: cannot 3-index slice a string');
    fails('{{slice .SI 4}}', 'template: t:1:2: executing "t" at <slice .SI 4>: error calling slice: index out of range: 4');
    fails('{{slice 3 1}}', 'template: t:1:2: executing "t" at <slice 3 1>: error calling slice: can\'t slice item of type int');
    fails('{{slice nil}}');
  });
});

describe('print, println, printf', () => {
  test('Go: print', () => assert.equal(run('{{print "hello, print"}}'), 'hello, print'));
  test('Go: print 123', () => assert.equal(run('{{print 1 2 3}}'), '1 2 3'));
  test('Go: print nil', () => assert.equal(run('{{print nil}}'), '<nil>'));
  test('print spaces only between non-strings', () => assert.equal(run('{{print 1 "a" 2 3 "b" "c"}}'), '1a2 3bc'));
  test('Go: println', () => assert.equal(run('{{println 1 2 3}}'), '1 2 3\n'));
  test('println strings', () => assert.equal(run('{{println "a" "b"}}'), 'a b\n'));
  test('Go: printf int', () => assert.equal(run('{{printf "%04x" 127}}'), '007f'));
  test('Go: printf float', () => assert.equal(run('{{printf "%g" 3.5}}'), '3.5'));
  test('Go: printf string', () => assert.equal(run('{{printf "%s" "hello"}}'), 'hello'));
  test('Go: printf lots', () => assert.equal(run('{{printf "%d %s %g" 127 "hello" 7.5}}'), '127 hello 7.5'));
  test('Go: printf var', () => assert.equal(run('{{with $x := .Three}}{{printf "%d" $x}}{{end}}'), '3'));
  test('printf needs a string format', () => fails('{{printf 3}}', 'template: t:1:9: executing "t" at <3>: expected string; found 3'));
});

describe('html, js, urlquery', () => {
  test('Go: html', () => assert.equal(run('{{html "<script>alert(\\"XSS\\");</script>"}}'), '&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;'));
  test('Go: html pipeline', () => assert.equal(run('{{printf "<script>alert(\\"XSS\\");</script>" | html}}'), '&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;'));
  test('html of several values and of nothing', () => assert.equal(run("{{html 1 \"'&\"}}|{{html .missing}}"), '1&#39;&amp;|&lt;no value&gt;'));
  const js: [string, string][] = [
    ['a', 'a'],
    ["'foo", "\\'foo"],
    ['Go "jump" \\', 'Go \\"jump\\" \\\\'],
    ['Yukihiro says "今日は世界"', 'Yukihiro says \\"今日は世界\\"'],
    ['unprintable \u200B', 'unprintable \\u200B'],
    ['<html>', '\\u003Chtml\\u003E'],
    ['no = in attributes', 'no \\u003D in attributes'],
    ['&#x27; does not become HTML entity', '\\u0026#x27; does not become HTML entity'],
    ['tab\there', 'tab\\u0009here'],
  ];
  for (const [input, want] of js) test(`Go TestJSEscaping: ${JSON.stringify(input)}`, () => assert.equal(parseTemplate('t', '{{js .}}').execute(input), want));
  test('Go: js', () => assert.equal(parseTemplate('t', '{{js .}}').execute("It'd be nice."), "It\\'d be nice."));
  test('Go: urlquery', () => assert.equal(run('{{"http://www.example.org/"|urlquery}}'), 'http%3A%2F%2Fwww.example.org%2F'));
  test('urlquery of spaces and UTF-8', () => assert.equal(run('{{urlquery "a b" "é~"}}'), 'a+b%C3%A9~'));
});
