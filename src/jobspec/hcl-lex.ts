/**
 * A small HCL token scanner. It is not a parser: the real parsing is hcl2json's. It exists
 * for two jobs that need source offsets hcl2json does not give: rewriting HCL1-only forms
 * before a second parse, and finding where a key sits so a validation error can say
 * `file:line:col`. It only has to be right about what is a string, a comment, a heredoc or
 * a brace; everything else is a run of "other" characters.
 */

export type TokenKind = 'ident' | 'string' | 'number' | 'heredoc' | 'punct' | 'newline' | 'other';

export interface Token {
  readonly kind: TokenKind;
  /** Offsets into the text, end exclusive. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_-]/;

export function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number): void => {
    out.push({ kind, start, end, text: src.slice(start, end) });
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      push('newline', i, i + 1);
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      // A block comment that spans lines still ends a statement in HCL.
      if (src.slice(i, stop).includes('\n')) push('newline', i, stop);
      i = stop;
    } else if (c === '"') {
      const end = scanString(src, i);
      push('string', i, end);
      i = end;
    } else if (c === '<' && src[i + 1] === '<' && /[-A-Za-z_]/.test(src[i + 2] ?? '')) {
      const end = scanHeredoc(src, i);
      push('heredoc', i, end);
      i = end;
    } else if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < src.length && IDENT_CHAR.test(src[j])) j++;
      push('ident', i, j);
      i = j;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < src.length && /[0-9.eE]/.test(src[j])) j++;
      push('number', i, j);
      i = j;
    } else if ('{}[]()=,:'.includes(c)) {
      push('punct', i, i + 1);
      i++;
    } else {
      push('other', i, i + 1);
      i++;
    }
  }
  return out;
}

/** Scans a quoted string from its opening quote; `${ … }` may nest quotes and braces. */
function scanString(src: string, start: number): number {
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') {
      i += 2;
    } else if (c === '"') {
      return i + 1;
    } else if (c === '\n') {
      return i; // unterminated: let hcl2json report it
    } else if ((c === '$' || c === '%') && src[i + 1] === '{' && src[i - 1] !== c) {
      i = scanInterpolation(src, i + 2);
    } else {
      i++;
    }
  }
  return i;
}

function scanInterpolation(src: string, start: number): number {
  let depth = 1;
  let i = start;
  while (i < src.length && depth > 0) {
    const c = src[i];
    if (c === '"') {
      i = scanString(src, i);
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === '\n') return i;
    i++;
  }
  return i;
}

function scanHeredoc(src: string, start: number): number {
  const m = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(src.slice(start, start + 200));
  if (!m) return start + 2;
  const marker = m[1];
  let i = start + m[0].length;
  while (i < src.length) {
    const nl = src.indexOf('\n', i);
    const lineEnd = nl < 0 ? src.length : nl;
    if (src.slice(i, lineEnd).trim() === marker) return lineEnd;
    if (nl < 0) return src.length;
    i = nl + 1;
  }
  return src.length;
}

/**
 * Offsets to 1-based lines and columns and back, by binary search over line starts found
 * once: a file with many diagnostics must not rescan the text for each (a hostile file can
 * carry a hundred thousand of them).
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(private readonly src: string) {
    for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  lineCol(offset: number): { line: number; column: number } {
    const o = Math.max(0, Math.min(offset, this.src.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo] + 1 };
  }

  offsetOf(line: number, column: number): number {
    if (line > this.starts.length) return this.src.length;
    return Math.min(this.starts[Math.max(line, 1) - 1] + column - 1, this.src.length);
  }
}

export function lineCol(src: string, offset: number): { line: number; column: number } {
  return new LineIndex(src).lineCol(offset);
}

/** The offset of a 1-based line and column. */
export function offsetOf(src: string, line: number, column: number): number {
  return new LineIndex(src).offsetOf(line, column);
}
