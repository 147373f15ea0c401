/**
 * The in-thread fast path (hcl2-plain.ts) against the real parser, which is its spec: for
 * every text, the fast path says null or gives the very tree hcl2json gives (same values,
 * same key order), and it is null whenever hcl2json refuses the text.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { HclPool } from '../../src/jobspec/hcl-pool.js';
import { parsePlainHcl2 } from '../../src/jobspec/hcl2-plain.js';
import { parseHcl, parseHclTree, parseHclWithParser } from '../../src/jobspec/parse.js';
import { corpusDir, repoRoot } from '../helpers/paths.js';

const pool = new HclPool(20_000, 60_000, 2);

type Real = { readonly ok: true; readonly tree: unknown } | { readonly ok: false; readonly message: string };

async function real(text: string): Promise<Real> {
  try {
    return { ok: true, tree: await pool.parse('JOBFILE', text) };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

/** The contract, for one text; says whether the fast path took it. */
async function check(text: string): Promise<boolean> {
  const fast = parsePlainHcl2(text);
  if (fast === null) return false;
  const r = await real(text);
  assert.ok(r.ok, `fast path accepted a text hcl2json refuses (${r.ok ? '' : r.message}):\n${text}`);
  assert.deepStrictEqual(fast, r.tree, `different trees for:\n${text}`);
  assert.equal(JSON.stringify(fast), JSON.stringify(r.tree), `different key order for:\n${text}`);
  return true;
}

