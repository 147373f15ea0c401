/**
 * The parser: Go text/template's parse.go rules for the template's structure (text and
 * actions, control structures with `else if`/`else with` chains and their variable scopes,
 * break/continue inside range, define/block/template, one definition per name) over the
 * token stream and pipelines of pipeline-parser.ts.
 */
import { lex, type Item } from './lexer.js';
import { unquote } from './literals.js';
import { isEmptyTree, type ActionNode, type ListNode, type Node, type PipeNode, type TemplateNode } from './nodes.js';
import { PipelineParser, type ParseInput, type TreeSet } from './pipeline-parser.js';

export type { ParseInput, TreeSet } from './pipeline-parser.js';

type Terminal = { type: 'end'; pos: number } | { type: 'else'; pos: number; line: number };

class Parser extends PipelineParser {
  constructor(items: readonly Item[], input: ParseInput, private readonly trees: TreeSet) {
    super(items, input);
  }

  /** Top level: text, actions and `define`s. */
  parseMain(): ListNode {
    const root: ListNode = { type: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== 'EOF') {
      if (this.peek().type === 'leftDelim') {
        const mark = this.mark();
        this.next();
        if (this.nextNonSpace().type === 'define') {
          this.parseDefinition();
          continue;
        }
        this.reset(mark);
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
