/**
 * The lexer's items (Go's lex.go item kinds and keywords), how parse errors name them, and
 * the character classes the lexer uses.
 */
export type ItemType =
  | 'error' | 'bool' | 'char' | 'charConstant' | 'assign' | 'declare' | 'EOF' | 'field'
  | 'identifier' | 'leftDelim' | 'leftParen' | 'number' | 'pipe' | 'rawString' | 'rightDelim'
  | 'rightParen' | 'space' | 'string' | 'text' | 'variable'
  // keywords
  | 'block' | 'break' | 'continue' | 'dot' | 'define' | 'else' | 'end' | 'if' | 'nil'
  | 'range' | 'template' | 'with';

export interface Item {
  readonly type: ItemType;
  readonly val: string;
  /** UTF-16 offset of the item in the text (columns in errors are counted in bytes). */
  readonly pos: number;
  /** 1-based line of the item's start. */
  readonly line: number;
}

export const KEYWORDS: ReadonlyMap<string, ItemType> = new Map<string, ItemType>([
  ['.', 'dot'], ['block', 'block'], ['break', 'break'], ['continue', 'continue'], ['define', 'define'],
  ['else', 'else'], ['end', 'end'], ['if', 'if'], ['range', 'range'], ['nil', 'nil'],
  ['template', 'template'], ['with', 'with'],
]);

export function isKeyword(t: ItemType): boolean {
  return t === 'block' || t === 'break' || t === 'continue' || t === 'dot' || t === 'define' || t === 'else' ||
    t === 'end' || t === 'if' || t === 'nil' || t === 'range' || t === 'template' || t === 'with';
}

/** Go's item String(): how an item is named in parse errors. */
export function itemString(i: Item): string {
  if (i.type === 'EOF') return 'EOF';
  if (i.type === 'error') return i.val;
  if (isKeyword(i.type)) return `<${i.val}>`;
  if ([...i.val].length > 10) return `${goQuote([...i.val].slice(0, 10).join(''))}...`;
  return goQuote(i.val);
}

/** strconv.Quote for error texts (the fmt module has the full one; this avoids a cycle). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

export interface LexOptions {
  readonly leftDelim: string;
  readonly rightDelim: string;
  /** `break`/`continue` are keywords unless a function of that name exists (Go 1.18). */
  readonly breakOK: boolean;
  readonly continueOK: boolean;
}

export const LEFT_COMMENT = '/*';
export const RIGHT_COMMENT = '*/';
export const TRIM_MARKER_LEN = 2; // "- " or " -"

export function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

export function isAlphaNumeric(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 0x80) return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;
  return /^[\p{L}\p{Nd}]$/u.test(c);
}

export function hasLeftTrimMarker(s: string, at: number): boolean {
  return s.length - at >= 2 && s[at] === '-' && isSpace(s[at + 1]);
}

export function hasRightTrimMarker(s: string, at: number): boolean {
  return s.length - at >= 2 && isSpace(s[at]) && s[at + 1] === '-';
}
