/**
 * HCL1 job files (Nomad ≤ 0.12; `nomad job run -hcl1`), read by HashiCorp's own HCL1 grammar
 * (js-hcl-parser) when HCL2 refuses them. One case per form of HashiCorp's HCL1 test
 * fixtures (hashicorp/hcl v1: test-fixtures/ and hcl/parser/test-fixtures/), each written
 * here as a job file, with what Nomad's HCL1 reading makes of it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseJobFile, toApiJson, type ApiObject, type Diagnostic, type Job } from '../../src/jobspec/index.js';
import { fixturesDir } from '../helpers/paths.js';
import { errors, parse } from './helpers.js';

/**
 * A job that HCL2 refuses (the comma) so that HCL1 reads it; `task` is the task body. The
 * driver is docker where a config carries keys raw_exec does not have.
 */
const hcl1 = (task: string, job = '', driver = 'raw_exec'): string =>
  `job "j" {\n  datacenters = ["dc1"], type = "batch"\n  ${job}\n  group "g" {\n    task "t" {\n      driver = "${driver}"\n      ${task}\n    }\n  }\n}\n`;
const docker = (task: string): string => hcl1(task, '', 'docker');

async function read(text: string): Promise<{ job: Job; api: ApiObject }> {
  const r = await parse(text);
  assert.ok(r.job, r.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  assert.ok(r.diagnostics.some((d) => d.code === 'HCL1_PARSED'), 'read as HCL1, with the note that says so');
  return { job: r.job, api: toApiJson(r.job).Job };
}

const task0 = (api: ApiObject): ApiObject => {
  const g = (api['TaskGroups'] as readonly ApiObject[])[0];
  return (g['Tasks'] as readonly ApiObject[])[0];
};
const config = (api: ApiObject): ApiObject => task0(api)['Config'] as ApiObject;

describe('HCL1 job files, form by form', () => {
  test('commas between arguments, and a trailing comma in a list (list_comma, object_list_comma)', async () => {
    const { job } = await read(hcl1('config {\n command = "/bin/true", args = ["a", "b",]\n }\n meta = {one = 1, two = 2}'));
    assert.deepEqual(job.datacenters, ['dc1']);
    assert.equal(job.type, 'batch');
    const t = job.groups[0].tasks[0];
    assert.deepEqual(t.driverConfig, { driver: 'raw_exec', config: { command: '/bin/true', args: ['a', 'b'] } });
    assert.deepEqual(t.meta, { one: '1', two: '2' });
  });

  test('one-line blocks with several arguments and nested one-line blocks', async () => {
    const { job } = await read('job "x" {\n  datacenters = ["dc1"]\n  group "g" { count = 2, task "t" { driver = "raw_exec", config { command = "/bin/true" } } }\n}\n');
    assert.equal(job.groups[0].count, 2);
    assert.equal(job.groups[0].tasks[0].name, 't');
    assert.equal(job.groups[0].tasks[0].driver, 'raw_exec');
  });

  test('a block body that starts on the opening line', async () => {
    const { job } = await read('job "x" { datacenters = ["dc1"]\n  task "t" { driver = "raw_exec"\n    config { command = "/bin/true" }\n  }\n}\n');
    assert.equal(job.groups[0].name, 't', 'a bare task becomes a group of its name');
  });

  test('a block inside an object inside a list (assign_deep), kept as lists of maps', async () => {
    const { api } = await read(docker('config {\n image = "x", mounts = [{ type = "bind", options = { ro = true } }]\n }'));
    assert.deepEqual(config(api)['mounts'], [{ type: 'bind', options: [{ ro: true }] }]);
  });

  test('lists of maps and lists of lists (list_of_maps, list_of_lists)', async () => {
    const { api } = await read(docker('config {\n image = "x", m = [{a = "1"}, {b = "2", c = "3"},], l = [["a"], ["b"]]\n }'));
    assert.deepEqual(config(api)['m'], [{ a: '1' }, { b: '2', c: '3' }]);
    assert.deepEqual(config(api)['l'], [['a'], ['b']]);
  });

  test('heredocs, plain and indented (multiline, multiline_indented, multiline_no_hanging_indent)', async () => {
    const { job } = await read(hcl1('config { command = "x" }\n env {\n A = <<EOF\nline one\nline two\nEOF\n B = <<-EOT\n    x\n      y\n    EOT\n }'));
    assert.deepEqual(job.groups[0].tasks[0].env, { A: 'line one\nline two\n', B: 'x\n  y\n' });
  });

  test('escapes in strings (escape, escape_backslash)', async () => {
    const { job } = await read(hcl1('config {\n command = "x", args = ["a\\"b", "new\\nline", "back\\\\slash"]\n }'));
    assert.deepEqual(job.groups[0].tasks[0].driverConfig.config, { command: 'x', args: ['a"b', 'new\nline', 'back\\slash'] });
  });

  test('numbers: floats, a leading dot, exponents, negatives, booleans (float, scientific, types)', async () => {
    const { job } = await read(hcl1('config { command = "x" }\n meta {\n half = .5, pi = 3.14, big = 1e3, neg = -12, yes = true\n }'));
    assert.deepEqual(job.groups[0].tasks[0].meta, { half: '0.5', pi: '3.14', big: '1000', neg: '-12', yes: 'true' });
  });

  test('no spaces around =, and keys with dashes (basic_squish)', async () => {
    const { job } = await read(hcl1('config { command="x" }\n meta { foo-bar="baz", plain="y" }'));
    assert.deepEqual(job.groups[0].tasks[0].meta, { 'foo-bar': 'baz', plain: 'y' });
  });

  test('a number written as a string (basic_int_string)', async () => {
    const { job } = await read('job "x" {\n  datacenters = ["dc1"],\n  group "g" {\n    count = "3"\n    task "t" { driver = "raw_exec", config { command = "x" } }\n  }\n}\n');
    assert.equal(job.groups[0].count, 3);
  });

  test('quoted keys, dotted keys (complex_key, tfvars) and an empty block', async () => {
    const { job, api } = await read(docker('config {\n image = "x", foo.bar = "baz"\n }\n env {\n "APP.MODE" = "x", PLAIN = "y"\n }\n logs {}'));
    assert.deepEqual(job.groups[0].tasks[0].env, { 'APP.MODE': 'x', PLAIN: 'y' });
    assert.equal(config(api)['foo.bar'], 'baz');
  });

  test('labelled blocks in file order, repeated (structure_multi, slice_expand)', async () => {
    const text = 'job "x" {\n  datacenters = ["dc1"],\n  group "b" { task "t" { driver = "raw_exec", config { command = "x" } } }\n  group "a" { task "t" { driver = "raw_exec", config { command = "x" } } }\n}\n';
    const { job, api } = await read(text);
    assert.deepEqual(job.groups.map((g) => g.name), ['b', 'a']);
    assert.deepEqual((api['TaskGroups'] as readonly ApiObject[]).map((g) => g['Name']), ['b', 'a']);
  });

  test('repeated unlabelled blocks become a list (structure_list)', async () => {
    const { job } = await read(hcl1('config { command = "x" }', 'constraint { attribute = "${attr.kernel.name}", value = "linux" }\n constraint { attribute = "${attr.cpu.arch}", value = "amd64" }'));
    assert.deepEqual(job.constraints.map((c) => c.attribute), ['${attr.kernel.name}', '${attr.cpu.arch}']);
  });

  test('labelled blocks, repeated and with nested labels (structure, structure_multi) in a driver config', async () => {
    const { api } = await read(docker('config {\n image = "x"\n foo "baz" { key = 7 }\n foo "bar" { key = 8 }\n deep "a" "b" { k = 1 }\n }'));
    assert.deepEqual(config(api)['foo'], [{ baz: [{ key: 7 }] }, { bar: [{ key: 8 }] }]);
    assert.deepEqual(config(api)['deep'], [{ a: [{ b: [{ k: 1 }] }] }]);
  });

  test('a quoted key mapped to a list of booleans (object_with_bool)', async () => {
    const { api } = await read(docker('config {\n image = "x"\n path { policy = "write", permissions = { "bool" = [false] } }\n }'));
    assert.deepEqual(config(api)['path'], [{ policy: 'write', permissions: [{ bool: [false] }] }]);
  });

  test('comments of every kind, inside lists too, and on the last line with no newline (comment, array_comment, nested_block_comment, comment_lastline)', async () => {
    const text = '# hash\n// slashes\n/* block\n foo = "bar/*"\n*/\njob "x" {\n  datacenters = [\n    "dc1", # one\n  ],\n  task "t" { driver = "raw_exec", config { command = "x" } }\n}\n#last';
    const { job } = await read(text);
    assert.deepEqual(job.datacenters, ['dc1']);
  });

  test('a port block with an empty body, and a network in task resources', async () => {
    const { job } = await read(hcl1('config { command = "x" }\n resources { network { port "http" {}, port "db" { static = 5432 } } }'));
    const n = job.groups[0].tasks[0].resources.networks[0];
    assert.deepEqual(n.dynamicPorts.map((p) => p.label), ['http']);
    assert.deepEqual(n.reservedPorts.map((p) => [p.label, p.value]), [['db', 5432]]);
  });

  test('the old quoted-keys fixture file reads, with the note', async () => {
    const r = await parseJobFile('hcl1-legacy.nomad', readFileSync(join(fixturesDir, 'jobspec', 'hcl1-legacy.nomad'), 'utf8'));
    assert.ok(r.job, JSON.stringify(r.diagnostics));
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['HCL1_PARSED']);
    const t = r.job.groups[0].tasks[0];
    assert.deepEqual(t.env, { 'APP.MODE': 'x', PLAIN: 'y' });
    assert.deepEqual(t.meta, { ratio: '0.5' });
  });
});

