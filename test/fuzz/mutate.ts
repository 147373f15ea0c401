/**
 * Seeded mutations of job files: what a hostile or broken job file looks like. Each
 * mutation takes the seed file's bytes and returns new bytes; `mutate` stacks one to three.
 * The same (seed, rng seed) gives the same output, so a crasher's name is enough to replay it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeRng, type Rng } from '../torture/rng.js';

export type MutationName =
  | 'truncate'
  | 'flip'
  | 'huge-number'
  | 'deep-nesting'
  | 'long-string'
  | 'odd-unicode'
  | 'nul'
  | 'invalid-utf8'
  | 'duplicate-block'
  | 'dotdot-name'
  | 'splice'
  | 'delete-range'
  | 'token-soup';

export const MUTATIONS: readonly MutationName[] = [
  'truncate',
  'flip',
  'huge-number',
  'deep-nesting',
  'long-string',
  'odd-unicode',
  'nul',
  'invalid-utf8',
  'duplicate-block',
  'dotdot-name',
  'splice',
  'delete-range',
  'token-soup',
];

const HUGE = ['99999999999999999999999999', '1e308', '-1', '-9223372036854775809', '18446744073709551616', '0x7fffffff', '1.7976931348623157e309', 'NaN', '0.0000001', '4294967296'];
const ODD = [
  '\u202e', // right-to-left override
  '\u200b', // zero-width space
  '\ufeff', // BOM
  '\u0301\u0301\u0301', // combining marks
  '\ud83d\udca5', // emoji (a surrogate pair in JS, four bytes in UTF-8)
  '\uffff',
  '\u2028', // line separator
  '\u00a0', // no-break space
  'Ω≈ç√∫',
  '\u0000',
  '𝕛𝕠𝕓',
];
const INVALID_UTF8 = [[0xc3, 0x28], [0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xe2, 0x82]];
const DOTDOT = ['../../../../etc/passwd', '../x', '/etc/shadow', 'a/../../b', '..', '.', '', 'a\\..\\b', 'x\u0000y', '/', '-rf', '$(id)', '${env.HOME}', '%2e%2e%2f'];
const TOKENS = ['{', '}', '[', ']', '=', '"', '${', '<<EOF\n', '\nEOF\n', '#', '//', '/*', '*/', ',', ':', '?', '...', '\\', '\n', 'job', 'group', 'task', 'null', 'true', '%{', '~}'];

