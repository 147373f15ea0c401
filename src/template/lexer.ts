/**
 * The lexer: Go text/template's lex.go rules, as a state machine over the text that yields
 * every item up front (the parser reads them in order, so an error item lands where Go's
 * lazy lexer would report it).
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
  /** Byte… well, UTF-16 offset of the item in the text. */
  readonly pos: number;
  /** 1-based line of the item's start. */
  readonly line: number;
}

const KEYWORDS: ReadonlyMap<string, ItemType> = new Map<string, ItemType>([
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
function goQuote(s: string): string {
  return JSON.stringify(s);
}

export interface LexOptions {
  readonly leftDelim: string;
  readonly rightDelim: string;
  /** `break`/`continue` are keywords unless a function of that name exists (Go 1.18). */
  readonly breakOK: boolean;
  readonly continueOK: boolean;
}

const LEFT_COMMENT = '/*';
const RIGHT_COMMENT = '*/';
const TRIM_MARKER_LEN = 2; // "- " or " -"

export function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isAlphaNumeric(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 0x80) return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;
  return /^[\p{L}\p{Nd}]$/u.test(c);
}

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s.length - at >= 2 && s[at] === '-' && isSpace(s[at + 1]);
}

function hasRightTrimMarker(s: string, at: number): boolean {
  return s.length - at >= 2 && isSpace(s[at]) && s[at + 1] === '-';
}

