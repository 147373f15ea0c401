/**
 * The in-thread fast path for plain HCL2 job files. CONTRACT: `parsePlainHcl2(text)` returns
 * exactly the tree the parser processes would give parseHcl for `text` (hcl2json's JSON,
 * after its IPC round trip), or null when it is not sure. Null costs only speed (parse.ts
 * then takes the usual path); a wrong tree would silently change a job, so anything outside
 * the small subset below is null, including everything hcl2json would reject.
 *
 * The subset, each form checked against hcl2json by differential tests (hcl2-plain.test.ts):
 *  - bodies of `name = value` and `type "label"… {…}` blocks (quoted labels only), one item a
 *    line; a block `{` ends its line, its `}` starts one; single-line `t { a = v }` and `t {}`;
 *  - values: "strings" with \n \t \r \" \\ escapes, printable ASCII only; in them
 *    `${a.b.c}` (identifiers and dots, no spaces), kept as text as hcl2json keeps it;
 *    integers and decimals (-?digits[.digits], at most 15 digits); true, false, null;
 *    [lists] and {objects} (keys: identifiers or plain strings; `=` or `:`); heredocs
 *    `<<EOF` and `<<-EOF` of printable ASCII lines (no tabs), `${a.b}` kept as in strings;
 *  - comments: `#`, `//` (they end at the newline, which still ends the item), `/* … *\/`
 *    (whitespace, never a newline, as in HCL2);
 *  - the tree: object keys sorted as Go's encoding/json sorts map keys, blocks in source
 *    order, labels as nested objects.
 * Null for: any other expression (operators, calls, bare references, `var.x`),
 * `%{`, `$$`, `%%`, \u escapes, non-ASCII outside comments (HCL2 normalises strings to NFC),
 * `\r`, a key set twice, a name used for an attribute and a block (hcl2json keeps one of
 * them), blocks of one type with different label counts (hcl2json cannot convert them; see
 * hcl2-labels.ts), `variable`/`locals`/`dynamic` blocks, `-0`, exponents, `__proto__`.
 *
 * hcl-lex.ts is not reused: it is lenient on purpose (for locating keys in any text), so an
 * unterminated comment or string is swallowed there; here each must be refused.
 */
import type { HclObject, HclValue } from './parse.js';

/** Thrown (a constant, no stack) to give up; caught in parsePlainHcl2. */
const DEFER: unique symbol = Symbol('defer');

/** Block types whose meaning parse.ts's callers evaluate (variables, dynamic blocks): left to the full path. */
const DEFERRED_BLOCKS: ReadonlySet<string> = new Set(['variable', 'locals', 'dynamic']);

/** Words HCL2 reads as something other than a name in some position; refused as names anywhere. */
const KEYWORDS: ReadonlySet<string> = new Set(['true', 'false', 'null', 'for', 'in', 'if', 'else', 'endif', 'endfor', '__proto__']);

/**
 * Bigger files go to the parser processes, which time a parse out: this runs on the agent's
 * own thread. The largest corpus job file is 18 KB; 60 KB took 2–50 ms here (2 busy cores),
 * ~70 ms in a cold process.
 */
const MAX_TEXT = 32 * 1024;

/** Blocks, lists and objects nested deeper than this are left to hcl2json (and the stack is safe). */
const MAX_DEPTH = 64;

/** More digits than a double holds exactly could round differently from Go's big.Float. */
const MAX_DIGITS = 15;

interface Block {
  readonly labels: readonly string[];
  readonly body: HclObject;
}

export function parsePlainHcl2(text: string): HclObject | null {
  if (text.length > MAX_TEXT || text.includes('\r')) return null; // CRLF is valid HCL2, but not verified here
  try {
    return new Plain(text).body(false);
  } catch {
    // DEFER, or anything unforeseen: either way the full path decides.
    return null;
  }
}

function defer(): never {
  throw DEFER;
}

function isIdentStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Go's encoding/json writes map keys in byte order; for ASCII keys that is JS's default sort. */
function sortedObject(entries: Map<string, HclValue>): HclObject {
  const out: Record<string, HclValue> = {};
  for (const k of [...entries.keys()].sort()) out[k] = entries.get(k) as HclValue;
  return out;
}

class Plain {
  private i = 0;
  private depth = 0;
  private readonly n: number;

  constructor(private readonly s: string) {
    this.n = s.length;
  }