function indexOfAll(buf: Buffer, re: RegExp): { start: number; end: number }[] {
  const text = buf.toString('latin1');
  const out: { start: number; end: number }[] = [];
  for (const m of text.matchAll(re)) if (m.index !== undefined) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

function replaceRange(buf: Buffer, start: number, end: number, insert: Buffer | string): Buffer {
  return Buffer.concat([buf.subarray(0, start), typeof insert === 'string' ? Buffer.from(insert, 'utf8') : insert, buf.subarray(end)]);
}

function insertAt(buf: Buffer, at: number, insert: Buffer | string): Buffer {
  return replaceRange(buf, at, at, insert);
}

/** The balanced `{ … }` block that opens at `open`, or null. */
function blockEnd(buf: Buffer, open: number): number | null {
  let depth = 0;
  for (let i = open; i < buf.length; i++) {
    if (buf[i] === 0x7b) depth++;
    else if (buf[i] === 0x7d && --depth === 0) return i + 1;
  }
  return null;
}

export function applyMutation(name: MutationName, buf: Buffer, rng: Rng, donors: readonly Buffer[]): Buffer {
  const pos = (): number => rng.int(buf.length + 1);
  switch (name) {
    case 'truncate':
      return buf.subarray(0, pos());
    case 'flip': {
      const out = Buffer.from(buf);
      const n = 1 + rng.int(8);
      for (let i = 0; i < n && out.length > 0; i++) out[rng.int(out.length)] ^= 1 << rng.int(8);
      return out;
    }
    case 'huge-number': {
      const nums = indexOfAll(buf, /-?\d+(\.\d+)?/g);
      if (nums.length === 0) return insertAt(buf, pos(), `count = ${rng.pick(HUGE)}\n`);
      const m = rng.pick(nums);
      return replaceRange(buf, m.start, m.end, rng.pick(HUGE));
    }
    case 'deep-nesting': {
      const depth = rng.pick([100, 1_000, 10_000, 50_000]);
      const kind = rng.int(4);
      const nest =
        kind === 0
          ? `x = ${'['.repeat(depth)}${']'.repeat(depth)}\n`
          : kind === 1
            ? `meta { ${'a { '.repeat(depth)}${'} '.repeat(depth)}}\n`
            : kind === 2
              ? `x = ${'{a = '.repeat(depth)}1${'}'.repeat(depth)}\n`
              : `x = ${'('.repeat(depth)}1${')'.repeat(depth)}\n`;
      return insertAt(buf, rng.chance(0.5) ? pos() : Math.max(0, buf.lastIndexOf('}')), nest);
    }
    case 'long-string': {
      const len = rng.pick([10_000, 100_000, 500_000]);
      const s = rng.pick(['a', 'é', '\\"', '${', '../', ' ']).repeat(len);
      const strs = indexOfAll(buf, /"[^"\n]*"/g);
      if (strs.length === 0) return insertAt(buf, pos(), `"${s}"`);
      const m = rng.pick(strs);
      return replaceRange(buf, m.start + 1, m.end - 1, s);
    }
    case 'odd-unicode': {
      let out = buf;
      const n = 1 + rng.int(5);
      for (let i = 0; i < n; i++) out = insertAt(out, rng.int(out.length + 1), rng.pick(ODD));
      return out;
    }
    case 'nul': {
      let out = buf;
      const n = 1 + rng.int(3);
      for (let i = 0; i < n; i++) out = insertAt(out, rng.int(out.length + 1), Buffer.from([0]));
      return out;
    }
    case 'invalid-utf8':
      return insertAt(buf, pos(), Buffer.from(rng.pick(INVALID_UTF8)));
    case 'duplicate-block': {
      const opens = indexOfAll(buf, /\{/g);
      if (opens.length === 0) return Buffer.concat([buf, buf]);
      const o = rng.pick(opens);
      const lineStart = buf.lastIndexOf(0x0a, o.start) + 1;
      const end = blockEnd(buf, o.start);
      if (end === null) return buf;
      const block = buf.subarray(lineStart, end);
      return insertAt(buf, end, Buffer.concat([Buffer.from('\n'), block]));
    }
    case 'dotdot-name': {
      const names = indexOfAll(buf, /(job|group|task)\s+"[^"\n]*"/g);
      const v = rng.pick(DOTDOT);
      if (names.length === 0) return insertAt(buf, 0, `job "${v}" {}\n`);
      const m = rng.pick(names);
      const text = buf.subarray(m.start, m.end).toString('latin1');
      const q = text.indexOf('"');
      return replaceRange(buf, m.start + q + 1, m.end - 1, v);
    }
    case 'splice': {
      const d = rng.pick(donors);
      const a = rng.int(d.length + 1);
      const b = Math.min(d.length, a + rng.int(400));
      return insertAt(buf, pos(), d.subarray(a, b));
    }
    case 'delete-range': {
      const a = pos();
      return replaceRange(buf, a, Math.min(buf.length, a + 1 + rng.int(200)), '');
    }
    case 'token-soup': {
      let out = buf;
      const n = 1 + rng.int(10);
      for (let i = 0; i < n; i++) out = insertAt(out, rng.int(out.length + 1), rng.pick(TOKENS));
      return out;
    }
  }
}

export interface Mutant {
  readonly seedFile: string;
  readonly rngSeed: number;
  readonly mutations: readonly MutationName[];
  readonly bytes: Buffer;
}

/** One to three stacked mutations of a seed file; deterministic in (seed file, rngSeed). */
export function mutate(seedFile: string, seed: Buffer, rngSeed: number, donors: readonly Buffer[]): Mutant {
  const rng = makeRng(rngSeed);
  const n = 1 + rng.int(3);
  const mutations: MutationName[] = [];
  let bytes = seed;
  for (let i = 0; i < n; i++) {
    const m = rng.pick(MUTATIONS);
    mutations.push(m);
    bytes = applyMutation(m, bytes, rng, donors);
  }
  return { seedFile, rngSeed, mutations, bytes };
}

/** Seed job files: the corpus, the project's own jobs and jobspec fixtures, and test/fixtures/fuzz/seeds. */
export function loadSeeds(dirs: readonly string[]): { file: string; bytes: Buffer }[] {
  const out: { file: string; bytes: Buffer }[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      // A seed dir that is absent (no corpus beside this clone) just gives no seeds.
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (/\.(nomad|hcl)$/.test(name) && st.size < 256 * 1024) out.push({ file: p, bytes: readFileSync(p) });
    }
  };
  for (const d of dirs) walk(d);
  return out;
}
