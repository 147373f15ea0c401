/**
 * Evaluates a parsed HCL2 expression (hcl2-expr.ts) with HCL's rules: `+` on numbers only,
 * `==` by value, strings interpolate numbers and bools, `for` over lists and maps (maps in
 * key order, as cty iterates them), splats, and the function table of hcl2-functions.ts.
 */
import type { Expr } from './hcl2-expr.js';
import { ExprError } from './hcl2-lex.js';
import { FUNCTIONS, type FnContext } from './hcl2-functions.js';
import type { HclValue } from './parse.js';

export interface Env extends FnContext {
  /** A root name's value; undefined when the name is not known here. */
  lookup(name: string): HclValue | undefined;
}

type Obj = { readonly [k: string]: HclValue };

const isObj = (v: HclValue): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function toText(v: HclValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) throw new ExprError('cannot include null in a string');
  throw new ExprError('cannot include a list or map in a string');
}

function num(v: HclValue, op: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (Number.isNaN(n)) throw new ExprError(`"${op}" needs numbers, got ${JSON.stringify(v)}`);
  return n;
}

function bool(v: HclValue, op: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ExprError(`"${op}" needs true or false, got ${JSON.stringify(v)}`);
}

function equal(a: HclValue, b: HclValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function evaluate(e: Expr, env: Env): HclValue {
  switch (e.k) {
    case 'lit': return e.v;
    case 'tmpl': return e.parts.map((p) => (typeof p === 'string' ? p : toText(evaluate(p, env)))).join('');
    case 'ref': {
      const v = env.lookup(e.name);
      if (v === undefined) throw new ExprError(`unknown name "${e.name}"`);
      return v;
    }
    case 'get': {
      const of = evaluate(e.of, env);
      const key = evaluate(e.key, env);
      if (Array.isArray(of)) {
        const v = (of as readonly HclValue[])[num(key, 'index')];
        if (v === undefined) throw new ExprError(`index ${String(key)} is out of range`);
        return v;
      }
      if (isObj(of) && typeof key === 'string' && key in of) return of[key];
      throw new ExprError(`no attribute or key ${JSON.stringify(key)}`);
    }
    case 'splat': {
      const of = evaluate(e.of, env);
      const list = Array.isArray(of) ? (of as readonly HclValue[]) : of === null ? [] : [of];
      return list.map((x) => (isObj(x) && e.attr in x ? x[e.attr] : null));
    }
    case 'call': {
      const fn = FUNCTIONS[e.fn];
      if (fn === undefined) throw new ExprError(`there is no function named "${e.fn}"`);
      if (fn.lazy) return fn.lazy(e.args.map((a) => () => evaluate(a, env)));
      let args = e.args.map((a) => evaluate(a, env));
      if (e.expand) {
        const last = args[args.length - 1];
        if (!Array.isArray(last)) throw new ExprError('"..." needs a list');
        args = [...args.slice(0, -1), ...(last as readonly HclValue[])];
      }
      return fn.call(args, env);
    }
    case 'list': return e.items.map((x) => evaluate(x, env));
    case 'map': {
      const out: Record<string, HclValue> = {};
      for (const [k, v] of e.items) out[toText(evaluate(k, env))] = evaluate(v, env);
      return out;
    }
    case 'not': return !bool(evaluate(e.a, env), '!');
    case 'neg': return -num(evaluate(e.a, env), '-');
    case 'cond': return bool(evaluate(e.c, env), '?') ? evaluate(e.a, env) : evaluate(e.b, env);
    case 'op': return operator(e.op, e.a, e.b, env);
    case 'for': return forExpr(e, env);
  }
}

function operator(op: string, ea: Expr, eb: Expr, env: Env): HclValue {
  if (op === '&&') return bool(evaluate(ea, env), op) && bool(evaluate(eb, env), op);
  if (op === '||') return bool(evaluate(ea, env), op) || bool(evaluate(eb, env), op);
  const a = evaluate(ea, env);
  const b = evaluate(eb, env);
  switch (op) {
    case '==': return equal(a, b);
    case '!=': return !equal(a, b);
    case '<': return num(a, op) < num(b, op);
    case '<=': return num(a, op) <= num(b, op);
    case '>': return num(a, op) > num(b, op);
    case '>=': return num(a, op) >= num(b, op);
    case '+': return num(a, op) + num(b, op);
    case '-': return num(a, op) - num(b, op);
    case '*': return num(a, op) * num(b, op);
    case '/': return num(a, op) / num(b, op);
    case '%': return num(a, op) % num(b, op);
    default: throw new ExprError(`unknown operator "${op}"`);
  }
}

function forExpr(e: Extract<Expr, { k: 'for' }>, env: Env): HclValue {
  const coll = evaluate(e.coll, env);
  const pairs: (readonly [HclValue, HclValue])[] = Array.isArray(coll)
    ? (coll as readonly HclValue[]).map((v, i) => [i, v] as const)
    : isObj(coll) ? Object.keys(coll).sort().map((k) => [k, coll[k]] as const)
      : (() => { throw new ExprError('"for" needs a list or a map'); })();
  const listOut: HclValue[] = [];
  const mapOut: Record<string, HclValue> = {};
  const groups: Record<string, HclValue[]> = {};
  for (const [k, v] of pairs) {
    const inner: Env = {
      lookup: (name) => (name === e.valVar ? v : name === e.keyVar ? k : env.lookup(name)),
    };
    if (e.cond && !bool(evaluate(e.cond, inner), 'if')) continue;
    const val = evaluate(e.val, inner);
    if (e.key === null) listOut.push(val);
    else {
      const key = toText(evaluate(e.key, inner));
      if (e.group) (groups[key] ??= []).push(val);
      else if (key in mapOut) throw new ExprError(`duplicate key "${key}" in a for expression`);
      else mapOut[key] = val;
    }
  }
  return e.key === null ? listOut : e.group ? groups : mapOut;
}
