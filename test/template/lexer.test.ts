// Lexer cases after Go's lex_test.go: item kinds and values, trim markers, comments,
// delimiters, and the lexer's error texts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lex, type ItemType } from '../../src/template/lexer.js';

const opts = { leftDelim: '{{', rightDelim: '}}', breakOK: true, continueOK: true };
const items = (text: string, o = opts): string[] => lex(text, o).map((i) => `${i.type}:${i.val}`);
const kinds = (text: string): ItemType[] => lex(text, opts).map((i) => i.type);

describe('lex (Go lexTests)', () => {
  test('empty', () => assert.deepEqual(items(''), ['EOF:']));
  test('spaces', () => assert.deepEqual(items(' \t\n'), ['text: \t\n', 'EOF:']));
  test('text', () => assert.deepEqual(items('now is the time'), ['text:now is the time', 'EOF:']));
  test('text with comment', () => assert.deepEqual(items('hello-{{/* this is a comment */}}-world'), ['text:hello-', 'text:-world', 'EOF:']));
  test('punctuation', () => assert.deepEqual(kinds('{{,@% }}'), ['leftDelim', 'char', 'char', 'char', 'space', 'rightDelim', 'EOF']));
  test('parens', () => assert.deepEqual(kinds('{{((3))}}'), ['leftDelim', 'leftParen', 'leftParen', 'number', 'rightParen', 'rightParen', 'rightDelim', 'EOF']));
  test('empty action', () => assert.deepEqual(items('{{}}'), ['leftDelim:{{', 'rightDelim:}}', 'EOF:']));
  test('for', () => assert.deepEqual(items('{{for}}'), ['leftDelim:{{', 'identifier:for', 'rightDelim:}}', 'EOF:']));
  test('block', () => assert.deepEqual(items('{{block "foo" .}}'), ['leftDelim:{{', 'block:block', 'space: ', 'string:"foo"', 'space: ', 'dot:.', 'rightDelim:}}', 'EOF:']));
  test('quote', () => assert.deepEqual(items('{{"abc \\n\\t\\" "}}'), ['leftDelim:{{', 'string:"abc \\n\\t\\" "', 'rightDelim:}}', 'EOF:']));
  test('raw quote with newline', () => assert.deepEqual(items('{{`now is{{\n}}the time`}}'), ['leftDelim:{{', 'rawString:`now is{{\n}}the time`', 'rightDelim:}}', 'EOF:']));
  test('numbers', () => {
    const nums = lex('{{1 02 0x14 0X14 -7.2 1e3 1E3 +1.2e-4 1_2 0x1.e_fp4 0X1.E_FP4 0b101 0o17}}', opts).filter((i) => i.type === 'number').map((i) => i.val);
    assert.deepEqual(nums, ['1', '02', '0x14', '0X14', '-7.2', '1e3', '1E3', '+1.2e-4', '1_2', '0x1.e_fp4', '0X1.E_FP4', '0b101', '0o17']);
  });
  test('characters', () => {
    const chars = lex("{{'a' '\\n' '\\'' '\\\\' '\\u00FF' '\\xFF' '本'}}", opts).filter((i) => i.type === 'charConstant').map((i) => i.val);
    assert.deepEqual(chars, ["'a'", "'\\n'", "'\\''", "'\\\\'", "'\\u00FF'", "'\\xFF'", "'本'"]);
  });
  test('bools', () => assert.deepEqual(kinds('{{true false}}'), ['leftDelim', 'bool', 'space', 'bool', 'rightDelim', 'EOF']));
  test('dot', () => assert.deepEqual(kinds('{{.}}'), ['leftDelim', 'dot', 'rightDelim', 'EOF']));
  test('nil', () => assert.deepEqual(kinds('{{nil}}'), ['leftDelim', 'nil', 'rightDelim', 'EOF']));
  test('dots', () => assert.deepEqual(items('{{.x . .2 .x.y.z}}'), ['leftDelim:{{', 'field:.x', 'space: ', 'dot:.', 'space: ', 'number:.2', 'space: ', 'field:.x', 'field:.y', 'field:.z', 'rightDelim:}}', 'EOF:']));
  test('keywords', () => assert.deepEqual(kinds('{{range if else end with}}'), ['leftDelim', 'range', 'space', 'if', 'space', 'else', 'space', 'end', 'space', 'with', 'rightDelim', 'EOF']));
  test('variables', () => assert.deepEqual(items('{{$c := printf $ $hello $23 $ $var.Field .Method}}').filter((i) => i.startsWith('variable') || i.startsWith('declare')), ['variable:$c', 'declare::=', 'variable:$', 'variable:$hello', 'variable:$23', 'variable:$', 'variable:$var']));
  test('variable invocation', () => assert.deepEqual(items('{{$x 23}}'), ['leftDelim:{{', 'variable:$x', 'space: ', 'number:23', 'rightDelim:}}', 'EOF:']));
  test('pipeline', () => assert.deepEqual(kinds('intro {{echo hi 1.2 |noargs|args 1 "hi"}} outro'), [
    'text', 'leftDelim', 'identifier', 'space', 'identifier', 'space', 'number', 'space', 'pipe', 'identifier', 'pipe', 'identifier', 'space', 'number', 'space', 'string', 'rightDelim', 'text', 'EOF',
  ]));
  test('declaration and assignment', () => assert.deepEqual(kinds('{{$v := 3}}{{$v = 4}}'), ['leftDelim', 'variable', 'space', 'declare', 'space', 'number', 'rightDelim', 'leftDelim', 'variable', 'space', 'assign', 'space', 'number', 'rightDelim', 'EOF']));
  test('2 declarations', () => assert.deepEqual(kinds('{{$v , $w := 3}}'), ['leftDelim', 'variable', 'space', 'char', 'space', 'variable', 'space', 'declare', 'space', 'number', 'rightDelim', 'EOF']));
  test('field of parenthesized expression', () => assert.deepEqual(kinds('{{(.X).Y}}'), ['leftDelim', 'leftParen', 'field', 'rightParen', 'field', 'rightDelim', 'EOF']));
  test('trimming spaces before and after', () => assert.deepEqual(items('hello- {{- 3 -}} -world'), ['text:hello-', 'leftDelim:{{', 'number:3', 'rightDelim:}}', 'text:-world', 'EOF:']));
  test('trimming spaces before and after comment', () => assert.deepEqual(items('hello- {{- /* hello */ -}} -world'), ['text:hello-', 'text:-world', 'EOF:']));
  test('break and continue are identifiers when functions of those names exist', () => {
    assert.deepEqual(kinds('{{break}}'), ['leftDelim', 'break', 'rightDelim', 'EOF']);
    assert.deepEqual(lex('{{break}}', { ...opts, breakOK: false }).map((i) => i.type), ['leftDelim', 'identifier', 'rightDelim', 'EOF']);
  });
  test('delimiters', () => {
    const o = { ...opts, leftDelim: '$$', rightDelim: '@@' };
    assert.deepEqual(items('$$,@%{{}}@@', o), ['leftDelim:$$', 'char:,', 'char:@', 'char:%', 'char:{', 'char:{', 'char:}', 'char:}', 'rightDelim:@@', 'EOF:']);
  });
  test('line numbers', () => {
    const lines = lex('a\nb{{\n.x\n}}\nc', opts).map((i) => `${i.type}@${i.line}`);
    assert.deepEqual(lines, ['text@1', 'leftDelim@2', 'space@2', 'field@3', 'space@3', 'rightDelim@4', 'text@4', 'EOF@5']);
  });
});

describe('lex errors (Go lexTests)', () => {
  const cases: [string, string][] = [
    ['#{{\u0001}}', 'unrecognized character in action: U+0001'],
    ['{{\u00a0}}', 'unrecognized character in action: U+00A0'],
    ['{{é}}x{{ü!}}', "bad character U+0021 '!'"],
    ['{{a b', 'unclosed action'],
    ['{{"\n"}}', 'unterminated quoted string'],
    ['{{`xx}}', 'unterminated raw quoted string'],
    ["{{'\n}}", 'unterminated character constant'],
    ['{{3k}}', 'bad number syntax: "3k"'],
    ['{{(3}}', 'unclosed left paren'],
    ['{{3)}}', 'unexpected right paren'],
    ['hello-{{/*/}}-world', 'unclosed comment'],
    ['hello-{{/* */ }}-world', 'comment ends before closing delimiter'],
    ['{{$x:}}', 'expected :='],
    ['{{.x!}}', "bad character U+0021 '!'"],
  ];
  for (const [text, message] of cases) {
    test(JSON.stringify(text), () => {
      const last = lex(text, opts).at(-1);
      assert.equal(last?.type, 'error');
      assert.equal(last?.val, message);
    });
  }
});
