/**
 * The one form HCL2 reads and hcl2json cannot turn into JSON: blocks of one type whose labels
 * nest to different depths (`b "x" {}` next to `b "x" "y" {}`, Nomad's config-compatibility
 * fixture). Their labels become nested unlabelled blocks, `b { x { y {…} } }`, which is the
 * shape Nomad's decoding gives a driver anyway (lists of maps). It runs only after hcl2json
 * named such a block type, and maps offsets back so diagnostics point at the user's text.
 * (Every HCL1-era form goes to the real HCL1 grammar instead; see parse.ts.)
 */
import type { Token } from './hcl-lex.js';
import { outline, unquote, type OutlineBlock } from './hcl-outline.js';

export interface Rewrite {
  readonly text: string;
  /** Offset in `text` → offset in the original source. */
  readonly toOriginal: (offset: number) => number;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function nestLabels(src: string, types: readonly string[]): Rewrite | null {
  const { root } = outline(src);
  const edits: Edit[] = [];
  const visit = (b: OutlineBlock): void => {
    if (b.typeTok !== null && types.includes(b.type)) nest(b, edits);
    b.blocks.forEach(visit);
  };
  visit(root);
  return edits.length === 0 ? null : apply(src, edits);
}

function nest(b: OutlineBlock, edits: Edit[]): void {
  if (b.labels.length === 0 || b.close === null) return;
  const names = b.labels.map((t: Token) => (t.kind === 'string' ? unquote(t.text) : t.text));
  if (!names.every((n) => IDENT.test(n))) return;
  // HCL2 wants each block on its own lines, hence the newlines.
  b.labels.forEach((t, k) => edits.push({ start: t.start, end: t.end, text: `{\n${names[k]}` }));
  edits.push({ start: b.close.start, end: b.close.end, text: '}\n'.repeat(b.labels.length) + '}' });
}

function apply(src: string, edits: Edit[]): Rewrite {
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  const map: number[] = [];
  let pos = 0;
  for (const e of edits) {
    if (e.start < pos) continue; // overlapping edit: keep the first
    for (let k = pos; k < e.start; k++) map.push(k);
    out += src.slice(pos, e.start);
    for (let k = 0; k < e.text.length; k++) map.push(e.start);
    out += e.text;
    pos = e.end;
  }
  for (let k = pos; k < src.length; k++) map.push(k);
  out += src.slice(pos);
  return { text: out, toOriginal: (offset) => (offset >= map.length ? src.length : map[offset]) };
}
