/** go-envparse's rules for `env = true` templates, case by case. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EnvFileError, parseEnvFile } from '../../src/runner/hooks/env-file.js';

describe('parseEnvFile', () => {
  const cases: readonly [string, string, Record<string, string>][] = [
    ['plain', 'FOO=bar\n', { FOO: 'bar' }],
    ['blank lines and comments', '\n# c\n  # indented\nA=1\n\n', { A: '1' }],
    ['spaces around = and the value trimmed', 'KEY =  spaced value  \n', { KEY: 'spaced value' }],
    ['empty value', 'E=\n', { E: '' }],
    ['unquoted ends at #', 'A=val # comment\n', { A: 'val' }],
    ['double quotes keep spaces and take JSON escapes', 'Q=" a\\tb\\n\\"c\\" \\u00e9 "\n', { Q: ' a\tb\n"c" é ' }],
    ['single quotes are literal', "S='a\\nb # not a comment'\n", { S: 'a\\nb # not a comment' }],
    ['mixed segments', `M = normal \\text 'single\\' "\\"double " # EOL\n`, { M: 'normal \\text single\\ "double ' }],
    ['= inside a value', 'URL=http://x/?a=b\n', { URL: 'http://x/?a=b' }],
    ['CRLF', 'A=1\r\nB=2\r\n', { A: '1', B: '2' }],
    ['last one wins', 'A=1\nA=2\n', { A: '2' }],
  ];
  for (const [name, text, want] of cases) {
    test(name, () => assert.deepEqual(parseEnvFile(text), want));
  }

  const bad: readonly [string, string, number][] = [
    ['no =', 'JUSTTEXT\n', 1],
    ['bad key', 'A=1\n9X=2\n', 2],
    ['export prefix is not a key', 'export A=1\n', 1],
    ['unterminated double quote', 'A="open\n', 1],
    ['unterminated single quote', "A='open\n", 1],
    ['bad escape', 'A="\\q"\n', 1],
  ];
  for (const [name, text, line] of bad) {
    test(`refused: ${name}`, () => {
      assert.throws(() => parseEnvFile(text), (e: unknown) => e instanceof EnvFileError && e.line === line);
    });
  }
});