describe('hcl2-plain: values hcl2json renders as checked', () => {
  const accepted: Array<[string, unknown]> = [
    ['', {}],
    ['# only a comment\n', {}],
    ['a = "x\\"y\\\\z\\n\\t\\r"\n', { a: 'x"y\\z\n\t\r' }],
    ['a = 1.0\nb = 10\nc = -1\ne = 1.5\nf = 0.1\ng = 007\nk = 1.50\n', { a: 1, b: 10, c: -1, e: 1.5, f: 0.1, g: 7, k: 1.5 }],
    ['a = true\nb = false\nc = null\n', { a: true, b: false, c: null }],
    ['a = [1, 2,]\nb = []\nc = [\n"x", # c\n"y" /* d */\n]\n', { a: [1, 2], b: [], c: ['x', 'y'] }],
    ['a = { z = 1, "k 2" : "v" }\nb = {}\nc = {\n  y = 1,\n  x = [{ q = 2 }]\n}\n', { a: { 'k 2': 'v', z: 1 }, b: {}, c: { x: [{ q: 2 }], y: 1 } }],
    ['a = "${NOMAD_ALLOC_DIR}/x"\nb = "${attr.kernel.name}"\nc = "a\\"b ${meta.foo}\\n"\n', { a: '${NOMAD_ALLOC_DIR}/x', b: '${attr.kernel.name}', c: 'a"b ${meta.foo}\n' }],
    ['z = 1\na "y" {}\na "x" "ignored-depth" {}\n', null], // mixed label depths: deferred
    ['job "x" {\n  group "g" {\n    count = 1\n  }\n  group "h" { count = 2 }\n}\njob "x" {}\n', { job: { x: [{ group: { g: [{ count: 1 }], h: [{ count: 2 }] } }, {}] } }],
    ['a {}\na {\n}\n', { a: [{}, {}] }],
    ['a "x" "y" {}\na "x" "z" {}\n', { a: { x: { y: [{}], z: [{}] } } }],
    ['a = <<EOF\nline1\n  line2 "q" \\n $x {{ .X }} ${a.b}\n  EOF\nb = <<EOF\nEOF\n', { a: 'line1\n  line2 "q" \\n $x {{ .X }} ${a.b}\n', b: '' }],
    ['a = <<-EOF\n    x ${a.b}\n      y\n\n    z\n    EOF\nb = [<<EOF\nx\nEOF\n, 1]\n', { a: 'x ${a.b}\n  y\n\nz\n', b: ['x\n', 1] }],
    ['g "10" {}\ng "2" {}\ng "b" {}\ng "B" {}\ng "_" {}\ng "-" {}\ng "" {}\nm = { "10" = 1, "2" = 2, b = 3, B = 4, _z = 5 }\n', { g: { '': [{}], '-': [{}], '10': [{}], '2': [{}], B: [{}], _: [{}], b: [{}] }, m: { '10': 1, '2': 2, B: 4, _z: 5, b: 3 } }],
    ['/* head\n   lines */\na = 1 /* x\ny */\nb = 2 // end', { a: 1, b: 2 }],
  ];
  for (const [text, want] of accepted) {
    test(JSON.stringify(text).slice(0, 60), async () => {
      assert.deepStrictEqual(parsePlainHcl2(text), want);
      await check(text);
    });
  }

  const deferred = [
    'a = 1\na = 2\n', // hcl2json: "Attribute redefined"
    'a = 1\na {}\n', // hcl2json keeps the attribute, drops the block
    'a = { k = 1, k = 2 }\n', // hcl2json keeps the last
    'a = "${true}"\n', // hcl2json: the boolean true
    'a = "${ a.b }"\n', // hcl2json re-renders: ${a.b}
    'a = "$${x}"\n',
    'a = "%%{x}"\n',
    'a = "%{if x}y%{endif}"\n',
    'a = "\\u00e9"\n',
    'a = "é"\n',
    'a = -0\n',
    'a = 1e400\n', // hcl2json: null
    'a = 12345678901234567890\n',
    'a = - 1\n',
    'a = var.n\n',
    'a = <<EOF\nx\nEOF', // the closing marker must end its line
    'a = <<EOF  \nx\nEOF\n',
    'a = <<EOF\nx\nEOF b = 1\n',
    'a = <<EOF\n\tx\nEOF\n',
    'a = <<-EOF\n  x\n   \n  EOF\n', // a line of spaces in a flush heredoc: not verified
    'a { b = <<EOF\nx\nEOF\n}\n',
    'a = "unterminated',
    'a = 1\r\n',
    'a = 1 /* x\n*/ b = 2\n',
    'a = 1 /* unterminated',
    'a { b = 1, }\n',
    'a {\nb = 1 }\n',
    'a { b = 1\n}\n',
    'a {}b = 1\n',
    'a "x" {}\na "x" "y" {}\n', // hcl2-labels.ts territory
    'variable "x" {\n  default = 1\n}\n',
    'locals {\n  a = 1\n}\n',
    'a = "unterminated\n',
    'a b {}\n',
    'a = [1\n2]\n',
    '__proto__ = 1\n',
    'a = { __proto__ = 1 }\n',
  ];
  for (const text of deferred) {
    test(`null: ${JSON.stringify(text).slice(0, 50)}`, async () => {
      assert.equal(parsePlainHcl2(text), null);
    });
  }

  test('parseHclTree (the agent config) gives the same tree either way', async () => {
    const text = readFileSync(join(repoRoot, 'contrib', 'agent.hcl'), 'utf8');
    assert.notEqual(parsePlainHcl2(text), null, 'contrib/agent.hcl is plain HCL2');
    assert.deepStrictEqual(await parseHclTree('agent.hcl', text), await pool.parse('agent.hcl', text));
    await assert.rejects(parseHclTree('bad.hcl', 'a = \n'), /bad\.hcl/);
  });

  test('deep nesting and big files are left to the parser processes, without throwing', () => {
    assert.equal(parsePlainHcl2(`a = ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`), null);
    assert.equal(parsePlainHcl2('a {\n'.repeat(10_000) + '}\n'.repeat(10_000)), null);
    assert.deepStrictEqual(parsePlainHcl2(`a = ${'['.repeat(30)}${']'.repeat(30)}\n`), { a: JSON.parse(`${'['.repeat(30)}${']'.repeat(30)}`) });
    assert.equal(parsePlainHcl2(`a = "${'x'.repeat(40 * 1024)}"\n`), null);
  });

  test('parseHcl gives the fast tree, no diagnostics, and positions in the file', async () => {
    const text = 'job "x" {\n  type = "batch"\n}\n';
    const p = await parseHcl('f.hcl', text);
    assert.deepStrictEqual(p.tree, { job: { x: [{ type: 'batch' }] } });
    assert.deepStrictEqual(p.diagnostics, []);
    assert.deepStrictEqual(p.locate(text.indexOf('type')), { file: 'f.hcl', line: 2, column: 3 });
  });
});

