/**
 * The lexer: Go text/template's lex.go state machine (text, delimiters with their trim
 * markers, comments, and the inside of actions) over the text, yielding every item up front
 * (the parser reads them in order, so an error item lands where Go's lazy lexer would
 * report it). Items and character classes are in items.ts, the cursor and scanners in
 * lex-scan.ts.
 */
import {
  hasLeftTrimMarker, hasRightTrimMarker, isAlphaNumeric, isSpace, LEFT_COMMENT, RIGHT_COMMENT, TRIM_MARKER_LEN,
  type Item, type LexOptions,
} from './items.js';
import { LexError, Scanner } from './lex-scan.js';

export { isKeyword, itemString, isSpace, type Item, type ItemType, type LexOptions } from './items.js';

class Lexer extends Scanner {
  /** Text up to the next left delimiter; returns false at EOF. */
  private lexText(): boolean {
    const x = this.input.indexOf(this.leftDelim, this.pos);
    if (x < 0) {
      this.advance(this.input.length - this.pos);
      if (this.pos > this.start) this.emit('text');
      this.emit('EOF', '');
      return false;
    }
    this.advance(x - this.pos);
    let trimmed = this.pos;
    if (hasLeftTrimMarker(this.input, x + this.leftDelim.length)) {
      while (trimmed > this.start && isSpace(this.input[trimmed - 1])) trimmed--;
    }
    if (trimmed > this.start) {
      const lineAfter = this.line;
      this.items.push({ type: 'text', val: this.input.slice(this.start, trimmed), pos: this.start, line: this.startLine });
      this.startLine = lineAfter;
    } else {
      this.startLine = this.line;
    }
    this.start = this.pos;
    return true;
  }

  private lexComment(): void {
    this.advance(LEFT_COMMENT.length);
    const x = this.input.indexOf(RIGHT_COMMENT, this.pos);
    if (x < 0) this.errorf('unclosed comment');
    this.advance(x + RIGHT_COMMENT.length - this.pos);
    const { delim, trim } = this.atRightDelim();
    if (!delim) this.errorf('comment ends before closing delimiter');
    if (trim) this.advance(TRIM_MARKER_LEN);
    this.advance(this.rightDelim.length);
    this.ignore();
    if (trim) this.trimFollowing();
  }

  private lexRightDelim(): void {
    const trim = hasRightTrimMarker(this.input, this.pos);
    if (trim) {
      this.advance(TRIM_MARKER_LEN);
      this.ignore();
    }
    this.advance(this.rightDelim.length);
    this.emit('rightDelim');
    if (trim) this.trimFollowing();
  }

  private lexInsideAction(): boolean {
    for (;;) {
      const { delim } = this.atRightDelim();
      if (delim) {
        if (this.parenDepth === 0) {
          this.lexRightDelim();
          return true;
        }
        this.errorf('unclosed left paren');
      }
      const c = this.next();
      if (c === '') this.errorf('unclosed action');
      if (isSpace(c)) {
        this.backup(c);
        // lexSpace
        let spaces = 0;
        while (this.pos < this.input.length && isSpace(this.input[this.pos])) {
          this.advance(1);
          spaces++;
        }
        if (hasRightTrimMarker(this.input, this.pos - 1) && this.input.startsWith(this.rightDelim, this.pos - 1 + TRIM_MARKER_LEN)) {
          this.backup(this.input[this.pos - 1]);
          if (spaces === 1) {
            this.lexRightDelim();
            return true;
          }
        }
        this.emit('space');
        continue;
      }
      switch (c) {
        case '=':
          this.emit('assign');
          continue;
        case ':':
          if (this.next() !== '=') this.errorf('expected :=');
          this.emit('declare');
          continue;
        case '|':
          this.emit('pipe');
          continue;
        case '"':
          this.lexQuoted('"', 'string', 'quoted string');
          continue;
        case '`':
          this.lexRawQuote();
          continue;
        case '$':
          this.lexFieldOrVariable('variable');
          continue;
        case "'":
          this.lexQuoted("'", 'charConstant', 'character constant');
          continue;
        case '(':
          this.parenDepth++;
          this.emit('leftParen');
          continue;
        case ')':
          this.parenDepth--;
          if (this.parenDepth < 0) this.errorf('unexpected right paren');
          this.emit('rightParen');
          continue;
        default:
          break;
      }
      if (c === '.') {
        const d = this.input[this.pos];
        if (d === undefined || d < '0' || d > '9') {
          this.lexFieldOrVariable('field');
          continue;
        }
      }
      if (c === '.' || c === '+' || c === '-' || (c >= '0' && c <= '9')) {
        this.backup(c);
        this.lexNumber();
        continue;
      }
      if (isAlphaNumeric(c)) {
        this.backup(c);
        this.lexIdentifier();
        continue;
      }
      if ((c.codePointAt(0) as number) < 0x7f && (c.codePointAt(0) as number) >= 0x20) {
        this.emit('char');
        continue;
      }
      this.errorf(`unrecognized character in action: ${this.describe(c)}`);
    }
  }

  run(): Item[] {
    try {
      while (this.lexText()) {
        // lexLeftDelim
        this.advance(this.leftDelim.length);
        const trim = hasLeftTrimMarker(this.input, this.pos);
        const after = trim ? TRIM_MARKER_LEN : 0;
        if (this.input.startsWith(LEFT_COMMENT, this.pos + after)) {
          this.advance(after);
          this.ignore();
          this.lexComment();
          continue;
        }
        this.emit('leftDelim');
        this.advance(after);
        this.ignore();
        this.parenDepth = 0;
        this.lexInsideAction();
      }
    } catch (e) {
      if (!(e instanceof LexError)) throw e;
    }
    return this.items;
  }
}

export function lex(input: string, opts: LexOptions): Item[] {
  return new Lexer(input, opts).run();
}
