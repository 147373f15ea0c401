/**
 * HCL2 expressions and Nomad's job-file function library (jobspec2/functions.go), evaluated
 * at parse time because the WebAssembly parser leaves them as text; and `dynamic` blocks.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errors, job, parse, wrap } from './helpers.js';

/** The value of `expr` as the job's meta value "v" (meta values are text). */
async function value(expr: string, prelude = ''): Promise<string | undefined> {
  const j = await job(`${prelude}${wrap({ job: `meta {\n v = ${expr}\n }` })}`);
  return j.meta['v'];
}

const table: readonly (readonly [string, string])[] = [
  // numbers and operators
  ['abs(-3)', '3'], ['ceil(1.2)', '2'], ['floor(1.8)', '1'], ['max(1, 5, 3)', '5'], ['min(4, 2)', '2'], ['pow(2, 10)', '1024'],
  ['signum(-7)', '-1'], ['parseint("ff", 16)', '255'], ['log(8, 2)', '3'], ['1 + 2 * 3', '7'], ['(1 + 2) * 3', '9'], ['7 % 4', '3'],
  ['2 > 1 && !false', 'true'], ['1 == 1 ? "yes" : "no"', 'yes'], ['-(-4)', '4'],
  // strings
  ['upper("ab")', 'AB'], ['lower("AB")', 'ab'], ['title("hello world")', 'Hello World'], ['strrev("abc")', 'cba'],
  ['format("%s-%d-%05.2f|%-3s|%3d", "a", 3, 2.5, "x", 7)', 'a-3-02.50|x  |  7'], ['format("%q", "x")', '"x"'], ['join(",", ["a", "b"], ["c"])', 'a,b,c'],
  ['replace("a-b-c", "-", "_")', 'a_b_c'], ['replace("a1b22", "/[0-9]+/", "#")', 'a#b#'], ['regex_replace("a1b22", "[0-9]", "")', 'ab'],
  ['regex("[0-9]+", "ab123")', '123'], ['substr("hello", 1, 3)', 'ell'], ['trimspace("  x ")', 'x'], ['trim("?!x!?", "?!")', 'x'],
  ['trimprefix("nomad-job", "nomad-")', 'job'], ['trimsuffix("a.hcl", ".hcl")', 'a'], ['chomp("x\\n\\n")', 'x'],
  ['indent(2, "a\\nb")', 'a\n  b'], ['"${upper("a")}-${lower("B")}"', 'A-b'],
  // collections
  ['length([1, 2, 3])', '3'], ['length("héllo")', '5'], ['length({ a = 1 })', '1'], ['join(",", concat(["a"], ["b", "c"]))', 'a,b,c'],
  ['join(",", keys({ b = 1, a = 2 }))', 'a,b'], ['join(",", values({ b = "x", a = "y" }))', 'y,x'], ['lookup({ a = "1" }, "b", "dflt")', 'dflt'],
  ['jsonencode(merge({ a = 1 }, { b = 2 }))', '{"a":1,"b":2}'], ['jsonencode(range(3))', '[0,1,2]'], ['jsonencode(range(1, 7, 2))', '[1,3,5]'],
  ['coalesce("", "x")', 'x'], ['jsonencode(coalescelist([], ["a"]))', '["a"]'], ['jsonencode(compact(["a", "", "b"]))', '["a","b"]'],
  ['contains(["a", "b"], "b")', 'true'], ['jsonencode(distinct([1, 1, 2]))', '[1,2]'], ['element(["a", "b"], 3)', 'b'],
  ['jsonencode(flatten([[1, [2]], 3]))', '[1,2,3]'], ['index(["a", "b"], "b")', '1'], ['jsonencode(reverse([1, 2]))', '[2,1]'],
  ['jsonencode(slice(["a", "b", "c"], 1, 3))', '["b","c"]'], ['jsonencode(sort(["b", "a"]))', '["a","b"]'],
  ['jsonencode(chunklist([1, 2, 3], 2))', '[[1,2],[3]]'], ['jsonencode(setunion(["a"], ["b", "a"]))', '["a","b"]'],
  ['jsonencode(setintersection(["a", "b"], ["b", "c"]))', '["b"]'], ['jsonencode(setproduct(["a"], [1, 2]))', '[["a",1],["a",2]]'],
  ['jsonencode(zipmap(["a", "b"], [1, 2]))', '{"a":1,"b":2}'], ['jsonencode(tolist(["a"]))', '["a"]'], ['jsonencode(toset(["a", "a"]))', '["a"]'],
  ['jsonencode(tomap({ a = "b" }))', '{"a":"b"}'], ['tonumber("5") + 1', '6'], ['tostring(5)', '5'], ['tobool("true")', 'true'],
  ['jsonencode(formatlist("%s=%s", ["a", "b"], "x"))', '["a=x","b=x"]'], ['jsonencode(split(",", "a,b"))', '["a","b"]'],
  ['jsonencode([for s in ["a", "b"] : upper(s)])', '["A","B"]'], ['jsonencode({ for k, v in { a = 1, b = 2 } : v => k })', '{"1":"a","2":"b"}'],
  ['jsonencode([for s in ["a", "bb"] : s if length(s) > 1])', '["bb"]'], ['jsonencode([{ n = 1 }, { n = 2 }][*].n)', '[1,2]'],
  // encoding, hashes, time, uuids
  ['jsondecode("{\\"a\\": [1]}").a[0]', '1'], ['base64encode("hi")', 'aGk='], ['base64decode("aGk=")', 'hi'], ['urlencode("a b&c")', 'a+b%26c'],
  ['md5("a")', '0cc175b9c0f1b6a831c399e269772661'], ['sha1("a")', '86f7e437faa5a7fce15d1ddcb9eaeaea377667b8'],
  ['sha256("a")', 'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb'],
  ['timeadd("2024-01-01T00:00:00Z", "90m")', '2024-01-01T01:30:00Z'], ['uuidv5("dns", "example.com")', 'cfbff0d1-9375-5685-968c-48ce8b15ae17'],
  ['length(uuidv4())', '36'], ['jsonencode(csvdecode("a,b\\n1,2"))', '[{"a":"1","b":"2"}]'],
  // errors as values
  ['try(jsondecode("nope"), "fallback")', 'fallback'], ['can(jsondecode("{}"))', 'true'], ['can(regex("x", "y"))', 'false'],
  ['basename("/a/b.txt")', 'b.txt'], ['dirname("/a/b.txt")', '/a'],
];

