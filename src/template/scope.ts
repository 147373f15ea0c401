/**
 * What execution carries (Go's exec.go state): the context, the variable stack with Go's
 * scoping (a declaration pushes, an assignment finds the innermost, a block pops back to its
 * mark), the node being executed, and errors with Go's location text.
 */
import { TemplateError } from './errors.js';
import type { TemplateFunc } from './func.js';
import { nodeString, type ListNode, type Node } from './nodes.js';

/** Go's missingkey option values; `invalid` is Go's other name for `default`. */
export type MissingKey = 'default' | 'invalid' | 'zero' | 'error';

/** Go's maxExecDepth is 100000; JavaScript's stack is shallower, so recursion stops earlier. */
export const MAX_EXEC_DEPTH = 1000;

export interface ExecContext {
  readonly name: string;
  readonly text: string;
  readonly trees: ReadonlyMap<string, ListNode>;
  readonly funcs: ReadonlyMap<string, TemplateFunc>;
  readonly missingKey: MissingKey;
}

export interface Variable {
  readonly name: string;
  value: unknown;
}

export interface ErrorFields {
  readonly code?: 'TEMPLATE_EXEC' | 'TEMPLATE_NEEDS_SERVER';
  readonly func?: string;
  readonly needs?: TemplateError['needs'];
  readonly cause?: unknown;
}

export class Scope {
  protected vars: Variable[];
  protected node: Node | undefined;
  protected tmplName: string;

  constructor(protected readonly ctx: ExecContext, tmplName: string, dot: unknown) {
    this.tmplName = tmplName;
    this.vars = [{ name: '$', value: dot }];
  }

  errorf(msg: string, fields: ErrorFields = {}): never {
    const code = fields.code ?? 'TEMPLATE_EXEC';
    const name = this.tmplName;
    if (this.node === undefined) throw new TemplateError(code, `template: ${name}: ${msg}`, { ...fields, template: name });
    const pos = this.node.pos;
    const before = this.ctx.text.slice(0, pos);
    const nl = before.lastIndexOf('\n');
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const col = Buffer.byteLength(before.slice(nl + 1));
    let context = nodeString(this.node);
    if ([...context].length > 20) context = `${[...context].slice(0, 20).join('')}...`;
    throw new TemplateError(code, `template: ${this.ctx.name}:${line}:${col}: executing ${JSON.stringify(name)} at <${context}>: ${msg}`, {
      ...fields, template: name, line, col,
    });
  }

  protected setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  protected varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    return this.errorf(`undefined variable: ${name}`);
  }
}
