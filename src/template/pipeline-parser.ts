/**
 * The parser's token stream and pipelines: Go parse.go's look-ahead over the lexer's items,
 * its errors (`template: NAME:LINE: message`), and pipelines with their declarations,
 * commands, operands, field chains and constants. Control structures are in parser.ts.
 */
import { TemplateError } from './errors.js';
import { itemString, type Item, type ItemType } from './lexer.js';
import { numberNode, unquote } from './literals.js';
import type { ArgNode, CommandNode, ListNode, NumberNode, PipeNode, VariableNode } from './nodes.js';

export interface ParseInput {
  /** The template's name (Go's ParseName, used in every error location). */
  readonly name: string;
  readonly text: string;
  readonly leftDelim: string;
  readonly rightDelim: string;
  /** Is a function of this name defined (built-in or given)? Checked at parse time as Go does. */
  readonly hasFunction: (name: string) => boolean;
}

/** Every tree the text defines, by name; the main one under `name`. */
export type TreeSet = Map<string, ListNode>;

export class PipelineParser {
  private i = 0;
  private maxFetched = 0;
  /** Variables in scope (Go's t.vars): a control structure pops back to its mark at {{end}}. */
  protected vars: string[] = ['$'];
  protected rangeDepth = 0;
  protected actionLine = 0;

  constructor(
    protected readonly items: readonly Item[],
    protected readonly input: ParseInput,
  ) {}

  errorf(msg: string): never {
    const item = this.items[Math.min(this.maxFetched, this.items.length - 1)];
    const line = item?.line ?? 1;
    // Go's message names the line only; the column (bytes, 1-based) of the token read last
    // is kept as a field for callers that point at the place
    let col: number | undefined;
    if (item !== undefined) {
      const text = this.input.text;
      const at = Math.min(item.pos, text.length);
      const lineStart = text.lastIndexOf('\n', at - 1) + 1;
      col = Buffer.byteLength(text.slice(lineStart, at)) + 1;
    }
    throw new TemplateError('TEMPLATE_PARSE', `template: ${this.input.name}:${line}: ${msg}`, { template: this.input.name, line, col });
  }

  protected next(): Item {
    const it = this.items[this.i] ?? this.items[this.items.length - 1];
    if (this.i < this.items.length - 1) this.i++;
    else this.i = this.items.length; // past the end: keep returning the last (EOF/error) item
    this.maxFetched = Math.max(this.maxFetched, this.i - 1);
    return it;
  }

  protected backup(n = 1): void {
    this.i -= n;
  }

  protected peek(): Item {
    const it = this.next();
    this.backup();
    return it;
  }

  protected nextNonSpace(): Item {
    let it = this.next();
    while (it.type === 'space') it = this.next();
    return it;
  }

  protected peekNonSpace(): Item {
    const it = this.nextNonSpace();
    this.backup();
    return it;
  }

  protected expect(type: ItemType, context: string): Item {
    const it = this.nextNonSpace();
    if (it.type !== type) this.unexpected(it, context);
    return it;
  }

  protected unexpected(it: Item, context: string): never {
    if (it.type === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== it.line) {
        extra = ` in action started at ${this.input.name}:${this.actionLine}`;
        if (it.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${itemString(it)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(it)} in ${context}`);
  }

  /** Restores the position saved by mark(). */
  protected reset(mark: number): void {
    this.i = mark;
  }

  protected mark(): number {
    return this.i;
  }

  protected pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode & { line: number } {
    const first = this.peekNonSpace();
    const pipe: PipeNode & { line: number } = { type: 'pipe', pos: first.pos, line: first.line, isAssign: false, decl: [], cmds: [] };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      const mark = this.i;
      this.nextNonSpace();
      const nxt = this.peekNonSpace();
      if (nxt.type === 'assign' || nxt.type === 'declare') {
        pipe.isAssign = nxt.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push(variable(v.pos, v.val));
        this.vars.push(v.val);
        break;
      }
      if (nxt.type === 'char' && nxt.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(variable(v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().type;
          if (p === 'variable' || p === 'rightDelim' || p === 'rightParen') continue;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      }
      this.i = mark;
      break;
    }
    for (;;) {
      const tok = this.nextNonSpace();
      if (tok.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (tok.type) {
        case 'bool': case 'charConstant': case 'dot': case 'field': case 'identifier': case 'number':
        case 'nil': case 'rawString': case 'string': case 'variable': case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(tok, context);
      }
    }
  }

  protected checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0].type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  protected command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== undefined) cmd.args.push(operand);
      const tok = this.next();
      if (tok.type === 'space') continue;
      if (tok.type === 'rightDelim' || tok.type === 'rightParen') this.backup();
      else if (tok.type !== 'pipe') this.unexpected(tok, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  protected operand(): ArgNode | undefined {
    const node = this.term();
    if (node === undefined) return undefined;
    if (this.peek().type !== 'field') return node;
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
    switch (node.type) {
      case 'field':
        return { type: 'field', pos, ident: [...node.ident, ...fields] };
      case 'variable':
        return { type: 'variable', pos, ident: [...node.ident, ...fields] };
      case 'bool': case 'string': case 'number': case 'nil': case 'dot':
        this.errorf(`unexpected . after term ${JSON.stringify(termText(node))}`);
      default:
        return { type: 'chain', pos, node, field: fields };
    }
  }

  protected term(): ArgNode | undefined {
    const tok = this.nextNonSpace();
    switch (tok.type) {
      case 'identifier':
        if (!this.input.hasFunction(tok.val)) this.errorf(`function ${JSON.stringify(tok.val)} not defined`);
        return { type: 'identifier', pos: tok.pos, ident: tok.val };
      case 'dot':
        return { type: 'dot', pos: tok.pos };
      case 'nil':
        return { type: 'nil', pos: tok.pos };
      case 'variable':
        if (!this.vars.includes(tok.val.split('.')[0])) this.errorf(`undefined variable ${JSON.stringify(tok.val)}`);
        return variable(tok.pos, tok.val);
      case 'field':
        return { type: 'field', pos: tok.pos, ident: tok.val.slice(1).split('.') };
      case 'bool':
        return { type: 'bool', pos: tok.pos, value: tok.val === 'true' };
      case 'charConstant':
      case 'number':
        return this.number(tok);
      case 'leftParen':
        return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string':
      case 'rawString': {
        const text = unquote(tok.val);
        if (text === undefined) this.errorf('invalid syntax');
        return { type: 'string', pos: tok.pos, quoted: tok.val, text };
      }
      default:
        this.backup();
        return undefined;
    }
  }

  protected number(tok: Item): NumberNode {
    const n = numberNode(tok.type === 'charConstant', tok.val, tok.pos);
    if (typeof n === 'string') this.errorf(n);
    return n;
  }
}

export function variable(pos: number, val: string): VariableNode {
  return { type: 'variable', pos, ident: val.split('.') };
}

function termText(n: ArgNode): string {
  switch (n.type) {
    case 'bool':
      return String(n.value);
    case 'string':
      return n.quoted;
    case 'number':
      return n.text;
    case 'nil':
      return 'nil';
    default:
      return '.';
  }
}
