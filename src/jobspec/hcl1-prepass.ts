/**
 * Rewrites the few HCL1-era forms that HCL2 rejects into HCL2 that means the same, so one
 * parser reads both. It runs only after a first parse failed, and it keeps a map from the
 * rewritten text back to the original, so positions in later diagnostics still point at
 * what the user wrote.
 *
 * - `.5` → `0.5` (HCL2 needs the leading zero).
 * - A quoted key inside a block: `"PORT" = 1` → ` PORT  = 1` when the key is an identifier;
 *   otherwise (`"A.B" = "x"`) the block becomes a map attribute, `env = { "A.B" = "x" }`,
 *   which is what HCL2's own migration notes say to write.
 * - Blocks whose labels nest to different depths (`b "x" {}` next to `b "x" "y" {}`), which
 *   hcl2json cannot turn into JSON: labels become nested unlabelled blocks, `b { x { y {…} } }`,
 *   the shape HCL1 itself produced.
 */
import type { Token } from './hcl-lex.js';
import { outline, unquote, type OutlineBlock } from './hcl-outline.js';

export interface Rewrite {
  readonly text: string;
  /** Offset in `text` → offset in the original source. */
  readonly toOriginal: (offset: number) => number;
  /** One line per kind of rewrite made, for a warning. */
  readonly changes: readonly string[];
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export interface PrepassOptions {
  readonly decimals: boolean;
  readonly quotedKeys: boolean;
  /** Block types whose labelled instances should become nested blocks. */
  readonly nestLabelsOf: readonly string[];
}

export function rewriteHcl1(src: string, opts: PrepassOptions): Rewrite | null {
  const { tokens, root } = outline(src);
  const edits: Edit[] = [];
  const changes = new Set<string>();

  if (opts.decimals) {
    tokens.forEach((t) => {
      if (t.kind !== 'number' || !t.text.startsWith('.')) return;
      changes.add('decimals without a leading zero');
      const before = src[t.start - 1];
      const twoBefore = src[t.start - 2] ?? '';
      // Reuse a spare space when there is one, so columns on the line do not move.
      if (before === ' ' && /[\s=,[(]/.test(twoBefore)) edits.push({ start: t.start - 1, end: t.start, text: '0' });
      else edits.push({ start: t.start, end: t.start, text: '0' });
    });
  }

  const visit = (b: OutlineBlock): void => {
    if (b.typeTok !== null) {
      if (opts.quotedKeys) quotedKeys(b, edits, changes);
      if (opts.nestLabelsOf.includes(b.type)) nestLabels(b, edits, changes);
    }
    b.blocks.forEach(visit);
  };
  visit(root);
  if (edits.length === 0) return null;
  return apply(src, edits, [...changes]);
}

function quotedKeys(b: OutlineBlock, edits: Edit[], changes: Set<string>): void {
  const quoted = b.attrs.filter((a) => a.quoted);
  if (quoted.length === 0) return;
  const allIdents = quoted.every((a) => IDENT.test(a.name));
  const canBeMap = b.labels.length === 0 && b.blocks.length === 0 && b.typeTok !== null && b.open !== null;
  if (!allIdents && canBeMap && b.typeTok !== null && b.open !== null) {
    changes.add(`quoted keys in a "${b.type}" block`);
    const gapStart = b.typeTok.end;
    if (b.open.start > gapStart) edits.push({ start: gapStart, end: gapStart + 1, text: '=' });
    else edits.push({ start: b.open.start, end: b.open.start, text: '=' });
    return;
  }
  for (const a of quoted) {
    if (!IDENT.test(a.name)) continue; // left for hcl2json to report
    changes.add(`quoted keys in a "${b.type}" block`);
    edits.push({ start: a.nameTok.start, end: a.nameTok.start + 1, text: ' ' });
    edits.push({ start: a.nameTok.end - 1, end: a.nameTok.end, text: ' ' });
  }
}

function nestLabels(b: OutlineBlock, edits: Edit[], changes: Set<string>): void {
  if (b.labels.length === 0 || b.close === null) return;
  const names = b.labels.map((t: Token) => (t.kind === 'string' ? unquote(t.text) : t.text));
  if (!names.every((n) => IDENT.test(n))) return;
  changes.add(`labels of "${b.type}" blocks nested as blocks`);
  // HCL2 wants each block on its own lines, hence the newlines.
  b.labels.forEach((t, k) => edits.push({ start: t.start, end: t.end, text: `{\n${names[k]}` }));
  edits.push({ start: b.close.start, end: b.close.end, text: '}\n'.repeat(b.labels.length) + '}' });
}

function apply(src: string, edits: Edit[], changes: string[]): Rewrite {
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
  return {
    text: out,
    toOriginal: (offset) => (offset >= map.length ? src.length : map[offset]),
    changes,
  };
}
