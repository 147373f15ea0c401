/**
 * Evaluation of pipelines, commands, constants, fields and variables (Go's exec.go): the
 * previous command's value is the next one's final argument, a nil interface{} result is no
 * value, field chains walk maps with the missingkey rule. Calls are in call.ts.
 */
import type { ParamKind, TemplateFunc } from './func.js';
import { nodeString, type ArgNode, type ChainNode, type CommandNode, type FieldNode, type Node, type NumberNode, type PipeNode, type VariableNode } from './nodes.js';
import { Scope } from './scope.js';
import { GoFloat, isMap, typeName } from './values.js';

/** The previous command's value is absent (Go's missingVal). */
export const MISSING: unique symbol = Symbol('missing');
export type Final = unknown;

export abstract class Evaluator extends Scope {
  abstract evalCall(dot: unknown, f: TemplateFunc, node: Node, name: string, args: readonly ArgNode[], final: Final, from?: number): unknown;
  protected abstract evalArg(dot: unknown, kind: ParamKind, n: ArgNode): unknown;

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

  protected notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0])}`);
  }

  protected evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
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

  protected idealConstant(n: NumberNode): unknown {
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

  protected evalFieldNode(dot: unknown, field: FieldNode, args: readonly ArgNode[], final: Final): unknown {
    this.node = field;
    return this.evalFieldChain(dot, field, field.ident, args, final);
  }

  protected evalChainNode(dot: unknown, chain: ChainNode, args: readonly ArgNode[], final: Final): unknown {
    this.node = chain;
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const receiver = this.evalArg(dot, 'value', chain.node);
    return this.evalFieldChain(receiver, chain, chain.field, args, final);
  }

  protected evalVariableNode(dot: unknown, v: VariableNode, args: readonly ArgNode[], final: Final): unknown {
    this.node = v;
    const value = this.varValue(v.ident[0]);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(value, v, v.ident.slice(1), args, final);
  }

  protected evalFieldChain(receiver: unknown, node: Node, ident: readonly string[], args: readonly ArgNode[], final: Final): unknown {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(ident[i], node, [], MISSING, receiver);
    return this.evalField(ident[n - 1], node, args, final, receiver);
  }

  protected evalField(name: string, node: Node, args: readonly ArgNode[], final: Final, receiver: unknown): unknown {
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

  protected evalFunction(dot: unknown, name: string, cmd: CommandNode, final: Final): unknown {
    this.node = cmd.args[0];
    const f = this.ctx.funcs.get(name);
    if (f === undefined) return this.errorf(`${JSON.stringify(name)} is not a defined function`);
    return this.evalCall(dot, f, cmd, name, cmd.args, final, 1);
  }
}
