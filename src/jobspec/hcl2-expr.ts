/**
 * HCL2 expressions as hcl2json leaves them (the source inside `${…}`), parsed and evaluated
 * here because the WebAssembly parser does not evaluate them: literals, lists and maps,
 * references (`var.x`, `local.y`, a dynamic block's iterator), attribute and index access,
 * arithmetic, comparison and logic, `? :`, `for` expressions and function calls (the job-file
 * function library Nomad exposes, hcl2-functions.ts). A reference to anything else
 * (`attr.`, `node.`, `meta.`, `NOMAD_…`) is not a parse-time value: the caller keeps it as
 * text for run-time interpolation, as Nomad does.
 */
import { ExprError, lex } from './hcl2-lex.js';
import type { HclValue } from './parse.js';

export type Expr =
  | { readonly k: 'lit'; readonly v: HclValue }
  | { readonly k: 'tmpl'; readonly parts: readonly (string | Expr)[] }
  | { readonly k: 'ref'; readonly name: string }
  | { readonly k: 'get'; readonly of: Expr; readonly key: Expr }
  | { readonly k: 'splat'; readonly of: Expr; readonly attr: string }
  | { readonly k: 'call'; readonly fn: string; readonly args: readonly Expr[]; readonly expand: boolean }
  | { readonly k: 'list'; readonly items: readonly Expr[] }
  | { readonly k: 'map'; readonly items: readonly (readonly [Expr, Expr])[] }
  | { readonly k: 'op'; readonly op: string; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'not' | 'neg'; readonly a: Expr }
  | { readonly k: 'cond'; readonly c: Expr; readonly a: Expr; readonly b: Expr }
  | {
    readonly k: 'for'; readonly keyVar: string | null; readonly valVar: string; readonly coll: Expr;
    readonly key: Expr | null; readonly val: Expr; readonly cond: Expr | null; readonly group: boolean;
  };


const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };

/** A quoted string's body: escapes undone, `${…}` parts parsed. */
export function parseTemplate(body: string): Expr {
  const parts: (string | Expr)[] = [];
  let lit = '';
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === '\\' && i + 1 < body.length) {
      lit += ESCAPES[body[i + 1]] ?? body[i + 1];
      i += 2;
    } else if ((c === '$' || c === '%') && body[i + 1] === c && body[i + 2] === '{') {
      lit += `${c}{`;
      i += 3;
    } else if (c === '$' && body[i + 1] === '{') {
      let depth = 1;
      let j = i + 2;
      while (j < body.length && depth > 0) {
        if (body[j] === '{') depth++;
        else if (body[j] === '}') depth--;
        j++;
      }
      if (lit !== '') parts.push(lit);
      lit = '';
      parts.push(parseExpr(body.slice(i + 2, j - 1)));
      i = j;
    } else {
      lit += c;
      i++;
    }
  }
  if (lit !== '' || parts.length === 0) parts.push(lit);
  return parts.length === 1 && typeof parts[0] === 'string' ? { k: 'lit', v: parts[0] } : { k: 'tmpl', parts };
}