describe('HCL2 and HCL1 give a driver the same config (Nomad\'s config-compatibility fixture, in our words)', () => {
  const body = [
    'image = "x"', 'attr_int = 3', 'attr_float = 3.2', 'attr_list = [1, "a", 3.4, { k = "v" }]', 'attr_list_empty = []',
    'attr_map = { KEY = "VAL", KEY2 = "VAL2" }', 'attr_map_empty = {}', 'block1 {\n k = "b"\n }', 'labeled "l1" {\n k = "b"\n }',
    'multi "l1" "l2" "l3" {\n k = "b"\n }', 'repeated {\n a = 2\n }', 'repeated {\n b = 3\n }',
    'mixed "l1" {\n a = 1\n }', 'mixed "l1" {\n a = 2\n }', 'mixed "l2" "l21" {\n a = 3\n }', 'mixed "l3" {\n a = 5\n }',
    'outer "l1" {\n level = 1\n inner "l2" {\n level = 2\n most "l3" {\n level = 3\n m = { K = "V" }\n }\n }\n }',
  ].join('\n');
  const job = (sep: string): string => `job "j" {\n  datacenters = ["dc1"]${sep}\n  task "t" {\n    driver = "docker"\n    config {\n${body}\n    }\n  }\n}\n`;

  test('the same Config from both grammars, including labels nested to different depths', async () => {
    const two = await parse(job(''));
    assert.ok(two.job, JSON.stringify(two.diagnostics));
    assert.ok(!two.diagnostics.some((d) => d.code === 'HCL1_PARSED'), 'read as HCL2');
    const { api: one } = await read(job(','));
    // Labels nested to different depths: HCL1 keeps one list item per block; through hcl2json
    // the same blocks come grouped by label. Same values, a different grouping (README).
    const { mixed: mixed2, ...rest2 } = config(toApiJson(two.job).Job);
    const { mixed: mixed1, ...rest1 } = config(one);
    assert.deepEqual(rest2, rest1);
    assert.deepEqual(mixed1, [{ l1: [{ a: 1 }] }, { l1: [{ a: 2 }] }, { l2: [{ l21: [{ a: 3 }] }] }, { l3: [{ a: 5 }] }]);
    assert.deepEqual(mixed2, [{ l1: [{ a: 1 }, { a: 2 }], l2: [{ l21: [{ a: 3 }] }], l3: [{ a: 5 }] }]);
    assert.deepEqual(config(one)['attr_map_empty'], [{}]);
  });
});

