// consul-template's functions, with the cases and outputs of consul-template's own
// template_test.go (helper_* and math_*) plus their error paths, and the server functions
// failing loudly with the function and the server named.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { consulTemplateFuncs, parseTemplate, SERVER_FUNCTIONS, TemplateError, UNSUPPORTED_FUNCTIONS } from '../../src/template/index.js';

const files: Record<string, string> = { '/task/local/hosts.txt': 'a\nb\n', '/etc/motd': 'hi' };
const reads: string[] = [];
const funcs = consulTemplateFuncs({
  env: { CT_TEST: '1', NOMAD_TASK_NAME: 'web', EMPTY: '' },
  file: {
    baseDir: '/task',
    readFile: (p) => {
      reads.push(p);
      if (p in files) return files[p];
      throw new Error(`open ${p}: no such file or directory`);
    },
  },
  now: () => new Date(0),
});

const run = (text: string, data: unknown = undefined): string => parseTemplate('t', text, { funcs }).execute(data);

function fails(text: string, message?: string): TemplateError {
  let err: TemplateError | undefined;
  assert.throws(() => run(text), (e: unknown) => {
    assert.ok(e instanceof TemplateError, String(e));
    err = e;
    if (message !== undefined) assert.equal(e.message, message);
    return true;
  });
  return err as TemplateError;
}

const tags = { Tags: ['prod', 'us-realm', 'x'], Other: ['staging'] };

describe('consul-template helpers (its template_test.go cases)', () => {
  const cases: [string, string, unknown?][] = [
    ['{{ range .Tags }}{{ if $.Tags | contains "prod" }}y{{ end }}{{ end }}', 'yyy', tags],
    ['{{ $r := parseJSON "[\\"prod\\",\\"us-realm\\"]" }}{{ if .Tags | containsAll $r }}1{{ end }}{{ if .Other | containsAll $r }}2{{ end }}', '1', tags],
    ['{{ $r := parseJSON "[]" }}{{ if .Tags | containsAll $r }}1{{ end }}{{ if .Other | containsAll $r }}2{{ end }}', '12', tags],
    ['{{ $a := parseJSON "[\\"v2\\",\\"staging\\"]" }}{{ if .Tags | containsAny $a }}1{{ end }}{{ if .Other | containsAny $a }}2{{ end }}', '2', tags],
    ['{{ $a := parseJSON "[]" }}{{ if .Tags | containsAny $a }}1{{ end }}', '', tags],
    ['{{ $f := parseJSON "[\\"devel\\",\\"staging\\"]" }}{{ if .Tags | containsNone $f }}1{{ end }}{{ if .Other | containsNone $f }}2{{ end }}', '1', tags],
    ['{{ $f := parseJSON "[]" }}{{ if .Tags | containsNone $f }}1{{ end }}', '1', tags],
    ['{{ $e := parseJSON "[\\"es-v1\\",\\"prod\\"]" }}{{ if .Tags | containsNotAll $e }}1{{ end }}{{ if .Other | containsNotAll $e }}2{{ end }}', '12', tags],
    ['{{ $e := parseJSON "[]" }}{{ if .Tags | containsNotAll $e }}1{{ end }}', '', tags],
    ['{{ env "CT_TEST" }}', '1'],
    ['{{ env "NOT_SET" }}|{{ env "EMPTY" }}', '|'],
    ['{{ mustEnv "CT_TEST" }}', '1'],
    ['{{ envOrDefault "NOT_SET" "d" }} {{ envOrDefault "EMPTY" "d" }}|', 'd |'],
    ['{{ if "prod" | in .Tags }}1{{ end }}{{ if "prod" | in .Other }}2{{ end }}', '1', tags],
    ['{{ "ell" | in "hello" }} {{ 1 | in "hello" }}', 'true false'],
    ['{{ "hello\\nhello\\r\\nHELLO\\r\\nhello\\nHELLO" | indent 4 }}', '    hello\n    hello\r\n    HELLO\r\n    hello\n    HELLO'],
    ['{{ "hello\\nhello\\r\\nHELLO\\r\\nhello\\nHELLO" | indent 0 }}', 'hello\nhello\r\nHELLO\r\nhello\nHELLO'],
    ['{{ range loop 3 }}1{{ end }}', '111'],
    ['{{ range $i := loop 3 }}{{ $i }}{{ end }}', '012'],
    ['{{ range loop 1 3 }}1{{ end }}', '11'],
    ['{{ range loop 1 "3" }}1{{ end }}', '11'],
    ['{{ $i := print "3" | parseInt }}{{ range loop 1 $i }}1{{ end }}', '11'],
    ['{{$n := 3 }}{{ range $i := loop $n }}{{ $i }}{{ end }}', '012'],
    ['{{ "a,b,c" | split "," | join ";" }}', 'a;b;c'],
    ['{{ "!!hello world!!" | trim "!!" }}', 'hello world'],
    ['{{ "hello world!!" | trimPrefix "hello " }}', 'world!!'],
    ['{{ "hello world!!" | trimSuffix " world!!" }}', 'hello'],
    ['{{ "true" | parseBool }}', 'true'],
    ['{{ "1.2" | parseFloat }}', '1.2'],
    ['{{ "1.0" | parseFloat | printf "%.1f"}}', '1.0'],
    ['{{ "-1" | parseInt }}', '-1'],
    ['{{ "{\\"foo\\": \\"bar\\"}" | parseJSON }}', 'map[foo:bar]'],
    ['{{ "1" | parseUint }}', '1'],
    ['{{ "foo" | regexMatch "[a-z]+" }}', 'true'],
    ['{{ "foo" | regexReplaceAll "\\\\w" "x" }}', 'xxx'],
    ['{{ "hello my hello" | regexReplaceAll "hello" "bye" }}', 'bye my bye'],
    ['{{ "hello my hello" | replaceAll "hello" "bye" }}', 'bye my bye'],
    ['{{ "a,b,c" | split "," }}', '[a b c]'],
    ['{{ "a:x,b:y,c:z" | splitToMap "," ":" }}', 'map[a:x b:y c:z]'],
    ['{{ timestamp }}', '1970-01-01T00:00:00Z'],
    ['{{ timestamp "2006-01-02" }}', '1970-01-01'],
    ['{{ "a,b,c" | split "," | toJSON }}', '["a","b","c"]'],
    ['{{ "a?b&c,x?y&z" | split "," | toUnescapedJSON }}', '["a?b&c","x?y&z"]'],
    ['{{ "HI" | toLower }}', 'hi'],
    ['{{ "this is a sentence" | toTitle }}', 'This Is A Sentence'],
    ['{{ "this is a sentence\u2026and another sentence\u2026with a \u{1F680}rocket" | toTitle }}', 'This Is A Sentence\u2026And Another Sentence\u2026With A \u{1F680}Rocket'],
    ['{{ "hi" | toUpper }}', 'HI'],
    ['{{ "\\t hi\\n " | trimSpace }}', 'hi'],
    ['{{ 2 | add 2 }}', '4'],
    ['{{ 2 | subtract 2 }}', '0'],
    ['{{ 2 | multiply 2 }}', '4'],
    ['{{ 2 | divide 2 }}', '1'],
    ['{{ 3 | modulo 2 }}', '1'],
    ['{{ 3 | minimum 2 }}', '2'],
    ['{{ 3 | maximum 2 }}', '3'],
  ];
  for (const [text, want, data] of cases) test(text, () => assert.equal(run(text, data), want));
});

