/**
 * Execution: Go text/template's exec.go walk over our value model (values.ts): text and
 * actions, if/with/range (slices, maps in key order, integers) with break/continue, and
 * template calls with a fresh variable scope. Evaluation is in eval.ts and call.ts.
 */
import { Caller } from './call.js';
import { funcError } from './errors.js';
import { formatValue } from './fmt.js';
import { nodeString, type IfNode, type Node, type RangeNode, type TemplateNode, type WithNode } from './nodes.js';
import { kindOf, sortedKeys, truth, typeName } from './values.js';

import { MAX_EXEC_DEPTH, type ExecContext } from './scope.js';

export type { ExecContext, MissingKey } from './scope.js';

/** Walk results: carry on, or unwind to the enclosing range. */
const NORMAL = 0;
const BREAK = 1;
const CONTINUE = 2;
type Flow = 0 | 1 | 2;

export { MAX_EXEC_DEPTH } from './scope.js';

export class Exec extends Caller {
  out = '';
  private depth: number;

  constructor(ctx: ExecContext, tmplName: string, dot: unknown, depth = 0) {
    super(ctx, tmplName, dot);
    this.depth = depth;
  }

  /** A named template rendered apart, sharing the template set and the depth limit. */
  protected executeNamed(name: string, data: unknown): string {
    const tree = this.ctx.trees.get(name);
    if (tree === undefined) throw funcError(`template: no template ${JSON.stringify(name)} associated with template ${JSON.stringify(this.ctx.name)}`);
    if (this.depth >= MAX_EXEC_DEPTH) throw funcError(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const dot = data === null ? undefined : data;
    const sub = new Exec(this.ctx, name, dot, this.depth + 1);
    sub.walk(dot, tree);
    return sub.out;
  }

  walk(dot: unknown, node: Node): Flow {
    this.node = node;
    switch (node.type) {
      case 'text':
        this.out += node.text;
        return NORMAL;
      case 'action': {
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, v);
        return NORMAL;
      }
      case 'list':
        for (const n of node.nodes) {
          const r = this.walk(dot, n);
          if (r !== NORMAL) return r;
        }
        return NORMAL;
      case 'if':
      case 'with':
        return this.walkIfOrWith(dot, node);
      case 'range':
        return this.walkRange(dot, node);
      case 'template':
        this.walkTemplate(dot, node);
        return NORMAL;
      case 'break':
        return BREAK;
      case 'continue':
        return CONTINUE;
      default:
        return this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private printValue(n: Node, v: unknown): void {
    this.node = n;
    if (v === undefined) this.out += '<no value>';
    else if (typeof v === 'string') this.out += v;
    else if (typeof v === 'function') this.errorf(`can't print ${nodeString(n)} of type ${typeName(v)}`);
    else this.out += formatValue(v);
  }

  private walkIfOrWith(dot: unknown, node: IfNode | WithNode): Flow {
    const mark = this.vars.length;
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (truth(val)) return this.walk(node.type === 'with' ? val : dot, node.list);
      if (node.elseList) return this.walk(dot, node.elseList);
      return NORMAL;
    } finally {
      this.vars.length = mark;
    }
  }

  private walkRange(dot: unknown, r: RangeNode): Flow {
    const outer = this.vars.length;
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.vars.length;
      const decl = r.pipe.decl;
      const one = (index: unknown, elem: unknown): Flow => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(decl[0].ident[0], decl.length > 1 ? index : elem);
          else this.vars[mark - 1].value = elem;
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1].ident[0], elem);
          else this.vars[mark - 2].value = index;
        }
        try {
          const f = this.walk(elem, r.list);
          return f === BREAK ? BREAK : NORMAL;
        } finally {
          this.vars.length = mark;
        }
      };
      let ran = false;
      switch (kindOf(val)) {
        case 'slice': {
          const a = val as readonly unknown[];
          for (let i = 0; i < a.length; i++) {
            ran = true;
            if (one(i, a[i] === undefined ? null : a[i]) === BREAK) break;
          }
          break;
        }
        case 'map': {
          const m = val as Readonly<Record<string, unknown>>;
          for (const k of sortedKeys(m)) {
            ran = true;
            if (one(k, m[k] === undefined ? null : m[k]) === BREAK) break;
          }
          break;
        }
        case 'int': {
          if (decl.length > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
          const n = Number(val);
          for (let i = 0; i < n; i++) {
            ran = true;
            if (one(i, i) === BREAK) break;
          }
          break;
        }
        case 'invalid':
        case 'nil':
          break;
        default:
          this.errorf(`range can't iterate over ${formatValue(val)}`);
      }
      if (!ran && r.elseList) return this.walk(dot, r.elseList);
      return NORMAL;
    } finally {
      this.vars.length = outer;
    }
  }

  private walkTemplate(dot: unknown, t: TemplateNode): void {
    this.node = t;
    const tree = this.ctx.trees.get(t.name);
    if (tree === undefined) this.errorf(`template ${JSON.stringify(t.name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const newDot = t.pipe ? this.evalPipeline(dot, t.pipe) : undefined;
    const saved = { vars: this.vars, name: this.tmplName };
    this.vars = [{ name: '$', value: newDot }];
    this.tmplName = t.name;
    this.depth++;
    try {
      this.walk(newDot, tree);
    } finally {
      this.depth--;
      this.vars = saved.vars;
      this.tmplName = saved.name;
    }
  }
}
