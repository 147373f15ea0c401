/** The parse tree: Go's parse/node.go node kinds, as a discriminated union. */
export type Node =
  | TextNode | ActionNode | IfNode | RangeNode | WithNode | TemplateNode | BreakNode | ContinueNode
  | ListNode | PipeNode | CommandNode | ArgNode;

/** Operands: what a command's words can be. */
export type ArgNode =
  | FieldNode | VariableNode | ChainNode | IdentifierNode | DotNode | NilNode | BoolNode | NumberNode | StringNode | PipeNode;

interface At {
  readonly pos: number;
}

export interface ListNode extends At { readonly type: 'list'; readonly nodes: Node[] }
export interface TextNode extends At { readonly type: 'text'; readonly text: string }
export interface ActionNode extends At { readonly type: 'action'; readonly line: number; readonly pipe: PipeNode }
export interface BreakNode extends At { readonly type: 'break' }
export interface ContinueNode extends At { readonly type: 'continue' }
export interface PipeNode extends At {
  readonly type: 'pipe';
  isAssign: boolean;
  readonly decl: VariableNode[];
  readonly cmds: CommandNode[];
}
export interface CommandNode extends At { readonly type: 'command'; readonly args: ArgNode[] }
export interface FieldNode extends At { readonly type: 'field'; readonly ident: readonly string[] }
export interface VariableNode extends At { readonly type: 'variable'; readonly ident: readonly string[] }
export interface ChainNode extends At { readonly type: 'chain'; readonly node: ArgNode; readonly field: string[] }
export interface IdentifierNode extends At { readonly type: 'identifier'; readonly ident: string }
export interface DotNode extends At { readonly type: 'dot' }
export interface NilNode extends At { readonly type: 'nil' }
export interface BoolNode extends At { readonly type: 'bool'; readonly value: boolean }
export interface StringNode extends At { readonly type: 'string'; readonly quoted: string; readonly text: string }
export interface NumberNode extends At {
  readonly type: 'number';
  readonly text: string;
  readonly isInt: boolean;
  readonly isFloat: boolean;
  readonly int: number;
  readonly float: number;
  /** What the constant is where no parameter type decides (Go's idealConstant), fixed at parse. */
  readonly ideal: 'int' | 'float' | 'overflow';
}
interface Branch extends At {
  readonly line: number;
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | undefined;
}
export interface IfNode extends Branch { readonly type: 'if' }
export interface RangeNode extends Branch { readonly type: 'range' }
export interface WithNode extends Branch { readonly type: 'with' }
export interface TemplateNode extends At {
  readonly type: 'template';
  readonly line: number;
  readonly name: string;
  readonly pipe: PipeNode | undefined;
}

/**
 * Go's Node.String(): the source form, used in error contexts (`at <…>`). With quoteText,
 * text nodes print quoted, as Go's parse tests print trees.
 */
export function nodeString(n: Node, quoteText = false): string {
  const str = (c: Node): string => nodeString(c, quoteText);
  switch (n.type) {
    case 'list':
      return n.nodes.map(str).join('');
    case 'text':
      return quoteText ? JSON.stringify(n.text) : n.text;
    case 'action':
      return `{{${nodeString(n.pipe)}}}`;
    case 'break':
      return '{{break}}';
    case 'continue':
      return '{{continue}}';
    case 'pipe': {
      let s = '';
      if (n.decl.length > 0) s = `${n.decl.map((d) => nodeString(d)).join(', ')} ${n.isAssign ? '=' : ':='} `;
      return s + n.cmds.map((c) => nodeString(c)).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'field':
      return n.ident.map((i) => `.${i}`).join('');
    case 'variable':
      return n.ident.join('.');
    case 'chain':
      return (n.node.type === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node)) + n.field.map((f) => `.${f}`).join('');
    case 'identifier':
      return n.ident;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return n.value ? 'true' : 'false';
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'if':
    case 'range':
    case 'with': {
      const body = `{{${n.type} ${nodeString(n.pipe)}}}${str(n.list)}`;
      return n.elseList ? `${body}{{else}}${str(n.elseList)}{{end}}` : `${body}{{end}}`;
    }
    case 'template':
      return n.pipe ? `{{template ${JSON.stringify(n.name)} ${nodeString(n.pipe)}}}` : `{{template ${JSON.stringify(n.name)}}}`;
  }
}

/** Go's IsEmptyTree: only whitespace text and comments. */
export function isEmptyTree(n: ListNode): boolean {
  return n.nodes.every((c) => c.type === 'text' && c.text.trim() === '');
}