/** The repository's own job files and configs, and the shared corpus when it sits beside the checkout. */
function jobFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(hcl|nomad)$/.test(name)) out.push(p);
    }
  };
  for (const d of ['jobs', 'contrib', join('test', 'fixtures')]) walk(join(repoRoot, d));
  return out;
}

/**
 * Each file the fast path takes gets the parser processes' own tree from it, key order
 * included, and no diagnostics; returns how many it took.
 */
async function assertParity(files: readonly string[]): Promise<number> {
  let taken = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const fast = parsePlainHcl2(text);
    if (fast === null) continue;
    taken++;
    const full = await parseHclWithParser(f, text);
    assert.deepStrictEqual(full.diagnostics, [], f);
    assert.deepStrictEqual(fast, full.tree, f);
    assert.equal(JSON.stringify(fast), JSON.stringify(full.tree), f);
  }
  return taken;
}

describe('hcl2-plain: files', () => {
  test('each in-repo job file: null, or parseHcl\'s own tree', async () => {
    const files = jobFiles();
    assert.ok(files.length >= 5, `in-repo job files: ${files.length}`);
    const taken = await assertParity(files);
    console.log(`hcl2-plain: the fast path took ${taken} of ${files.length} in-repo files`);
    assert.ok(taken >= 3, 'jobs/*.hcl are plain HCL2');
  });

  const manifest = join(corpusDir, 'MANIFEST.tsv');
  test('each shared-corpus file: null, or parseHcl\'s own tree', { skip: existsSync(manifest) ? false : `corpus not found at ${corpusDir}` }, async () => {
    // The job files the manifest lists (the .json beside them are not HCL).
    const files = readFileSync(manifest, 'utf8').trim().split('\n').slice(1).map((l) => join(corpusDir, l.split('\t')[0]));
    const taken = await assertParity(files);
    console.log(`hcl2-plain: the fast path took ${taken} of ${files.length} corpus files`);
  });
});