export function lex(input: string, opts: LexOptions): Item[] {
  const { leftDelim, rightDelim } = opts;
  const items: Item[] = [];
  let pos = 0; // current position
  let start = 0; // start of the current item
  let line = 1; // line of pos
  let startLine = 1;
  let parenDepth = 0;

  const countLines = (from: number, to: number): number => {
    let n = 0;
    for (let i = from; i < to; i++) if (input.charCodeAt(i) === 10) n++;
    return n;
  };
  const emit = (type: ItemType, val = input.slice(start, pos)): void => {
    items.push({ type, val, pos: start, line: startLine });
    startLine = line;
    start = pos;
  };
  const ignore = (): void => {
    startLine = line;
    start = pos;
  };
  const advance = (n: number): void => {
    line += countLines(pos, pos + n);
    pos += n;
  };
  /** Next code point (astral characters are one rune, as in Go). */
  const charAt = (at: number): string => {
    const code = input.charCodeAt(at);
    return code < 0xd800 || code > 0xdbff ? input[at] : String.fromCodePoint(input.codePointAt(at) as number);
  };
  const next = (): string => {
    if (pos >= input.length) return '';
    const c = charAt(pos);
    if (c === '\n') line++;
    pos += c.length;
    return c;
  };
  const peek = (): string => (pos >= input.length ? '' : charAt(pos));
  const backup = (c: string): void => {
    pos -= c.length;
    if (c === '\n') line--;
  };
  const accept = (valid: string): boolean => {
    const c = peek();
    if (c !== '' && valid.includes(c)) {
      next();
      return true;
    }
    return false;
  };
  const acceptRun = (valid: string): void => {
    while (accept(valid));
  };
  class LexError extends Error {}
  const errorf = (msg: string): never => {
    items.push({ type: 'error', val: msg, pos: start, line: startLine });
    throw new LexError(msg);
  };
  const atRightDelim = (): { delim: boolean; trim: boolean } => {
    if (hasRightTrimMarker(input, pos) && input.startsWith(rightDelim, pos + TRIM_MARKER_LEN)) return { delim: true, trim: true };
    if (input.startsWith(rightDelim, pos)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  };
  const atTerminator = (): boolean => {
    const c = peek();
    if (c === '' || isSpace(c)) return true;
    if ('.,|:)('.includes(c)) return true;
    return input.startsWith(rightDelim, pos);
  };
  const describe = (c: string): string => {
    // Go's %#U: the quoted character follows only when it is printable
    const cp = c.codePointAt(0) as number;
    const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    return /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(c) ? `${u} '${c}'` : u;
  };

  /** Text up to the next left delimiter; returns false at EOF. */
  const lexText = (): boolean => {
    const x = input.indexOf(leftDelim, pos);
    if (x < 0) {
      advance(input.length - pos);
      if (pos > start) emit('text');
      emit('EOF', '');
      return false;
    }
    advance(x - pos);
    let trimmed = pos;
    if (hasLeftTrimMarker(input, x + leftDelim.length)) {
      while (trimmed > start && isSpace(input[trimmed - 1])) trimmed--;
    }
    if (trimmed > start) {
      const lineAfter = line;
      items.push({ type: 'text', val: input.slice(start, trimmed), pos: start, line: startLine });
      startLine = lineAfter;
    } else {
      startLine = line;
    }
    start = pos;
    return true;
  };

  /** Skips the spaces after a trimming right delimiter. */
  const trimFollowing = (): void => {
    while (pos < input.length && isSpace(input[pos])) advance(1);
    ignore();
  };

  const lexComment = (): void => {
    advance(LEFT_COMMENT.length);
    const x = input.indexOf(RIGHT_COMMENT, pos);
    if (x < 0) errorf('unclosed comment');
    advance(x + RIGHT_COMMENT.length - pos);
    const { delim, trim } = atRightDelim();
    if (!delim) errorf('comment ends before closing delimiter');
    if (trim) advance(TRIM_MARKER_LEN);
    advance(rightDelim.length);
    ignore();
    if (trim) trimFollowing();
  };

  const lexRightDelim = (): void => {
    const trim = hasRightTrimMarker(input, pos);
    if (trim) {
      advance(TRIM_MARKER_LEN);
      ignore();
    }
    advance(rightDelim.length);
    emit('rightDelim');
    if (trim) trimFollowing();
  };

  const lexQuoted = (quote: string, type: ItemType, what: string): void => {
    for (;;) {
      const c = next();
      if (c === '\\') {
        const d = next();
        if (d !== '' && d !== '\n') continue;
        errorf(`unterminated ${what}`);
      }
      if (c === '' || c === '\n') errorf(`unterminated ${what}`);
      if (c === quote) break;
    }
    emit(type);
  };

  const lexRawQuote = (): void => {
    const x = input.indexOf('`', pos);
    if (x < 0) errorf('unterminated raw quoted string');
    advance(x + 1 - pos);
    emit('rawString');
  };

  const lexFieldOrVariable = (type: 'field' | 'variable'): void => {
    if (atTerminator()) {
      if (type === 'variable') emit('variable');
      else emit('dot');
      return;
    }
    for (;;) {
      const c = next();
      if (c !== '' && isAlphaNumeric(c)) continue;
      if (c !== '') backup(c);
      break;
    }
    if (!atTerminator()) errorf(`bad character ${describe(peek())}`);
    emit(type);
  };

  const lexIdentifier = (): void => {
    for (;;) {
      const c = next();
      if (c !== '' && isAlphaNumeric(c)) continue;
      if (c !== '') backup(c);
      break;
    }
    if (!atTerminator()) errorf(`bad character ${describe(peek())}`);
    const word = input.slice(start, pos);
    const kw = KEYWORDS.get(word);
    if (kw !== undefined && !(kw === 'break' && !opts.breakOK) && !(kw === 'continue' && !opts.continueOK)) emit(kw);
    else if (word[0] === '.') emit('field');
    else if (word === 'true' || word === 'false') emit('bool');
    else emit('identifier');
  };

  const scanNumber = (): boolean => {
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    const c = peek();
    if (c !== '' && isAlphaNumeric(c)) {
      next();
      return false;
    }
    return true;
  };

  const lexNumber = (): void => {
    if (!scanNumber()) errorf(`bad number syntax: ${goQuote(input.slice(start, pos))}`);
    emit('number');
  };

  const lexInsideAction = (): boolean => {
    for (;;) {
      const { delim } = atRightDelim();
      if (delim) {
        if (parenDepth === 0) {
          lexRightDelim();
          return true;
        }
        errorf('unclosed left paren');
      }
      const c = next();
      if (c === '') errorf('unclosed action');
      if (isSpace(c)) {
        backup(c);
        // lexSpace
        let spaces = 0;
        while (pos < input.length && isSpace(input[pos])) {
          advance(1);
          spaces++;
        }
        if (hasRightTrimMarker(input, pos - 1) && input.startsWith(rightDelim, pos - 1 + TRIM_MARKER_LEN)) {
          backup(input[pos - 1]);
          if (spaces === 1) {
            lexRightDelim();
            return true;
          }
        }
        emit('space');
        continue;
      }
      switch (c) {
        case '=':
          emit('assign');
          continue;
        case ':':
          if (next() !== '=') errorf('expected :=');
          emit('declare');
          continue;
        case '|':
          emit('pipe');
          continue;
        case '"':
          lexQuoted('"', 'string', 'quoted string');
          continue;
        case '`':
          lexRawQuote();
          continue;
        case '$':
          lexFieldOrVariable('variable');
          continue;
        case "'":
          lexQuoted("'", 'charConstant', 'character constant');
          continue;
        case '(':
          parenDepth++;
          emit('leftParen');
          continue;
        case ')':
          parenDepth--;
          if (parenDepth < 0) errorf('unexpected right paren');
          emit('rightParen');
          continue;
        default:
          break;
      }
      if (c === '.') {
        const d = input[pos];
        if (d === undefined || d < '0' || d > '9') {
          lexFieldOrVariable('field');
          continue;
        }
      }
      if (c === '.' || c === '+' || c === '-' || (c >= '0' && c <= '9')) {
        backup(c);
        lexNumber();
        continue;
      }
      if (isAlphaNumeric(c)) {
        backup(c);
        lexIdentifier();
        continue;
      }
      if ((c.codePointAt(0) as number) < 0x7f && (c.codePointAt(0) as number) >= 0x20) {
        emit('char');
        continue;
      }
      errorf(`unrecognized character in action: ${describe(c)}`);
    }
  };

  try {
    while (lexText()) {
      // lexLeftDelim
      advance(leftDelim.length);
      const trim = hasLeftTrimMarker(input, pos);
      const after = trim ? TRIM_MARKER_LEN : 0;
      if (input.startsWith(LEFT_COMMENT, pos + after)) {
        advance(after);
        ignore();
        lexComment();
        continue;
      }
      emit('leftDelim');
      advance(after);
      ignore();
      parenDepth = 0;
      lexInsideAction();
    }
  } catch (e) {
    if (!(e instanceof LexError)) throw e;
  }
  return items;
}
