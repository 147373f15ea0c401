/**
 * The block/attribute skeleton of an HCL file, with token positions: enough to find where
 * a key or block sits, and to rewrite HCL1-only forms. Expressions are skipped, not read.
 */
import { lex, type Token } from './hcl-lex.js';

export interface OutlineAttr {
  readonly name: string;
  readonly nameTok: Token;
  /** HCL1 allowed `"A.B" = "x"` inside a block; HCL2 does not. */
  readonly quoted: boolean;
}

export interface OutlineBlock {
  readonly type: string;
  readonly typeTok: Token | null;
  readonly labels: readonly Token[];
  readonly open: Token | null;
  close: Token | null;
  readonly attrs: OutlineAttr[];
  readonly blocks: OutlineBlock[];
}

export interface Outline {
  readonly tokens: readonly Token[];
  readonly root: OutlineBlock;
}

export function outline(src: string): Outline {
  const tokens = lex(src);
  const root: OutlineBlock = { type: '', typeTok: null, labels: [], open: null, close: null, attrs: [], blocks: [] };
  let i = 0;

  const body = (into: OutlineBlock): void => {
    while (i < tokens.length) {
      const t = tokens[i];
      if (t.kind === 'newline' || (t.kind === 'punct' && t.text === ',')) {
        i++;
        continue;
      }
      if (t.kind === 'punct' && t.text === '}') {
        into.close = t;
        i++;
        return;
      }
      if (t.kind !== 'ident' && t.kind !== 'string') {
        skipStatement();
        continue;
      }
      const next = tokens[i + 1];
      if (next && next.kind === 'punct' && (next.text === '=' || next.text === ':')) {
        const quoted = t.kind === 'string';
        into.attrs.push({ name: quoted ? unquote(t.text) : t.text, nameTok: t, quoted });
        i += 2;
        skipExpression();
        continue;
      }
      if (t.kind === 'string') {
        skipStatement();
        continue;
      }
      const labels: Token[] = [];
      let j = i + 1;
      while (j < tokens.length && (tokens[j].kind === 'string' || tokens[j].kind === 'ident')) labels.push(tokens[j++]);
      const open = tokens[j];
      if (!open || open.kind !== 'punct' || open.text !== '{') {
        skipStatement();
        continue;
      }
      const block: OutlineBlock = { type: t.text, typeTok: t, labels, open, close: null, attrs: [], blocks: [] };
      into.blocks.push(block);
      i = j + 1;
      body(block);
    }
  };

  // An expression ends at a newline or comma outside brackets, or at the body's `}`.
  const skipExpression = (): void => {
    let depth = 0;
    while (i < tokens.length) {
      const t = tokens[i];
      if (t.kind === 'punct') {
        if (t.text === '{' || t.text === '[' || t.text === '(') depth++;
        else if (t.text === '}' || t.text === ']' || t.text === ')') {
          if (depth === 0) return;
          depth--;
        } else if (t.text === ',' && depth === 0) return;
      } else if (t.kind === 'newline' && depth === 0) return;
      i++;
    }
  };

  const skipStatement = (): void => {
    i++;
    skipExpression();
  };

  body(root);
  return { tokens, root };
}

export function unquote(text: string): string {
  const inner = text.slice(1, text.endsWith('"') && text.length > 1 ? -1 : undefined);
  return inner.replace(/\\(["\\])/g, '$1');
}

/** The label text of a label token, quoted or bare. */
export function labelText(t: Token): string {
  return t.kind === 'string' ? unquote(t.text) : t.text;
}