describe('HCL1 errors: HCL2 diagnostics, and HCL1\'s own words as a note', () => {
  const failing: readonly { readonly form: string; readonly text: string; readonly says: string; readonly line: number }[] = [
    { form: 'unterminated_object', text: 'job "x" {\n  group "g" {\n', says: 'object expected closing RBRACE got: EOF', line: 3 },
    { form: 'key_without_value', text: 'job "x" {\n  foo\n}\n', says: "key 'foo' expected start of object ('{') or assignment ('=')", line: 3 },
    { form: 'array_comment_2 (a missing comma in a list)', text: 'job "x" {\n  datacenters = [\n    "a" // no comma\n    "b"\n  ]\n}\n', says: 'error parsing list, expected comma or list end, got: STRING', line: 4 },
    { form: 'block_assign', text: 'job "x" {\n  environment = "aws" {\n  }\n}\n', says: 'expected: IDENT | STRING got: LBRACE', line: 2 },
    { form: 'assign_colon (a colon in a block)', text: 'job "x" {\n  meta {\n "a": "b"\n }\n}\n', says: 'illegal char', line: 3 },
    { form: 'unterminated_block_comment', text: 'job "x" {}\n/*\nfoo\n', says: 'comment not terminated', line: 4 },
    { form: 'structure2 (one block type with and without a label, in one config)', text: hcl1('config {\n command = "x"\n foo "baz" { key = 7 }\n foo { key = 8 }\n }'), says: 'map must have string keys', line: 0 },
  ];
  for (const f of failing) {
    test(`${f.form}: refused, with the HCL1 position`, async () => {
      const r = await parse(f.text);
      assert.equal(r.job, null);
      assert.ok(errors(r).length > 0 && errors(r).every((d: Diagnostic) => d.code === 'SYNTAX'), 'HCL2\'s syntax errors');
      const note = r.diagnostics.find((d) => d.code === 'HCL1_FAILED');
      assert.ok(note, JSON.stringify(r.diagnostics));
      assert.ok(note.message.includes(f.says), note.message);
      assert.equal(note.line, f.line);
    });
  }

  test('a file HCL2 reads is never handed to HCL1', async () => {
    const r = await parse('job "j" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n      config { command = "x" }\n    }\n  }\n}\n');
    assert.ok(r.job);
    assert.deepEqual(r.diagnostics, []);
  });

  test('an integer beyond 32 bits: a known limit of the JavaScript build of HCL1, named in the note', async () => {
    const r = await parse(hcl1('config { command = "x" }\n kill_timeout = 30000000000'));
    assert.equal(r.job, null);
    const note = r.diagnostics.find((d) => d.code === 'HCL1_FAILED');
    assert.ok(note?.message.includes('value out of range'), JSON.stringify(r.diagnostics));
  });
});
