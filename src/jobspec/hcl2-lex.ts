/** Tokens of an HCL2 expression (the source hcl2json leaves inside `${…}`). */

/** An expression bivouac cannot read or evaluate; its message names why. */
export class ExprError extends Error {}

export interface Tok {
  readonly t: 'num' | 'str' | 'id' | 'p';
  readonly v: string;
}

const PUNCT = ['=>', '==', '!=', '<=', '>=', '&&', '||', '...', '.*', '[*]', '(', ')', '[', ']', '{', '}', ',', '.', ':', '?', '+', '-', '*', '/', '%', '<', '>', '!', '='];

export function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i));
      out.push({ t: 'num', v: m?.[0] ?? c });
      i += m?.[0].length ?? 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
      out.push({ t: 'id', v: m?.[0] ?? c });
      i += m?.[0].length ?? 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let depth = 0;
      while (j < src.length && !(src[j] === '"' && depth === 0)) {
        if (src[j] === '\\') j++;
        else if (src[j] === '$' && src[j + 1] === '{') { depth++; j++; }
        else if (src[j] === '}' && depth > 0) depth--;
        j++;
      }
      if (j >= src.length) throw new ExprError('unterminated string');
      out.push({ t: 'str', v: src.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    const p = PUNCT.find((x) => src.startsWith(x, i));
    if (p === undefined) throw new ExprError(`unexpected character "${c}"`);
    out.push({ t: 'p', v: p });
    i += p.length;
  }
  return out;
}