  /** Spaces, tabs and comments, but not a newline: newlines end items in HCL2 bodies. */
  private space(): void {
    const s = this.s;
    while (this.i < this.n) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09) {
        this.i++;
      } else if (c === 0x23 || (c === 0x2f && s.charCodeAt(this.i + 1) === 0x2f)) {
        // A line comment runs to the newline, which is left to end the item.
        let j = this.i + 1;
        while (j < this.n && s.charCodeAt(j) !== 0x0a) {
          checkCommentChar(s.charCodeAt(j));
          j++;
        }
        this.i = j;
      } else if (c === 0x2f && s.charCodeAt(this.i + 1) === 0x2a) {
        const end = s.indexOf('*/', this.i + 2);
        if (end < 0) defer(); // unterminated: HCL2 refuses the file
        for (let j = this.i + 2; j < end; j++) {
          const d = s.charCodeAt(j);
          if (d !== 0x0a) checkCommentChar(d);
        }
        this.i = end + 2;
      } else {
        return;
      }
    }
  }

  /** Spaces, comments and newlines. */
  private blank(): void {
    for (;;) {
      this.space();
      if (this.i < this.n && this.s.charCodeAt(this.i) === 0x0a) this.i++;
      else return;
    }
  }

  private peek(): number {
    return this.i < this.n ? this.s.charCodeAt(this.i) : -1;
  }

  private expect(c: number): void {
    if (this.peek() !== c) defer();
    this.i++;
  }

  private ident(): string {
    const s = this.s;
    const start = this.i;
    if (!isIdentStart(this.peek())) defer();
    this.i++;
    while (this.i < this.n && isIdentChar(s.charCodeAt(this.i))) this.i++;
    // A non-ASCII letter would continue the identifier in HCL2.
    if (this.i < this.n && s.charCodeAt(this.i) >= 0x80) defer();
    return s.slice(start, this.i);
  }

  /** A name for an attribute, block type or object key. */
  private name(): string {
    const id = this.ident();
    if (KEYWORDS.has(id)) defer();
    return id;
  }

  /**
   * Items until EOF (the file) or `}` (a multi-line block, whose `{` ended its line). Each
   * item ends with a newline, or the end of the file at the top level.
   */
  body(closed: boolean): HclObject {
    const attrs = new Map<string, HclValue>();
    const blocks = new Map<string, Block[]>();
    for (;;) {
      this.blank();
      const c = this.peek();
      if (c === -1) {
        if (closed) defer();
        break;
      }
      if (c === 0x7d) {
        if (!closed) defer();
        this.i++;
        break;
      }
      const name = this.name();
      this.space();
      if (this.peek() === 0x3d) {
        this.i++;
        if (attrs.has(name)) defer(); // "Attribute redefined"
        attrs.set(name, this.attrValue());
      } else {
        if (DEFERRED_BLOCKS.has(name)) defer();
        const block = this.block();
        const list = blocks.get(name);
        if (list === undefined) blocks.set(name, [block]);
        else if (list[0].labels.length !== block.labels.length) defer(); // hcl2json: "Unable to convert Block"
        else list.push(block);
      }
      // Every item ends its line (or the file).
      this.space();
      const e = this.peek();
      if (e === 0x0a) this.i++;
      else if (!(e === -1 && !closed)) defer();
    }
    return assemble(attrs, blocks);
  }

  /** After `=`: the value starts on the same line. */
  private attrValue(): HclValue {
    this.space();
    const c = this.peek();
    if (c === 0x0a || c === -1) defer();
    return this.value();
  }

  /** Runs a block's or value's parse one level deeper; past MAX_DEPTH the file is left to hcl2json. */
  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_DEPTH) defer();
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  /** Labels, then `{`: a multi-line body, `{}`, or `{ name = value }` on one line. */
  private block(): Block {
    return this.nested(() => this.blockAt());
  }

  private blockAt(): Block {
    const labels: string[] = [];
    while (this.peek() === 0x22) {
      labels.push(this.literal());
      this.space();
    }
    this.expect(0x7b);
    this.space();
    const c = this.peek();
    if (c === 0x0a) {
      this.i++;
      return { labels, body: this.body(true) };
    }
    if (c === 0x7d) {
      this.i++;
      return { labels, body: {} };
    }
    // Single-line block: exactly one attribute, closed on the same line.
    const name = this.name();
    this.space();
    this.expect(0x3d);
    const v = this.attrValue();
    this.space();
    this.expect(0x7d);
    return { labels, body: { [name]: v } };
  }

  private value(): HclValue {
    return this.nested(() => this.valueAt());
  }

  private valueAt(): HclValue {
    const c = this.peek();
    if (c === 0x22) return this.quoted().text;
    if (c === 0x5b) return this.list();
    if (c === 0x7b) return this.object();
    if (c === 0x2d || isDigit(c)) return this.number();
    if (c === 0x3c && this.s.charCodeAt(this.i + 1) === 0x3c) return this.heredoc();
    if (isIdentStart(c)) {
      const id = this.ident();
      if (id === 'true') return true;
      if (id === 'false') return false;
      if (id === 'null') return null;
    }
    return defer(); // a reference, a call, an operator, a heredoc…
  }

  private number(): number {
    const s = this.s;
    const start = this.i;
    const negative = this.peek() === 0x2d;
    if (negative) this.i++;
    let digits = 0;
    while (isDigit(this.peek())) {
      this.i++;
      digits++;
    }
    if (digits === 0) defer(); // `- 1`, `-x`
    if (this.peek() === 0x2e) {
      this.i++;
      let frac = 0;
      while (isDigit(this.peek())) {
        this.i++;
        frac++;
      }
      if (frac === 0) defer(); // `1.` is a traversal in HCL2
      digits += frac;
    }
    // `1e3`, `1.5.3`, `0x10`, `1_000`: not plain numbers.
    const next = this.peek();
    if (next === 0x2e || (next !== -1 && (isIdentChar(next) || next >= 0x80))) defer();
    if (digits > MAX_DIGITS) defer();
    const v = Number(s.slice(start, this.i));
    if (v === 0 && negative) defer(); // -0: not worth knowing how it crosses Go, JSON and IPC
    return v;
  }

  /**
   * `<<EOF` … `EOF`, or `<<-EOF` (indentation removed): every line and its newline, the
   * text as written (no escapes in heredocs; `${a.b}` kept, as in strings). The closing
   * marker may be indented and must be followed by a newline, which is left to end the item.
   */
  private heredoc(): string {
    const s = this.s;
    this.i += 2;
    const flush = this.peek() === 0x2d;
    if (flush) this.i++;
    const marker = this.ident();
    if (this.peek() !== 0x0a) defer(); // `<<EOF  `: HCL2 refuses trailing spaces
    this.i++;
    const lines: string[] = [];
    for (;;) {
      const nl = s.indexOf('\n', this.i);
      if (nl < 0) defer(); // unterminated, or the marker ends the file without a newline
      const line = s.slice(this.i, nl);
      const rest = line.slice(leadingSpaces(line));
      if (rest.startsWith(marker)) {
        if (rest.length !== marker.length) defer(); // `EOFX`, `EOF b = 1`: not verified
        this.i = nl;
        break;
      }
      checkTemplateLine(line);
      lines.push(line);
      this.i = nl + 1;
    }
    // `<<-`: HCL2 removes the smallest indentation of the non-empty lines; empty lines stay empty.
    let cut = 0;
    if (flush) {
      cut = Infinity;
      for (const l of lines) {
        if (l.length === 0) continue;
        const lead = leadingSpaces(l);
        if (lead === l.length) defer(); // a line of spaces only: not verified
        cut = Math.min(cut, lead);
      }
    }
    return lines.map((l) => l.slice(cut) + '\n').join('');
  }

  /** `[a, b,]`: newlines mean nothing inside brackets. */
  private list(): HclValue[] {
    this.i++;
    const out: HclValue[] = [];
    for (;;) {
      this.blank();
      if (this.peek() === 0x5d) {
        this.i++;
        return out;
      }
      out.push(this.value());
      this.blank();
      const c = this.peek();
      if (c === 0x2c) this.i++;
      else if (c !== 0x5d) defer();
    }
  }

  /** `{ k = v, "k" = v }`: items separated by commas or newlines; a key once. */
  private object(): HclObject {
    this.i++;
    const entries = new Map<string, HclValue>();
    for (;;) {
      this.blank();
      const c = this.peek();
      if (c === 0x7d) {
        this.i++;
        return sortedObject(entries);
      }
      const key = c === 0x22 ? this.literal() : this.name();
      if (key === '__proto__' || entries.has(key)) defer();
      this.space();
      const sep = this.peek();
      if (sep !== 0x3d && sep !== 0x3a) defer();
      this.i++;
      entries.set(key, this.attrValue());
      this.space();
      const e = this.peek();
      if (e === 0x2c || e === 0x0a) this.i++;
      else if (e !== 0x7d) defer();
    }
  }

  /** A quoted string with no `${…}`: a label or a key. */
  private literal(): string {
    const { text, templated } = this.quoted();
    if (templated || text === '__proto__') defer();
    return text;
  }

  /**
   * A quoted string: escapes decoded, `${a.b}` kept as written (hcl2json, given no
   * variables, leaves interpolations as text and decodes the literal parts around them).
   */
  private quoted(): { text: string; templated: boolean } {
    const s = this.s;
    this.i++;
    let out = '';
    let run = this.i;
    let templated = false;
    for (;;) {
      if (this.i >= this.n) defer();
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(run, this.i);
        this.i++;
        return { text: out, templated };
      }
      if (c < 0x20 || c >= 0x7f) defer(); // newline, control, non-ASCII (NFC)
      if (c === 0x5c) {
        out += s.slice(run, this.i);
        const e = s.charCodeAt(this.i + 1);
        if (e === 0x6e) out += '\n';
        else if (e === 0x74) out += '\t';
        else if (e === 0x72) out += '\r';
        else if (e === 0x22) out += '"';
        else if (e === 0x5c) out += '\\';
        else defer(); // \u, \U, or an invalid escape
        this.i += 2;
        run = this.i;
        continue;
      }
      const end = interpolationAt(s, this.i);
      if (end >= 0) {
        this.i = end;
        templated = true;
        continue;
      }
      this.i++;
    }
  }

}