describe('consul-template documentation examples (docs/templating-language.md)', () => {
  const cases: [string, string][] = [
    ['{{ base64Decode "aGVsbG8=" }} {{ base64Encode "hello" }} {{ base64URLDecode "aGVsbG8=" }}', 'hello aGVsbG8= hello'],
    ['{{ or (env "CLUSTER_ID") "12345" }}', '12345'],
    ['{{ range $i := loop 5 8 }}\nstanza-{{ $i }}{{ end }}', '\nstanza-5\nstanza-6\nstanza-7'],
    ['{{ range $i, $e := loop 5 8 }}{{ $i }}={{ $e }} {{ end }}', '0=5 1=6 2=7 '],
    ['{{ "hello world!!" | trim "!!" }}|{{ "hello world!!" | trimPrefix "hello" }}|{{ "hello world!!" | trimSuffix "world!!" }}', 'hello world| world!!|hello '],
    ['{{ if "foo.bar" | regexMatch "foo([.a-z]+)" }}y{{ else }}n{{ end }}', 'y'],
    ['{{ "foo.bar" | regexReplaceAll "foo([.a-z]+)" "$1" }}', '.bar'],
    ['{{ "foo.bar" | replaceAll "." "_" }}', 'foo_bar'],
    ['{{ "foo\\nbar\\n" | split "\\n" }}', '[foo bar]'],
    ['{{ "foo:bar\\nbaz:bat\\n" | splitToMap "\\n" ":" }}', 'map[baz:bat foo:bar]'],
    ['{{ if eq ("somekey" | hmacSHA256Hex "somemessage") (hmacSHA256Hex "somemessage" "somekey") }}same{{ end }}', 'same'],
    ['{{ timestamp "unix" }}', '0'],
    ['{{ add 1 2 }} {{ 1 | add 2 }}', '3 3'],
    ['{{ subtract 2 5 }} {{ 5 | subtract 2 }}', '3 3'],
    ['{{ multiply 2 2 }} {{ 2 | multiply 2 }}', '4 4'],
    ['{{ divide 2 10 }} {{ 10 | divide 2 }}', '5 5'],
    ['{{ modulo 2 5 }} {{ 5 | modulo 2 }}', '1 1'],
    ['{{ minimum 2 5 }} {{ 5 | minimum 2 }}', '2 2'],
    ['{{ maximum 2 5 }} {{ 5 | maximum 2 }}', '5 5'],
  ];
  for (const [text, want] of cases) test(text, () => assert.equal(run(text), want));
});

