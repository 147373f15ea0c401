/**
 * The parser: Go text/template's parse.go rules (pipelines, declarations and their scoping,
 * control structures, `else if`/`else with` chains, define/block, function checks at parse
 * time) over the lexer's items. Errors read as Go's: `template: NAME:LINE: message`.
 */
import { TemplateError } from './errors.js';
import { itemString, lex, type Item, type ItemType } from './lexer.js';
import { parseGoFloat, parseGoInt, parseGoUint, unquote } from './literals.js';
import {
  isEmptyTree, type ActionNode, type ArgNode, type CommandNode, type ListNode, type Node, type NumberNode,
  type PipeNode, type TemplateNode, type VariableNode,
} from './nodes.js';

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

type Terminal = { type: 'end'; pos: number } | { type: 'else'; pos: number; line: number };

class Parser {
  private i = 0;
  private maxFetched = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private actionLine = 0;

  constructor(
    private readonly items: readonly Item[],
    private readonly input: ParseInput,
    private readonly trees: TreeSet,
  ) {}

  errorf(msg: string): never {
    const line = this.items[Math.min(this.maxFetched, this.items.length - 1)]?.line ?? 1;
    throw new TemplateError('TEMPLATE_PARSE', `template: ${this.input.name}:${line}: ${msg}`, { template: this.input.name, line });
  }

  private next(): Item {
    const it = this.items[this.i] ?? this.items[this.items.length - 1];
    if (this.i < this.items.length - 1) this.i++;
    else this.i = this.items.length; // past the end: keep returning the last (EOF/error) item
    this.maxFetched = Math.max(this.maxFetched, this.i - 1);
    return it;
  }

  private backup(n = 1): void {
    this.i -= n;
  }

  private peek(): Item {
    const it = this.next();
    this.backup();
    return it;
  }

  private nextNonSpace(): Item {
    let it = this.next();
    while (it.type === 'space') it = this.next();
    return it;
  }

  private peekNonSpace(): Item {
    const it = this.nextNonSpace();
    this.backup();
    return it;
  }

  private expect(type: ItemType, context: string): Item {
    const it = this.nextNonSpace();
    if (it.type !== type) this.unexpected(it, context);
    return it;
  }