function leadingSpaces(line: string): number {
  let k = 0;
  while (k < line.length && line.charCodeAt(k) === 0x20) k++;
  return k;
}

/**
 * `${a.b.c}` exactly, from just after `${`: identifiers joined by dots, no spaces, none of
 * them a keyword (hcl2json turns `${true}` into a boolean). Returns the offset after `}`.
 */
function interpolationEnd(s: string, from: number): number {
  let k = from;
  for (;;) {
    const start = k;
    if (!isIdentStart(s.charCodeAt(k))) defer();
    k++;
    while (k < s.length && isIdentChar(s.charCodeAt(k))) k++;
    if (KEYWORDS.has(s.slice(start, k))) defer();
    const c = s.charCodeAt(k);
    if (c === 0x7d) return k + 1;
    if (c !== 0x2e) defer(); // spaces, `[`, `(`, operators, non-ASCII, the end
    k++;
  }
}

/**
 * At `s[k]`, in a string or heredoc: the offset after a `${a.b}` that starts there, or -1 for
 * any other character. `$$` and `%%` (escapes hcl2json re-renders) and `%{` (directives) defer.
 */
function interpolationAt(s: string, k: number): number {
  const c = s.charCodeAt(k);
  if (c !== 0x24 && c !== 0x25) return -1;
  const d = s.charCodeAt(k + 1);
  if (d === c) defer();
  if (d !== 0x7b) return -1;
  if (c === 0x25) defer();
  return interpolationEnd(s, k + 2);
}