export function parseExpr(src: string): Expr {
  const toks = lex(src);
  let i = 0;
  const peek = (v?: string): boolean => i < toks.length && (v === undefined || (toks[i].t === 'p' && toks[i].v === v));
  const isId = (v: string): boolean => i < toks.length && toks[i].t === 'id' && toks[i].v === v;
  const take = (v: string): void => {
    if (!peek(v)) throw new ExprError(`expected "${v}"${i < toks.length ? ` before "${toks[i].v}"` : ' at the end'}`);
    i++;
  };
  const ident = (): string => {
    const t = toks[i];
    if (t === undefined || t.t !== 'id') throw new ExprError('expected a name');
    i++;
    return t.v;
  };
  const BIN: readonly (readonly string[])[] = [['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']];
  const binary = (level: number): Expr => {
    if (level === BIN.length) return unary();
    let a = binary(level + 1);
    while (i < toks.length && toks[i].t === 'p' && BIN[level].includes(toks[i].v)) {
      const op = toks[i++].v;
      a = { k: 'op', op, a, b: binary(level + 1) };
    }
    return a;
  };
  const expr = (): Expr => {
    const c = binary(0);
    if (!peek('?')) return c;
    i++;
    const a = expr();
    take(':');
    return { k: 'cond', c, a, b: expr() };
  };
  const unary = (): Expr => {
    if (peek('!')) { i++; return { k: 'not', a: unary() }; }
    if (peek('-')) { i++; return { k: 'neg', a: unary() }; }
    return postfix(primary());
  };
  const postfix = (e: Expr): Expr => {
    for (;;) {
      if (peek('.') && toks[i + 1]?.t === 'id') { i++; e = { k: 'get', of: e, key: { k: 'lit', v: ident() } }; }
      else if (peek('.') && toks[i + 1]?.t === 'num') { i++; e = { k: 'get', of: e, key: { k: 'lit', v: Number(toks[i++].v) } }; }
      else if (peek('.*') || peek('[*]')) { i++; take('.'); e = { k: 'splat', of: e, attr: ident() }; }
      else if (peek('[')) { i++; const key = expr(); take(']'); e = { k: 'get', of: e, key }; }
      else return e;
    }
  };
  const forExpr = (close: string, group: boolean): Expr => {
    i++; // `for`
    let keyVar: string | null = null;
    let valVar = ident();
    if (peek(',')) { i++; keyVar = valVar; valVar = ident(); }
    if (!isId('in')) throw new ExprError('expected "in"');
    i++;
    const coll = expr();
    take(':');
    let key: Expr | null = null;
    let val = expr();
    if (group) { take('=>'); key = val; val = expr(); }
    let grouping = false;
    if (peek('...')) { i++; grouping = true; }
    let cond: Expr | null = null;
    if (isId('if')) { i++; cond = expr(); }
    take(close);
    return { k: 'for', keyVar, valVar, coll, key, val, cond, group: grouping };
  };
  const primary = (): Expr => {
    const t = toks[i];
    if (t === undefined) throw new ExprError('expression ends too early');
    if (t.t === 'num') { i++; return { k: 'lit', v: Number(t.v) }; }
    if (t.t === 'str') { i++; return parseTemplate(t.v); }
    if (t.t === 'id') {
      if (t.v === 'true' || t.v === 'false') { i++; return { k: 'lit', v: t.v === 'true' }; }
      if (t.v === 'null') { i++; return { k: 'lit', v: null }; }
      i++;
      if (!peek('(')) return { k: 'ref', name: t.v };
      i++;
      const args: Expr[] = [];
      let expand = false;
      while (!peek(')')) {
        args.push(expr());
        if (peek('...')) { i++; expand = true; }
        if (!peek(')')) take(',');
      }
      i++;
      return { k: 'call', fn: t.v, args, expand };
    }
    if (t.v === '(') { i++; const e = expr(); take(')'); return e; }
    if (t.v === '[') {
      i++;
      if (isId('for')) return forExpr(']', false);
      const items: Expr[] = [];
      while (!peek(']')) { items.push(expr()); if (!peek(']')) take(','); }
      i++;
      return { k: 'list', items };
    }
    if (t.v === '{') {
      i++;
      if (isId('for')) return forExpr('}', true);
      const items: (readonly [Expr, Expr])[] = [];
      while (!peek('}')) {
        const kt = toks[i];
        const key: Expr = kt?.t === 'id' && (toks[i + 1]?.v === '=' || toks[i + 1]?.v === ':') ? (i++, { k: 'lit', v: kt.v }) : expr();
        if (peek('=') || peek(':')) i++;
        else throw new ExprError('expected "=" in a map');
        items.push([key, expr()]);
        if (peek(',')) i++;
      }
      i++;
      return { k: 'map', items };
    }
    throw new ExprError(`unexpected "${t.v}"`);
  };
  const e = expr();
  if (i < toks.length) throw new ExprError(`unexpected "${toks[i].v}" after the expression`);
  return e;
}

/** The root names an expression reads (`var`, `local`, `attr` …), to tell parse-time values from run-time ones. */
export function roots(e: Expr, bound: ReadonlySet<string> = new Set(), out: Set<string> = new Set()): Set<string> {
  const walk = (x: Expr, b: ReadonlySet<string>): void => {
    switch (x.k) {
      case 'lit': return;
      case 'tmpl': x.parts.forEach((p) => typeof p !== 'string' && walk(p, b)); return;
      case 'ref': if (!b.has(x.name)) out.add(x.name); return;
      case 'get': walk(x.of, b); walk(x.key, b); return;
      case 'splat': walk(x.of, b); return;
      case 'call': x.args.forEach((a) => walk(a, b)); return;
      case 'list': x.items.forEach((a) => walk(a, b)); return;
      case 'map': x.items.forEach(([k, v]) => { walk(k, b); walk(v, b); }); return;
      case 'op': walk(x.a, b); walk(x.b, b); return;
      case 'not': case 'neg': walk(x.a, b); return;
      case 'cond': walk(x.c, b); walk(x.a, b); walk(x.b, b); return;
      case 'for': {
        walk(x.coll, b);
        const inner = new Set([...b, x.valVar, ...(x.keyVar ? [x.keyVar] : [])]);
        if (x.key) walk(x.key, inner);
        walk(x.val, inner);
        if (x.cond) walk(x.cond, inner);
      }
    }
  };
  walk(e, bound);
  return out;
}