  private unexpected(it: Item, context: string): never {
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

  /** Top level: text, actions and `define`s. */
  parseMain(): ListNode {
    const root: ListNode = { type: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== 'EOF') {
      if (this.peek().type === 'leftDelim') {
        const mark = this.i;
        this.next();
        if (this.nextNonSpace().type === 'define') {
          this.parseDefinition();
          continue;
        }
        this.i = mark;
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${terminalString(n)}`);
      root.nodes.push(n);
    }
    return root;
  }

  private withFreshScope<T>(f: () => T): T {
    const saved = { vars: this.vars, rangeDepth: this.rangeDepth };
    this.vars = ['$'];
    this.rangeDepth = 0;
    try {
      return f();
    } finally {
      this.vars = saved.vars;
      this.rangeDepth = saved.rangeDepth;
    }
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const tok = this.nextNonSpace();
    if (tok.type !== 'string' && tok.type !== 'rawString') this.unexpected(tok, context);
    const name = unquote(tok.val);
    if (name === undefined) this.errorf('invalid syntax');
    this.expect('rightDelim', context);
    this.withFreshScope(() => {
      const { list, end } = this.itemList();
      if (end.type !== 'end') this.errorf(`unexpected ${terminalString(end)} in ${context}`);
      this.add(name, list);
    });
  }

  /** Go's Tree.add: a non-empty tree may not be defined twice in one parse. */
  add(name: string, list: ListNode): void {
    const existing = this.trees.get(name);
    if (existing === undefined || isEmptyTree(existing)) {
      this.trees.set(name, list);
      return;
    }
    if (!isEmptyTree(list)) this.errorf(`template: multiple definition of template ${JSON.stringify(name)}`);
  }

  private itemList(): { list: ListNode; end: Terminal } {
    const list: ListNode = { type: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().type !== 'EOF') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return { list, end: n };
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node | Terminal {
    const tok = this.nextNonSpace();
    if (tok.type === 'text') return { type: 'text', pos: tok.pos, text: tok.val };
    if (tok.type === 'leftDelim') {
      this.actionLine = tok.line;
      try {
        return this.action();
      } finally {
        this.actionLine = 0;
      }
    }
    this.unexpected(tok, 'input');
  }

  private action(): Node | Terminal {
    const tok = this.nextNonSpace();
    switch (tok.type) {
      case 'block':
        return this.blockControl();
      case 'break':
      case 'continue': {
        const after = this.nextNonSpace();
        if (after.type !== 'rightDelim') this.unexpected(after, `{{${tok.type}}}`);
        if (this.rangeDepth === 0) this.errorf(`{{${tok.type}}} outside {{range}}`);
        return { type: tok.type, pos: tok.pos };
      }
      case 'else':
        return this.elseControl();
      case 'end':
        return { type: 'end', pos: this.expect('rightDelim', 'end').pos };
      case 'if':
      case 'range':
      case 'with':
        return this.control(tok.type);
      case 'template':
        return this.templateControl();
      default:
        break;
    }
    this.backup();
    const start = this.peek();
    const action: ActionNode = { type: 'action', pos: start.pos, line: start.line, pipe: this.pipeline('command', 'rightDelim') };
    return action;
  }

  private elseControl(): Terminal {
    const p = this.peekNonSpace();
    if (p.type === 'if' || p.type === 'with') return { type: 'else', pos: p.pos, line: p.line };
    const tok = this.expect('rightDelim', 'else');
    return { type: 'else', pos: tok.pos, line: tok.line };
  }

  private control(kind: 'if' | 'range' | 'with'): Node {
    const depth = this.vars.length;
    try {
      const pipe = this.pipeline(kind, 'rightDelim');
      if (kind === 'range') this.rangeDepth++;
      const body = this.itemList();
      if (kind === 'range') this.rangeDepth--;
      let elseList: ListNode | undefined;
      if (body.end.type === 'else') {
        const chained = (kind === 'if' && this.peek().type === 'if') || (kind === 'with' && this.peek().type === 'with');
        if (chained) {
          this.next();
          elseList = { type: 'list', pos: body.end.pos, nodes: [this.control(kind)] };
        } else {
          const rest = this.itemList();
          if (rest.end.type !== 'end') this.errorf(`expected end; found ${terminalString(rest.end)}`);
          elseList = rest.list;
        }
      }
      return { type: kind, pos: pipe.pos, line: pipe.line, pipe, list: body.list, elseList };
    } finally {
      this.vars.length = depth;
    }
  }

  private templateName(tok: Item, context: string): string {
    if (tok.type !== 'string' && tok.type !== 'rawString') this.unexpected(tok, context);
    const name = unquote(tok.val);
    if (name === undefined) this.errorf('invalid syntax');
    return name;
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const tok = this.nextNonSpace();
    const name = this.templateName(tok, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: tok.pos, line: tok.line, name, pipe };
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const tok = this.nextNonSpace();
    const name = this.templateName(tok, context);
    const pipe = this.pipeline(context, 'rightDelim');
    this.withFreshScope(() => {
      const { list, end } = this.itemList();
      if (end.type !== 'end') this.errorf(`unexpected ${terminalString(end)} in ${context}`);
      this.add(name, list);
    });
    return { type: 'template', pos: tok.pos, line: tok.line, name, pipe };
  }

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode & { line: number } {
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

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0].type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): CommandNode {
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

  private operand(): ArgNode | undefined {
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

  private term(): ArgNode | undefined {
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

  private number(tok: Item): NumberNode {
    const node = this.parseNumber(tok);
    const hexInt = /^[+-]?0[xX]/.test(node.text) && !/[pP]/.test(node.text);
    let ideal: NumberNode['ideal'] = 'overflow';
    if (node.isFloat && !hexInt && node.text[0] !== "'" && /[.eEpP]/.test(node.text)) ideal = 'float';
    else if (node.isInt) ideal = 'int';
    return { ...node, ideal };
  }

  private parseNumber(tok: Item): Omit<NumberNode, 'ideal'> {
    const text = tok.val;
    const base = { type: 'number' as const, pos: tok.pos, text };
    if (tok.type === 'charConstant') {
      const s = unquote(text);
      if (s === undefined) this.errorf('invalid syntax');
      const r = s.codePointAt(0) as number;
      return { ...base, isInt: true, isFloat: true, int: r, float: r };
    }
    if (text.endsWith('i') && !/^[+-]?0[xX]/.test(text)) this.errorf(`complex numbers are not supported: ${JSON.stringify(text)}`);
    // plain decimals (the common case) skip the general Go literal parser
    const i = /^[1-9][0-9]{0,14}$|^0$/.test(text) ? Number(text) : parseGoInt(text);
    if (i !== undefined) return { ...base, isInt: true, isFloat: true, int: i, float: i };
    const u = parseGoUint(text);
    if (u !== undefined) return { ...base, isInt: false, isFloat: true, int: 0, float: u };
    const f = parseGoFloat(text);
    if (f !== undefined) {
      if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${JSON.stringify(text)}`);
      const isInt = Number.isInteger(f) && Math.abs(f) < 2 ** 63;
      return { ...base, isInt, isFloat: true, int: isInt ? f : 0, float: f };
    }
    this.errorf(`illegal number syntax: ${JSON.stringify(text)}`);
  }
}

function variable(pos: number, val: string): VariableNode {
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

function terminalString(t: Terminal): string {
  return t.type === 'end' ? '{{end}}' : '{{else}}';
}

/** Parses `text` into its trees (the main one under `name`, plus every define and block). */
export function parseTrees(input: ParseInput): TreeSet {
  const breakOK = !input.hasFunction('break');
  const continueOK = !input.hasFunction('continue');
  const items = lex(input.text, { leftDelim: input.leftDelim, rightDelim: input.rightDelim, breakOK, continueOK });
  const trees: TreeSet = new Map();
  const p = new Parser(items, input, trees);
  const root = p.parseMain();
  p.add(input.name, root);
  return trees;
}
