/**
 * The lexer's cursor and token scanners (Go's lex.go): position, line counting, emitting
 * items, look-ahead, and the scanners for quoted strings, raw strings, fields, variables,
 * identifiers and keywords, and numbers. An error item ends the item list.
 */
import {
  goQuote, hasRightTrimMarker, isAlphaNumeric, isSpace, KEYWORDS, TRIM_MARKER_LEN, type Item, type ItemType, type LexOptions,
} from './items.js';

/** Stops the scan once an error item is emitted. */
export class LexError extends Error {}

export class Scanner {
  readonly items: Item[] = [];
  /** Current position, start of the current item, and their lines. */
  protected pos = 0;
  protected start = 0;
  protected line = 1;
  protected startLine = 1;
  protected parenDepth = 0;
  protected readonly leftDelim: string;
  protected readonly rightDelim: string;

  constructor(protected readonly input: string, protected readonly opts: LexOptions) {
    this.leftDelim = opts.leftDelim;
    this.rightDelim = opts.rightDelim;
  }

  protected countLines(from: number, to: number): number {
    let n = 0;
    for (let i = from; i < to; i++) if (this.input.charCodeAt(i) === 10) n++;
    return n;
  }

  protected emit(type: ItemType, val = this.input.slice(this.start, this.pos)): void {
    this.items.push({ type, val, pos: this.start, line: this.startLine });
    this.startLine = this.line;
    this.start = this.pos;
  }

  protected ignore(): void {
    this.startLine = this.line;
    this.start = this.pos;
  }

  protected advance(n: number): void {
    this.line += this.countLines(this.pos, this.pos + n);
    this.pos += n;
  }

  /** Next code point (astral characters are one rune, as in Go). */
  protected charAt(at: number): string {
    const code = this.input.charCodeAt(at);
    return code < 0xd800 || code > 0xdbff ? this.input[at] : String.fromCodePoint(this.input.codePointAt(at) as number);
  }

  protected next(): string {
    if (this.pos >= this.input.length) return '';
    const c = this.charAt(this.pos);
    if (c === '\n') this.line++;
    this.pos += c.length;
    return c;
  }

  protected peek(): string {
    return (this.pos >= this.input.length ? '' : this.charAt(this.pos));
  }

  protected backup(c: string): void {
    this.pos -= c.length;
    if (c === '\n') this.line--;
  }

  protected accept(valid: string): boolean {
    const c = this.peek();
    if (c !== '' && valid.includes(c)) {
      this.next();
      return true;
    }
    return false;
  }

  protected acceptRun(valid: string): void {
    while (this.accept(valid));
  }

  protected errorf(msg: string): never {
    this.items.push({ type: 'error', val: msg, pos: this.start, line: this.startLine });
    throw new LexError(msg);
  }

  protected atRightDelim(): { delim: boolean; trim: boolean } {
    if (hasRightTrimMarker(this.input, this.pos) && this.input.startsWith(this.rightDelim, this.pos + TRIM_MARKER_LEN)) return { delim: true, trim: true };
    if (this.input.startsWith(this.rightDelim, this.pos)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  }

  protected atTerminator(): boolean {
    const c = this.peek();
    if (c === '' || isSpace(c)) return true;
    if ('.,|:)('.includes(c)) return true;
    return this.input.startsWith(this.rightDelim, this.pos);
  }

  protected describe(c: string): string {
    // Go's %#U: the quoted character follows only when it is printable
    const cp = c.codePointAt(0) as number;
    const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    return /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(c) ? `${u} '${c}'` : u;
  }

  /** Skips the spaces after a trimming right delimiter. */
  protected trimFollowing(): void {
    while (this.pos < this.input.length && isSpace(this.input[this.pos])) this.advance(1);
    this.ignore();
  }

  protected lexQuoted(quote: string, type: ItemType, what: string): void {
    for (;;) {
      const c = this.next();
      if (c === '\\') {
        const d = this.next();
        if (d !== '' && d !== '\n') continue;
        this.errorf(`unterminated ${what}`);
      }
      if (c === '' || c === '\n') this.errorf(`unterminated ${what}`);
      if (c === quote) break;
    }
    this.emit(type);
  }

  protected lexRawQuote(): void {
    const x = this.input.indexOf('`', this.pos);
    if (x < 0) this.errorf('unterminated raw quoted string');
    this.advance(x + 1 - this.pos);
    this.emit('rawString');
  }

  protected lexFieldOrVariable(type: 'field' | 'variable'): void {
    if (this.atTerminator()) {
      if (type === 'variable') this.emit('variable');
      else this.emit('dot');
      return;
    }
    for (;;) {
      const c = this.next();
      if (c !== '' && isAlphaNumeric(c)) continue;
      if (c !== '') this.backup(c);
      break;
    }
    if (!this.atTerminator()) this.errorf(`bad character ${this.describe(this.peek())}`);
    this.emit(type);
  }

  protected lexIdentifier(): void {
    for (;;) {
      const c = this.next();
      if (c !== '' && isAlphaNumeric(c)) continue;
      if (c !== '') this.backup(c);
      break;
    }
    if (!this.atTerminator()) this.errorf(`bad character ${this.describe(this.peek())}`);
    const word = this.input.slice(this.start, this.pos);
    const kw = KEYWORDS.get(word);
    if (kw !== undefined && !(kw === 'break' && !this.opts.breakOK) && !(kw === 'continue' && !this.opts.continueOK)) this.emit(kw);
    else if (word[0] === '.') this.emit('field');
    else if (word === 'true' || word === 'false') this.emit('bool');
    else this.emit('identifier');
  }

  protected scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    const c = this.peek();
    if (c !== '' && isAlphaNumeric(c)) {
      this.next();
      return false;
    }
    return true;
  }

  protected lexNumber(): void {
    if (!this.scanNumber()) this.errorf(`bad number syntax: ${goQuote(this.input.slice(this.start, this.pos))}`);
    this.emit('number');
  }
}