describe('HCL2 functions, as Nomad job files call them', () => {
  for (const [expr, want] of table) {
    test(`${expr} = ${JSON.stringify(want)}`, async () => {
      assert.equal(await value(expr), want);
    });
  }

  test('over variables and locals', async () => {
    const prelude = 'variable "names" {\n default = ["a", "b"]\n}\nlocals {\n n = length(var.names)\n}\n';
    assert.equal(await value('"${local.n}:${join("+", var.names)}"', prelude), '2:a+b');
  });

  test('a run-time reference stays as text for placement and task start', async () => {
    assert.equal(await value('"${attr.kernel.name}-${NOMAD_ALLOC_INDEX}"'), '${attr.kernel.name}-${NOMAD_ALLOC_INDEX}');
  });

  test('an unknown function, or a function that fails, is an error naming the expression', async () => {
    for (const expr of ['nosuch(1)', 'lookup({}, "x")', 'element([], 0)', 'yamlencode({})']) {
      const es = errors(await parse(wrap({ job: `meta {\n v = ${expr}\n }` })));
      assert.deepEqual(es.map((d) => d.code), ['INVALID_VALUE'], expr);
      assert.ok(es[0].message.includes(expr.split('(')[0]), es[0].message);
    }
  });
});

describe('dynamic blocks', () => {
  test("Nomad's own dynamic example: groups from a list, with labels, counts and nested values", async () => {
    const text = `job "example" {
  dynamic "group" {
    for_each = [{ name = "groupA", idx = 1 }, { name = "groupB", idx = 2 }, { name = "groupC", idx = 3 }]
    labels   = [group.value.name]
    content {
      count = group.value.idx
      task "simple" {
        driver = "raw_exec"
        config {
          command = group.value.name
        }
        meta {
          VERSION = group.value.idx
        }
        env {
          ID = format("id:%s", group.value.idx)
        }
        resources {
          cpu = group.value.idx * 100
        }
      }
    }
  }
}
`;
    const j = await job(text);
    assert.deepEqual(j.groups.map((g) => [g.name, g.count]), [['groupA', 1], ['groupB', 2], ['groupC', 3]]);
    const t = j.groups[1].tasks[0];
    assert.deepEqual(t.driverConfig, { driver: 'raw_exec', config: { command: 'groupB', args: [] } });
    assert.deepEqual(t.meta, { VERSION: '2' });
    assert.deepEqual(t.env, { ID: 'id:2' });
    assert.equal(t.resources.cpu, 200);
  });

  test('an iterator name, a map for_each (key order), unlabelled blocks after the written ones, and nesting', async () => {
    const j = await job(wrap({
      group: 'constraint {\n attribute = "${attr.kernel.name}"\n value = "linux"\n }\n dynamic "constraint" {\n for_each = { "${meta.b}" = "2", "${meta.a}" = "1" }\n iterator = c\n content {\n attribute = c.key\n value = c.value\n }\n }',
      task: 'dynamic "env" {\n for_each = ["x"]\n content {\n X = "1"\n }\n }',
    }));
    assert.deepEqual(j.groups[0].constraints.map((c) => [c.attribute, c.value]), [['${attr.kernel.name}', 'linux'], ['${meta.a}', '1'], ['${meta.b}', '2']]);
    assert.deepEqual(j.groups[0].tasks[0].env, { X: '1' });
  });

  test('a port named "dynamic" is a port, not a dynamic block', async () => {
    const j = await job(wrap({ group: 'network {\n port "dynamic" {}\n }' }));
    assert.deepEqual(j.groups[0].networks[0].dynamicPorts.map((p) => p.label), ['dynamic']);
  });

  test('for_each that is not a list or map is an error', async () => {
    const r = await parse(wrap({ group: 'dynamic "constraint" {\n for_each = 3\n content {\n attribute = "a"\n value = "b"\n }\n }' }));
    assert.ok(errors(r).some((d) => d.code === 'INVALID_VALUE' && d.message.includes('for_each must be a list or a map')));
  });
});

