/**
 * Execution: Go text/template's exec.go over our value model (values.ts). Variables and
 * their scopes, pipelines with the previous command's value as the final argument,
 * if/with/range (slices, maps in key order, integers), break/continue, template calls with
 * a fresh variable scope, missingkey handling, and Go's error texts with their location.
 */
import { BUILTINS } from './builtins.js';
import { TemplateError } from './errors.js';
import { formatValue } from './fmt.js';
import { goTypeOf, type ParamKind, type TemplateFunc } from './func.js';
import {
  nodeString, type ArgNode, type ChainNode, type CommandNode, type FieldNode, type IfNode, type ListNode, type Node,
  type NumberNode, type PipeNode, type RangeNode, type TemplateNode, type VariableNode, type WithNode,
} from './nodes.js';
import { GoFloat, isMap, kindOf, sortedKeys, truth, typeName } from './values.js';

export type MissingKey = 'default' | 'zero' | 'error';

export interface ExecContext {
  readonly name: string;
  readonly text: string;
  readonly trees: ReadonlyMap<string, ListNode>;
  readonly funcs: ReadonlyMap<string, TemplateFunc>;
  readonly missingKey: MissingKey;
}

/** The previous command's value is absent (Go's missingVal). */
const MISSING: unique symbol = Symbol('missing');
type Final = unknown;

const NO_ARGS: readonly ArgNode[] = [];

/** Walk results: carry on, or unwind to the enclosing range. */
const NORMAL = 0;
const BREAK = 1;
const CONTINUE = 2;
type Flow = 0 | 1 | 2;

/** Go's maxExecDepth is 100000; JavaScript's stack is shallower, so recursion stops earlier. */
export const MAX_EXEC_DEPTH = 1000;

interface Variable {
  readonly name: string;
  value: unknown;
}

export class Exec {
  out = '';
  private vars: Variable[];
  private node: Node | undefined;
  private tmplName: string;
  private depth = 0;

  constructor(private readonly ctx: ExecContext, tmplName: string, dot: unknown) {
    this.tmplName = tmplName;
    this.vars = [{ name: '$', value: dot }];
  }