/** mulberry32: a small seeded generator, so a failure names a seed that replays it. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['a', 'b', 'job', 'group', 'task', 'config', 'env', 'meta', 'count', 'x-y', '_z', 'A1', 'a-', 'type', 'B', '10', 'true', 'null', 'for', 'if', 'variable', 'locals', 'dynamic', '__proto__', 'constructor', 'é'];
const PIECES = ['x', 'hello world', ' ', '/', '-', ':', '\\"', '\\\\', '\\n', '\\t', '\\r', '\\u00e9', '\\x41', '\\/', '${a}', '${a.b.c}', '${NOMAD_ALLOC_DIR}', '${ a }', '${a.0}', '${a[0]}', '${a-b}', '${a.}', '${true}', '${f(x)}', '${a + 1}', '$${a}', '%{if x}y%{endif}', '%{x}', '%%{x}', '$$${a}', '$$$', '$', '%', '$$', '%%', '100%', 'é', '\t', '#', '//', '/*', '}', '{', "'", '${', '${a', '\\'];
const NUMBERS = ['0', '1', '10', '-1', '1.0', '1.5', '0.1', '007', '-0', '-0.0', '1e3', '1E3', '1.', '.5', '12345678901234567890', '123456789012345', '-1.25', '- 1', '0x10', '3.14159265358979', '9007199254740993', '1_0'];
const ODD_VALUES = ['var.x', 'local.y', 'a', 'f(1)', '1 + 2', '<<EOF\nx\nEOF', '<<-EOF\n  x\n  EOF', '<<EOF  \nx\nEOF', '<<EOF\nx\n EOF ', '<<EOF\nEOF', '!true', '[for x in y : x]', '"a" == "b"', '(1)', 'true ? 1 : 2', '{a = 1}.a'];

function generate(r: () => number, heredocsOnly = false): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const chance = (p: number): boolean => r() < p;
  const name = (): string => (chance(0.85) ? pick(NAMES.slice(0, 15)) : pick(NAMES));
  const str = (): string => {
    let s = '';
    const n = Math.floor(r() * 4);
    for (let k = 0; k < n; k++) s += chance(0.6) ? pick(PIECES.slice(0, 16)) : pick(PIECES);
    return `"${s}"`;
  };
  const sp = (): string => (chance(0.8) ? ' ' : pick(['', '  ', '\t', ' /* c */ ', ' /* c\nc */ ']));
  const value = (depth: number): string => {
    const k = r();
    if (k < 0.35) return str();
    if (k < 0.55) return chance(0.8) ? pick(NUMBERS.slice(0, 9)) : pick(NUMBERS);
    if (k < 0.62) return pick(['true', 'false', 'null']);
    if (k < 0.64) return pick(ODD_VALUES);
    if (k < 0.7) return heredoc();
    if (depth > 2) return str();
    if (k < 0.84) {
      const items = Array.from({ length: Math.floor(r() * 4) }, () => value(depth + 1));
      const nl = chance(0.3) ? '\n' : '';
      return `[${nl}${items.join(`${chance(0.95) ? ',' : ''}${nl || sp()}`)}${chance(0.3) ? ',' : ''}${nl}]`;
    }
    const items = Array.from({ length: Math.floor(r() * 4) }, () => `${chance(0.7) ? name() : str()}${sp()}${chance(0.9) ? '=' : chance(0.8) ? ':' : ''}${sp()}${value(depth + 1)}`);
    if (chance(0.5)) return `{${items.join(chance(0.8) ? ', ' : ' ')}${chance(0.3) ? ',' : ''}}`;
    return `{\n${items.join(chance(0.8) ? '\n' : ',\n')}${chance(0.3) ? ',' : ''}\n}`;
  };
  const heredoc = (): string => {
    const marker = pick(['EOF', 'EOH', 'X-1', 'EOF']);
    const lines = Array.from({ length: Math.floor(r() * 5) }, () => {
      const indent = pick(['', '  ', '    ', '      ', '\t', ' ']);
      const n = Math.floor(r() * 4);
      let l = '';
      for (let k = 0; k < n; k++) l += chance(0.85) ? pick(PIECES.slice(0, 16)) : pick([...PIECES, marker, `${marker}X`, '"', '\\n', '{{ .X }}']);
      return chance(0.15) ? pick(['', '   ']) : indent + l;
    });
    const close = `${chance(0.7) ? '' : pick(['  ', '    ', '\t'])}${marker}${chance(0.95) ? '' : pick([' ', 'X'])}`;
    return `<<${chance(0.5) ? '-' : ''}${marker}${chance(0.97) ? '' : ' '}\n${lines.map((l) => l + '\n').join('')}${close}\n`;
  };
  if (heredocsOnly) return Array.from({ length: 1 + Math.floor(r() * 3) }, () => `${name()} = ${heredoc()}`).join('');
  const comment = (): string => pick(['# c', '// c', '/* c */', '/* multi\nline */', '# ${x} "q" { é', '']);
  const body = (depth: number, indent: string): string => {
    let out = '';
    const n = Math.floor(r() * (depth === 0 ? 4 : 5));
    for (let k = 0; k < n; k++) {
      const kind = r();
      if (kind < 0.5 || depth > 3) {
        out += `${indent}${name()}${sp()}=${sp()}${value(0)}`;
      } else if (kind < 0.6) {
        out += `${indent}${name()}${chance(0.5) ? ` ${str()}` : ''} { ${chance(0.7) ? `${name()} = ${value(1)} ` : ''}}`;
      } else if (kind < 0.68) {
        out += indent + comment();
      } else {
        const labels = Array.from({ length: Math.floor(r() * 3) }, () => (chance(0.9) ? `"${pick(['x', 'y', 'web', 'a b', ''])}"` : pick([str(), 'lbl'])));
        out += `${indent}${name()} ${labels.join(' ')}${labels.length ? ' ' : ''}{${chance(0.2) ? ` ${comment()}` : ''}\n${body(depth + 1, indent + '  ')}${indent}}`;
      }
      out += chance(0.1) ? ` ${comment()}` : '';
      out += chance(0.97) ? '\n' : pick(['', ' ', '\n\n']);
    }
    return out;
  };
  if (chance(0.5)) {
    return `job "${pick(['j', 'x'])}" {\n${body(1, '  ')}}\n`;
  }
  return body(0, '');
}