describe('consul-template helpers: more behaviour', () => {
  test('arithmetic is in pipeline order: the piped value is the left operand', () => {
    assert.equal(run('{{ 10 | subtract 3 }} {{ subtract 3 10 }} {{ 10 | divide 4 }} {{ 10 | modulo 4 }} {{ -7 | divide 2 }}'), '7 7 2 2 -3');
  });
  test('a float64 on either side makes a float64', () => {
    assert.equal(run('{{ 10.0 | divide 4 }} {{ 1.5 | add 1.5 }} {{ printf "%T" (add 1 2.0) }} {{ printf "%T" (add 1 2) }}'), '2.5 3 float64 int');
  });
  test('minimum and maximum keep the winner\'s type', () => assert.equal(run('{{ printf "%T %T" (minimum 1 2.5) (maximum 1 2.5) }}'), 'int float64'));
  test('arithmetic on a string fails with consul-template\'s text', () => {
    fails('{{ add "a" 1 }}', 'template: t:1:3: executing "t" at <add "a" 1>: error calling add: add: unknown type for "a" (string)');
  });
  test('modulo refuses floats', () => {
    fails('{{ modulo 2.5 1 }}', 'template: t:1:3: executing "t" at <modulo 2.5 1>: error calling modulo: modulo: unknown type for %!q(float64=2.5) (float64)');
  });
  test('integer division by zero fails as Go panics', () => {
    fails('{{ 1 | divide 0 }}', 'template: t:1:7: executing "t" at <divide 0>: error calling divide: runtime error: integer divide by zero');
  });
  test('float division by zero is +Inf', () => assert.equal(run('{{ 1.0 | divide 0 }}'), '+Inf'));
  test('parseJSON numbers are float64 and print as Go prints them', () => {
    assert.equal(run('{{ $j := parseJSON "{\\"n\\": 1000000, \\"f\\": 1.5, \\"l\\": [1, true, null]}" }}{{ $j.n }} {{ $j.f }} {{ $j.l }} {{ printf "%T" $j.n }}'), '1e+06 1.5 [1 true <nil>] float64');
  });
  test('parseJSON "" is an empty map', () => assert.equal(run('{{ parseJSON "" }}'), 'map[]'));
  test('parseJSON of bad JSON fails', () => {
    fails('{{ parseJSON "{" }}', 'template: t:1:3: executing "t" at <parseJSON "{">: error calling parseJSON: unexpected end of JSON input');
  });
  test('toJSON sorts keys and escapes HTML as encoding/json does', () => {
    assert.equal(run('{{ parseJSON "{\\"b\\": \\"<&>\\", \\"a\\": 1000000}" | toJSON }}'), '{"a":1000000,"b":"\\u003c\\u0026\\u003e"}');
  });
  test('toJSONPretty', () => assert.equal(run('{{ "a:1" | splitToMap "," ":" | toJSONPretty }}'), '{\n  "a": "1"\n}'));
  test('toUnescapedJSONPretty', () => assert.equal(run('{{ "k:<>&&" | splitToMap "," ":" | toUnescapedJSONPretty }}'), '{\n  "k": "<>&&"\n}'));
  test('split trims first and gives [] for an empty string', () => assert.equal(run('{{ " a,b \\n" | split "," }} {{ "" | split "," | len }} {{ "ab" | split "" }}'), '[a b] 0 [a b]'));
  test('join needs a list of strings', () => {
    fails('{{ 3 | join "," }}');
  });
  test('splitToMap skips parts without the separator', () => assert.equal(run('{{ "a=1;b;c=x=y" | splitToMap ";" "=" }}'), 'map[a:1 c:x=y]'));
  test('executeTemplate renders a define to a string (consul-template\'s helper_executeTemplate)', () => {
    assert.equal(run('{{ define "custom" }}[{{ . }}]{{ end }}{{ executeTemplate "custom" }}|{{ executeTemplate "custom" "foo" | toUpper }}'), '[<no value>]|[FOO]');
    fails('{{ executeTemplate "nope" }}', 'template: t:1:3: executing "t" at <executeTemplate "nop...>: error calling executeTemplate: template: no template "nope" associated with template "t"');
    fails('{{ executeTemplate "custom" 1 2 }}{{ define "custom" }}{{ end }}', 'template: t:1:3: executing "t" at <executeTemplate "cus...>: error calling executeTemplate: executeTemplate: wrong number of arguments, expected 1 or 2, but got 3');
    const deep = fails('{{ define "r" }}{{ executeTemplate "r" }}{{ end }}{{ executeTemplate "r" }}');
    assert.equal(deep.code, 'TEMPLATE_EXEC');
    assert.ok(deep.message.length < 300, deep.message.slice(0, 300));
    assert.match(deep.message, /exceeded maximum template depth \(1000\)$/);
  });
  test('case mapping is rune by rune, as Go\'s', () => assert.equal(run('{{ "straße é" | toUpper }} {{ "İSTANBUL É" | toLower }}'), 'STRAßE É istanbul é'));
  test('trim cuts any of the cutset runes', () => assert.equal(run('{{ "xxhixyx" | trim "xy" }}'), 'hi'));
  test('base64', () => {
    assert.equal(run('{{ "hello" | base64Encode }} {{ "aGVsbG8=" | base64Decode }} {{ "a?b>" | base64URLEncode }} {{ "YT9iPg==" | base64URLDecode }}'), 'aGVsbG8= hello YT9iPg== a?b>');
    fails('{{ "aGVsbG8" | base64Decode }}');
    fails('{{ "a*==" | base64Decode }}', 'template: t:1:12: executing "t" at <base64Decode>: error calling base64Decode: base64Decode: illegal base64 data at input byte 1');
  });
  test('digests (consul-template\'s Test_sha256Hex, Test_md5sum, Test_hmacSHA256Hex)', () => {
    assert.equal(run('{{ "bladibla" | sha256Hex }}'), '54cf4c66bcabb5c20e25331c01dd600b73369e97a947861bd8d3a0e0b8b3d70b');
    assert.equal(run('{{ "bladibla" | md5sum }}'), 'c6886abd136f7daece35aebb01f1b713');
    assert.equal(run('{{ hmacSHA256Hex "bladibla" "foobar" }}'), '82cd4c36fa45a1936e93d005ea2fd008350339bb9246a3ba0c8dfecb9d77155b');
  });
  test('digests', () => {
    assert.equal(run('{{ "hello" | sha256Hex }}'), '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    assert.equal(run('{{ "hello" | md5sum }}'), '5d41402abc4b2a76b9719d911017c592');
    assert.equal(run('{{ hmacSHA256Hex "hello" "key" }}'), '9307b3b915efb5171ff14d8cb55fbcc798c6c0ef1456d66ded1a6aa723a58b7b');
  });
  test('parse* errors', () => {
    fails('{{ parseInt "abc" }}', 'template: t:1:3: executing "t" at <parseInt "abc">: error calling parseInt: parseInt: strconv.ParseInt: parsing "abc": invalid syntax');
    fails('{{ parseUint "-1" }}', 'template: t:1:3: executing "t" at <parseUint "-1">: error calling parseUint: parseUint: strconv.ParseUint: parsing "-1": invalid syntax');
    fails('{{ parseInt "99999999999999999999" }}', 'template: t:1:3: executing "t" at <parseInt "9999999999...>: error calling parseInt: parseInt: strconv.ParseInt: parsing "99999999999999999999": value out of range');
    fails('{{ parseBool "yes" }}', 'template: t:1:3: executing "t" at <parseBool "yes">: error calling parseBool: parseBool: strconv.ParseBool: parsing "yes": invalid syntax');
    fails('{{ parseFloat "1.2.3" }}');
  });
  test('parse* of "" are zero values', () => assert.equal(run('{{ parseBool "" }} {{ parseInt "" }} {{ parseUint "" }} {{ parseFloat "" }}'), 'false 0 0 0'));
  test('mustEnv of an empty variable fails', () => {
    fails('{{ mustEnv "EMPTY" }}', 'template: t:1:3: executing "t" at <mustEnv "EMPTY">: error calling mustEnv: required environment variable EMPTY is empty');
  });
  test('indent refuses a negative count', () => {
    fails('{{ "x" | indent -4 }}');
  });
  test('loop refuses other types and counts', () => {
    fails('{{ loop 1.5 }}', 'template: t:1:3: executing "t" at <loop 1.5>: error calling loop: loop: bad argument type: float64');
    fails('{{ loop 1 2 3 }}', 'template: t:1:3: executing "t" at <loop 1 2 3>: error calling loop: loop: wrong number of arguments, expected 1 or 2, but got 3');
  });
  test('timestamp layouts and unix', () => {
    const f = consulTemplateFuncs({ env: {}, file: { baseDir: '/', readFile: () => '' }, now: () => new Date(Date.UTC(2009, 10, 10, 23, 4, 5, 120)) });
    const t = (text: string): string => parseTemplate('t', text, { funcs: f }).execute(null);
    assert.equal(t('{{ timestamp }}'), '2009-11-10T23:04:05Z');
    assert.equal(t('{{ timestamp "unix" }}'), '1257894245');
    assert.equal(t('{{ timestamp "Mon Jan _2 15:04:05 MST 2006" }}'), 'Tue Nov 10 23:04:05 UTC 2009');
    assert.equal(t('{{ timestamp "Monday, 02-Jan-06 3:04PM -0700" }}'), 'Tuesday, 10-Nov-09 11:04PM +0000');
    assert.equal(t('{{ timestamp "2006-01-02T15:04:05.000Z07:00" }} {{ timestamp "05.999 05.9" }} {{ timestamp "January 2 002 pm" }}'), '2009-11-10T23:04:05.120Z 05.12 05.1 November 10 314 pm');
  });
});

describe('regular expressions (Go RE2 syntax)', () => {
  const cases: [string, string][] = [
    ['{{ "abc-123" | regexReplaceAll "([a-z]+)-([0-9]+)" "$2-$1" }}', '123-abc'],
    ['{{ "abc-123" | regexReplaceAll "(?P<word>[a-z]+)-(?P<num>\\\\d+)" "${num}_${word}" }}', '123_abc'],
    ['{{ "abc-123" | regexReplaceAll "([a-z]+)-" "$1x|${1}x|$$1" }}', '|abcx|$1123'],
    ['{{ "baaac" | regexReplaceAll "a*" "-" }}', '-b-c-'],
    ['{{ "abc" | regexReplaceAll "" "-" }}', '-a-b-c-'],
    ['{{ "Hello World" | regexReplaceAll "(?i)hello" "bye" }}', 'bye World'],
    ['{{ "a\\nb" | regexReplaceAll "(?s)a.b" "x" }}', 'x'],
    ['{{ "a\\nb" | regexReplaceAll "a.b" "x" }}', 'a\nb'],
    ['{{ "l1\\nl2" | regexReplaceAll "(?m)^l" "L" }}', 'L1\nL2'],
    ['{{ "x y\\tz\\u000bw" | regexReplaceAll "\\\\s" "_" }}', 'x_y_z\u000bw'],
    ['{{ "ab12" | regexReplaceAll "[[:alpha:]]" "." }}', '..12'],
    ['{{ "ab12" | regexReplaceAll "[^[:digit:]]+" "" }}', '12'],
    ['{{ "a.b" | regexReplaceAll "\\\\Qa.b\\\\E" "ok" }}', 'ok'],
    ['{{ "éa1" | regexReplaceAll "\\\\pL" "L" }}', 'LL1'],
    ['{{ "αβc1" | regexReplaceAll "\\\\p{Greek}+" "G" }} {{ "aB" | regexReplaceAll "\\\\p{Lu}" "_" }}', 'Gc1 a_'],
    ['{{ "abc\\n" | regexMatch "c$" }} {{ "abc\\n" | regexMatch "c\\\\z" }} {{ "abc" | regexMatch "\\\\Aabc\\\\z" }}', 'false false true'],
    ['{{ "a{b}" | regexReplaceAll "{b}" "c" }} {{ "aa" | regexReplaceAll "a{2}" "b" }}', 'ac b'],
    ['{{ "x-y" | regexReplaceAll "\\\\-" "+" }} {{ "a/b" | regexReplaceAll "/" "|" }}', 'x+y a|b'],
  ];
  for (const [text, want] of cases) test(text, () => assert.equal(run(text), want));
  test('Perl-only syntax fails as RE2 refuses it', () => {
    fails('{{ "ab" | regexMatch "a(?=b)" }}', 'template: t:1:10: executing "t" at <regexMatch "a(?=b)">: error calling regexMatch: error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
    fails('{{ "aa" | regexMatch "(a)\\\\1" }}', 'template: t:1:10: executing "t" at <regexMatch "(a)\\\\1">: error calling regexMatch: error parsing regexp: invalid escape sequence: `\\1`');
    fails('{{ "a" | regexMatch "(" }}');
  });
});

describe('file and env come from the caller', () => {
  test('file reads relative to the base directory', () => {
    reads.length = 0;
    assert.equal(run('{{ file "local/hosts.txt" }}|{{ file " /etc/motd " }}|{{ file "" }}'), 'a\nb\n|hi|');
    assert.deepEqual(reads, ['/task/local/hosts.txt', '/etc/motd']);
  });
  test('file of a path that cannot be read fails, naming it', () => {
    fails('{{ file "nope.txt" }}', 'template: t:1:3: executing "t" at <file "nope.txt">: error calling file: file "nope.txt": open /task/nope.txt: no such file or directory');
  });
  test('a range over split lines of a file', () => assert.equal(run('{{ range file "local/hosts.txt" | split "\\n" }}[{{ . }}]{{ end }}'), '[a][b]'));
});

describe('functions that need a server fail loudly', () => {
  const needs: [string, string, string][] = [
    ['{{ key "service/redis/maxconns" }}', 'key', 'Consul'],
    ['{{ keyOrDefault "a" "b" }}', 'keyOrDefault', 'Consul'],
    ['{{ range service "redis" }}{{ .Address }}{{ end }}', 'service', 'Consul'],
    ['{{ range tree "app" }}{{ end }}', 'tree', 'Consul'],
    ['{{ with secret "secret/data/x" }}{{ .Data }}{{ end }}', 'secret', 'Vault'],
    ['{{ range nomadService "db" }}{{ end }}', 'nomadService', 'Nomad'],
    ['{{ with nomadVar "nomad/jobs/x" }}{{ .v }}{{ end }}', 'nomadVar', 'Nomad'],
    ['{{ "1" | plugin "echo" }}', 'plugin', 'program'],
  ];
  for (const [text, func, server] of needs) {
    test(`${func} needs ${server}`, () => {
      const e = fails(text);
      assert.equal(e.code, 'TEMPLATE_NEEDS_SERVER');
      assert.equal(e.func, func);
      assert.equal(e.needs, server);
      assert.match(e.message, new RegExp(`error calling ${func}: `));
      if (server !== 'program') assert.match(e.message, new RegExp(`needs a ${server} server`));
    });
  }
  test('every server function is registered and refuses', () => {
    for (const [name, { needs: server }] of Object.entries(SERVER_FUNCTIONS)) {
      const e = fails(`{{ ${name} }}`);
      assert.equal(e.code, 'TEMPLATE_NEEDS_SERVER', name);
      assert.equal(e.needs, server, name);
    }
  });
  test('an unexecuted branch does not call it, and functionsUsed still lists it', () => {
    const t = parseTemplate('t', '{{ if false }}{{ key "x" }}{{ end }}ok', { funcs });
    assert.equal(t.execute(null), 'ok');
    assert.ok(t.functionsUsed().has('key'));
  });
  test('helpers this renderer lacks parse, and fail naming themselves when called', () => {
    assert.equal(run('{{ if false }}{{ "a: 1" | parseYAML }}{{ end }}ok'), 'ok');
    fails('{{ "a: 1" | parseYAML }}', 'template: t:1:12: executing "t" at <parseYAML>: error calling parseYAML: parseYAML is a consul-template function this renderer does not support');
    for (const name of UNSUPPORTED_FUNCTIONS) assert.equal(fails(`{{ ${name} }}`).code, 'TEMPLATE_EXEC', name);
  });
  test('a function nobody defines is a parse error', () => {
    assert.throws(() => parseTemplate('t', '{{ sprig_upper "x" }}', { funcs }), (e: unknown) => e instanceof TemplateError && e.code === 'TEMPLATE_PARSE' &&
      e.message === 'template: t:1: function "sprig_upper" not defined');
  });
});