/** A heredoc line: printable ASCII (no tabs), `${a.b}` as in strings, no `$$`, `%%`, `%{`. */
function checkTemplateLine(line: string): void {
  for (let k = 0; k < line.length; k++) {
    const c = line.charCodeAt(k);
    if (c < 0x20 || c >= 0x7f) defer();
    const end = interpolationAt(line, k);
    if (end >= 0) k = end - 1;
  }
}

/** Comments may hold any text but control characters and lone or paired surrogates (not verified). */
function checkCommentChar(c: number): void {
  if ((c < 0x20 && c !== 0x09) || c === 0x7f || (c >= 0xd800 && c <= 0xdfff)) defer();
}

/**
 * hcl2json's body: attributes by name; blocks by type, a list of bodies in source order,
 * under one object level per label. A name used both ways loses one of them there.
 */
function assemble(attrs: Map<string, HclValue>, blocks: Map<string, Block[]>): HclObject {
  const entries = new Map<string, HclValue>(attrs);
  for (const [type, list] of blocks) {
    if (entries.has(type)) defer();
    entries.set(type, nest(list, 0));
  }
  return sortedObject(entries);
}

function nest(list: readonly Block[], depth: number): HclValue {
  if (list[0].labels.length === depth) return list.map((b) => b.body);
  const groups = new Map<string, Block[]>();
  for (const b of list) {
    const key = b.labels[depth];
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [b]);
    else g.push(b);
  }
  const entries = new Map<string, HclValue>();
  for (const [key, g] of groups) entries.set(key, nest(g, depth + 1));
  return sortedObject(entries);
}