/** One random edit: the near misses the fast path must notice. */
function mutate(r: () => number, text: string): string {
  if (text.length === 0) return '{';
  const at = Math.floor(r() * text.length);
  const chars = ['"', '{', '}', '[', ']', '=', ',', '#', '/', '*', '\n', '$', '%', '\\', ' ', '-', '.', 'é', '\r', ':', 'x', '1', '\0', '\f', '\v', '\u00a0', '\ufeff'];
  const c = chars[Math.floor(r() * chars.length)];
  switch (Math.floor(r() * 4)) {
    case 3:
      return text.slice(0, at); // cut short: unterminated strings, comments, blocks
    case 0:
      return text.slice(0, at) + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + c + text.slice(at);
    default:
      return text.slice(0, at) + c + text.slice(at + 1);
  }
}

describe('hcl2-plain: differential against hcl2json', () => {
  test('3,000 generated texts, 1,500 near misses, 500 of heredocs: null, or the same tree', async () => {
    const seed = Number(process.env.HCL2_PLAIN_SEED ?? 20261201);
    const r = rng(seed);
    const texts: string[] = [];
    for (let k = 0; k < 3000; k++) texts.push(generate(r));
    for (let k = 0; k < 1500; k++) texts.push(mutate(r, texts[k]));
    for (let k = 0; k < 500; k++) texts.push(generate(r, true));
    let taken = 0;
    let refused = 0;
    let heredocs = 0;
    // In batches, so both parser processes work; every text goes to hcl2json, to count its refusals too.
    for (let k = 0; k < texts.length; k += 32) {
      const batch = texts.slice(k, k + 32);
      const results = await Promise.all(batch.map(async (t) => ({ fast: parsePlainHcl2(t), real: await real(t), text: t })));
      for (const { fast, real: rr, text } of results) {
        if (!rr.ok) refused++;
        if (fast === null) continue;
        taken++;
        if (text.includes('<<-')) heredocs++;
        assert.ok(rr.ok, `seed ${seed}: fast path accepted a text hcl2json refuses (${rr.ok ? '' : rr.message}):\n${text}`);
        assert.deepStrictEqual(fast, rr.tree, `seed ${seed}: different trees for:\n${text}`);
        assert.equal(JSON.stringify(fast), JSON.stringify(rr.tree), `seed ${seed}: different key order for:\n${text}`);
      }
    }
    console.log(`hcl2-plain: seed ${seed}: the fast path took ${taken} of ${texts.length} generated texts (${heredocs} with flush heredocs); hcl2json refused ${refused}`);
    // A test that took nothing, or met no refusal, would prove little.
    assert.ok(taken > texts.length / 5, `took only ${taken}`);
    assert.ok(refused > texts.length / 10, `hcl2json refused only ${refused}`);
    assert.ok(heredocs > 20, `took only ${heredocs} texts with flush heredocs`);
  });
});