  errorf(msg: string, fields: { code?: 'TEMPLATE_EXEC' | 'TEMPLATE_NEEDS_SERVER'; func?: string; needs?: TemplateError['needs']; cause?: unknown } = {}): never {
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

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    return this.errorf(`undefined variable: ${name}`);
  }

  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.node = pipe;
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // A nil interface{} result is no value at all (Go digs into interface{} results).
      if (value === null) value = undefined;
    }
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0], value);
      else this.vars.push({ name: v.ident[0], value });
    }
    return value;
  }

  private notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0])}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0];
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first.ident, cmd, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
      default:
        break;
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.errorf('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
  }

  private idealConstant(n: NumberNode): unknown {
    this.node = n;
    switch (n.ideal) {
      case 'float':
        return Number.isInteger(n.float) ? new GoFloat(n.float) : n.float;
      case 'int':
        return n.int;
      default:
        return this.errorf(`${n.text} overflows int`);
    }
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: readonly ArgNode[], final: Final): unknown {
    this.node = field;
    return this.evalFieldChain(dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: readonly ArgNode[], final: Final): unknown {
    this.node = chain;
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const receiver = this.evalArg(dot, 'value', chain.node);
    return this.evalFieldChain(receiver, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: readonly ArgNode[], final: Final): unknown {
    this.node = v;
    const value = this.varValue(v.ident[0]);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(value, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(receiver: unknown, node: Node, ident: readonly string[], args: readonly ArgNode[], final: Final): unknown {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(ident[i], node, [], MISSING, receiver);
    return this.evalField(ident[n - 1], node, args, final, receiver);
  }

  private evalField(name: string, node: Node, args: readonly ArgNode[], final: Final, receiver: unknown): unknown {
    this.node = node;
    if (receiver === undefined) {
      if (this.ctx.missingKey === 'error') this.errorf(`nil data; no entry for key ${JSON.stringify(name)}`);
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${name}`);
    if (isMap(receiver) && typeof receiver !== 'function') {
      if (args.length > 1 || final !== MISSING) this.errorf(`${name} is not a method but has arguments`);
      if (Object.hasOwn(receiver, name)) {
        const v = receiver[name];
        return v === undefined ? null : v;
      }
      if (this.ctx.missingKey === 'error') this.errorf(`map has no entry for key ${JSON.stringify(name)}`);
      return undefined;
    }
    return this.errorf(`can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private evalFunction(dot: unknown, name: string, cmd: CommandNode, final: Final): unknown {
    this.node = cmd.args[0];
    const f = this.ctx.funcs.get(name);
    if (f === undefined) return this.errorf(`${JSON.stringify(name)} is not a defined function`);
    return this.evalCall(dot, f, cmd, name, cmd.args, final, 1);
  }

  /** Calls `f` with args[from…] with Go's arity and type checks; `and`/`or` short-circuit. */
  evalCall(dot: unknown, f: TemplateFunc, node: Node, name: string, args: readonly ArgNode[], final: Final, from = 0): unknown {
    const given = args.length - from;
    const numIn = given + (final === MISSING ? 0 : 1);
    const numFixed = f.params.length;
    if (f.variadic !== undefined) {
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${given}`);
    } else if (numIn !== numFixed) this.errorf(`wrong number of args for ${name}: want ${numFixed} got ${numIn}`);

    if (f === BUILTINS.and || f === BUILTINS.or) {
      let v: unknown;
      for (let i = from; i < args.length; i++) {
        v = this.evalArg(dot, 'value', args[i]);
        if (truth(v) === (f === BUILTINS.or)) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }
    const argv: unknown[] = new Array(numIn);
    let n = 0;
    for (; n < numFixed && n < given; n++) argv[n] = this.evalArg(dot, f.params[n], args[from + n]);
    if (f.variadic !== undefined) for (; n < given; n++) argv[n] = this.evalArg(dot, f.variadic, args[from + n]);
    if (final !== MISSING) argv[n] = this.validateType(final, n < numFixed ? f.params[n] : (f.variadic ?? f.params[numFixed - 1]));
    if (f === BUILTINS.call && given > 0) argv.unshift(nodeString(args[from]));
    try {
      return (f.fn as (...a: unknown[]) => unknown)(...argv);
    } catch (e) {
      this.node = node;
      const te = e instanceof TemplateError ? e : undefined;
      const needs = te?.code === 'TEMPLATE_NEEDS_SERVER';
      return this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`, {
        code: needs ? 'TEMPLATE_NEEDS_SERVER' : 'TEMPLATE_EXEC', func: te?.func ?? name, needs: te?.needs, cause: e,
      });
    }
  }

  private validateType(value: unknown, kind: ParamKind): unknown {
    if (value === undefined) {
      switch (kind) {
        case 'any': return null;
        case 'value': return undefined;
        case 'strings': return [];
        default: return this.errorf(`invalid value; expected ${goTypeOf(kind)}`);
      }
    }
    const k = kindOf(value);
    let ok: boolean;
    switch (kind) {
      case 'any': case 'value': return value;
      case 'string': ok = k === 'string'; break;
      case 'int': ok = k === 'int'; break;
      case 'bool': ok = k === 'bool'; break;
      case 'float64': ok = k === 'float'; break;
      case 'strings': ok = k === 'slice' && (value as unknown[]).every((e) => typeof e === 'string'); break;
    }
    if (!ok) this.errorf(`wrong type for value; expected ${goTypeOf(kind)}; got ${typeName(value)}`);
    return value;
  }

  private evalArg(dot: unknown, kind: ParamKind, n: ArgNode): unknown {
    this.node = n;
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, kind);
      case 'nil':
        if (kind === 'any') return null;
        if (kind === 'value') return undefined;
        if (kind === 'strings') return [];
        return this.errorf(`cannot assign nil to ${goTypeOf(kind)}`);
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), kind);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, [n], MISSING), kind);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), kind);
      case 'identifier': {
        const f = this.ctx.funcs.get(n.ident);
        if (f === undefined) return this.errorf(`${JSON.stringify(n.ident)} is not a defined function`);
        return this.validateType(this.evalCall(dot, f, n, n.ident, NO_ARGS, MISSING), kind);
      }
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, [], MISSING), kind);
      default:
        break;
    }
    switch (kind) {
      case 'bool':
        if (n.type === 'bool') return n.value;
        return this.errorf(`expected bool; found ${nodeString(n)}`);
      case 'string':
        if (n.type === 'string') return n.text;
        return this.errorf(`expected string; found ${nodeString(n)}`);
      case 'int':
        if (n.type === 'number' && n.isInt) return n.int;
        return this.errorf(`expected integer; found ${nodeString(n)}`);
      case 'float64':
        if (n.type === 'number' && n.isFloat) return Number.isInteger(n.float) ? new GoFloat(n.float) : n.float;
        return this.errorf(`expected float; found ${nodeString(n)}`);
      case 'any':
      case 'value':
        if (n.type === 'bool') return n.value;
        if (n.type === 'number') return this.idealConstant(n);
        if (n.type === 'string') return n.text;
        break;
      default:
        break;
    }
    return this.errorf(`can't handle ${nodeString(n)} for arg of type ${goTypeOf(kind)}`);
  }
}
