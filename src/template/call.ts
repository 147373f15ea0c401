/**
 * Function calls (Go's evalCall, evalArg, validateType): arity, Go's argument typing for
 * constants and values, `and`/`or` short-circuit, `call` given its callee's text, and a
 * function's failure as `error calling NAME: …` (a server-only function keeps its code).
 */
import { BUILTINS } from './builtins.js';
import { TemplateError } from './errors.js';
import { goTypeOf, type ParamKind, type TemplateFunc } from './func.js';
import { nodeString, type ArgNode, type Node } from './nodes.js';
import { Evaluator, MISSING, type Final } from './eval.js';
import { GoFloat, kindOf, truth, typeName } from './values.js';

const NO_ARGS: readonly ArgNode[] = [];

export abstract class Caller extends Evaluator {
  /** Renders a named template of this template set (for functions that `execute`). */
  protected abstract executeNamed(name: string, data: unknown): string;

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
    if (f.executes === true) argv.unshift((tmpl: string, data: unknown) => this.executeNamed(tmpl, data));
    try {
      return (f.fn as (...a: unknown[]) => unknown)(...argv);
    } catch (e) {
      // the stack ran out (recursion through executeTemplate): unwind untouched, as little
      // work as possible down here; Template.execute reports it
      if (e instanceof RangeError) throw e;
      this.node = node;
      const te = e instanceof TemplateError ? e : undefined;
      // a render nested through this same function was already wrapped once, with its place
      if (te !== undefined && te.code !== 'TEMPLATE_FUNC' && te.func === name && f.executes === true) throw te;
      const needs = te?.code === 'TEMPLATE_NEEDS_SERVER';
      return this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`, {
        code: needs ? 'TEMPLATE_NEEDS_SERVER' : 'TEMPLATE_EXEC', func: te?.func ?? name, needs: te?.needs, cause: e,
      });
    }
  }

  protected validateType(value: unknown, kind: ParamKind): unknown {
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

  protected evalArg(dot: unknown, kind: ParamKind, n: ArgNode): unknown {
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