describe('file(): beside the job file, confined to its directory', () => {
  test('reads a file next to the job file, and refuses one outside it or missing', async () => {
    const { mkdtempSync, writeFileSync, mkdirSync, rmSync, symlinkSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { parseJobFile } = await import('../../src/jobspec/index.js');
    const root = mkdtempSync(join(tmpdir(), 'bivouac-file-fn-'));
    try {
      const dir = join(root, 'jobs');
      mkdirSync(join(dir, 'conf'), { recursive: true });
      writeFileSync(join(dir, 'conf', 'app.conf'), 'port=8080\n');
      writeFileSync(join(root, 'secret'), 'nope');
      symlinkSync(join(root, 'secret'), join(dir, 'link'));
      const jobFile = join(dir, 'web.nomad');
      const read = async (expr: string) => parseJobFile(jobFile, wrap({ job: `meta {\n v = ${expr}\n }` }));
      const ok = await read('trimspace(file("conf/app.conf"))');
      assert.equal(ok.job?.meta['v'], 'port=8080');
      for (const expr of ['file("../secret")', 'file("link")', 'file("missing.txt")']) {
        const r = await read(expr);
        assert.equal(r.job, null, expr);
        assert.ok(errors(r).some((d) => d.code === 'INVALID_VALUE' && d.message.includes('file(')), `${expr}: ${JSON.stringify(r.diagnostics)}`);
      }
      assert.equal((await read('fileexists("conf/app.conf")')).job?.meta['v'], 'true');
      assert.equal((await read('fileexists("../secret")')).job?.meta['v'], 'false');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
