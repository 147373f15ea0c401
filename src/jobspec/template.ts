/**
 * HCL2 string templates as hcl2json hands them over: text where `${…}` is an expression
 * left as source and `$${` / `%%{` are escapes for a literal `${` / `%{`. Nomad evaluates
 * `var.` and `local.` at parse time and leaves every other reference (`attr.`, `node.`,
 * `meta.`, `NOMAD_…`, `env[…]`) as text for runtime, so that is what this does.
 */
import { evaluate, type Env } from './hcl2-eval.js';
import { parseExpr, roots, type Expr } from './hcl2-expr.js';
import { ExprError } from './hcl2-lex.js';
import type { HclValue } from './parse.js';

export type RefRoot = 'var' | 'local';

export type Lookup =
  | { readonly ok: true; readonly value: HclValue }
  | { readonly ok: false; readonly code: 'UNDEFINED_VARIABLE' | 'UNSUPPORTED_EXPRESSION' | 'INVALID_VALUE'; readonly args: Readonly<Record<string, string>> };

export interface TemplateScope {
  lookup(root: RefRoot, name: string): Lookup;
  /** Names a dynamic block binds (its iterator), visible in its content. */
  readonly bindings?: ReadonlyMap<string, HclValue>;
  /** For file(): a file's text, relative to the job file's directory and confined to it. */
  readonly readFile?: (path: string) => string;
}

const REF = /^(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z_][A-Za-z0-9_-]*|\[[0-9]+\]|\["[^"]*"\])*)$/;
const PLAIN_REF = /^(?!var\.|local\.)([A-Za-z_][A-Za-z0-9_-]*)(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[[0-9]+\]|\["[^"]*"\])*$/;
const MENTIONS = /(?:^|[^A-Za-z0-9_.])(var|local)\.[A-Za-z_]/;

interface Piece {
  readonly literal: string | null;
  readonly expr: string | null;
}

/** Splits a template into literal text (escapes undone) and `${…}` expressions. */
export function splitTemplate(s: string): Piece[] {
  const out: Piece[] = [];
  let lit = '';
  let i = 0;
  while (i < s.length) {
    if ((s[i] === '$' || s[i] === '%') && s[i + 1] === s[i] && s[i + 2] === '{') {
      lit += s[i] + '{';
      i += 3;
    } else if (s[i] === '$' && s[i + 1] === '{') {
      const end = matchBrace(s, i + 2);
      if (end < 0) {
        lit += s.slice(i);
        break;
      }
      if (lit !== '') out.push({ literal: lit, expr: null });
      lit = '';
      out.push({ literal: null, expr: s.slice(i + 2, end) });
      i = end + 1;
    } else {
      lit += s[i];
      i++;
    }
  }
  if (lit !== '' || out.length === 0) out.push({ literal: lit, expr: null });
  return out;
}

function matchBrace(s: string, from: number): number {
  let depth = 1;
  let inStr = false;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

export type Evaluated = { readonly ok: true; readonly value: HclValue } | Extract<Lookup, { ok: false }>;

/**
 * Evaluates one string. A string that is exactly `${var.x}` takes x's value whatever its
 * type (a list stays a list); otherwise the pieces are joined as text.
 */
export function evalTemplate(s: string, scope: TemplateScope): Evaluated {
  if (!s.includes('{')) return { ok: true, value: s };
  const pieces = splitTemplate(s);
  if (pieces.length === 1 && pieces[0].expr !== null) return evalExpr(pieces[0].expr, scope);
  let out = '';
  for (const p of pieces) {
    if (p.literal !== null) {
      out += p.literal;
      continue;
    }
    const r = evalExpr(p.expr ?? '', scope);
    if (!r.ok) return r;
    const v = r.value;
    if (v !== null && typeof v === 'object') {
      return { ok: false, code: 'INVALID_VALUE', args: { message: `Invalid template interpolation value: cannot include a list or map in "${s}"` } };
    }
    out += v === null ? '' : String(v);
  }
  return { ok: true, value: out };
}

function evalExpr(expr: string, scope: TemplateScope): Evaluated {
  const text = expr.trim();
  const m = REF.exec(text);
  if (!m) {
    // The common case, `${attr.kernel.name}` or `${NOMAD_ALLOC_ID}`: a run-time reference, kept without parsing.
    const plain = PLAIN_REF.exec(text);
    if (plain && !scope.bindings?.has(plain[1])) return { ok: true, value: '${' + expr + '}' };
    return evalFull(expr, text, scope);
  }
  if (scope.bindings?.has(m[1])) return evalFull(expr, text, scope);
  const found = scope.lookup(m[1] as RefRoot, m[2]);
  if (!found.ok) return found;
  let v: HclValue = found.value;
  for (const step of m[3].match(/\.[A-Za-z_][A-Za-z0-9_-]*|\[[0-9]+\]|\["[^"]*"\]/g) ?? []) {
    const key = step.startsWith('.') ? step.slice(1) : step.startsWith('["') ? step.slice(2, -2) : Number(step.slice(1, -1));
    const next: HclValue | undefined =
      typeof key === 'number' ? (Array.isArray(v) ? (v as readonly HclValue[])[key] : undefined)
        : v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Readonly<Record<string, HclValue>>)[key] : undefined;
    if (next === undefined) return { ok: false, code: 'INVALID_VALUE', args: { message: `"${text}": no element ${step}` } };
    v = next;
  }
  return { ok: true, value: v };
}

/**
 * Any other expression: functions, operators, `for`, a dynamic block's iterator. It is
 * evaluated when every name it reads is a parse-time one (var, local, an iterator); one that
 * reads attr., node., meta. or NOMAD_… is left as text for run time, as Nomad leaves it.
 */
function evalFull(expr: string, text: string, scope: TemplateScope): Evaluated {
  let parsed: Expr;
  try {
    parsed = parseExpr(text);
  } catch (err) {
    if (!(err instanceof ExprError)) throw err;
    if (MENTIONS.test(text)) return { ok: false, code: 'UNSUPPORTED_EXPRESSION', args: { expr: text } };
    return { ok: true, value: '${' + expr + '}' };
  }
  const names = roots(parsed);
  const parseTime = [...names].every((n) => n === 'var' || n === 'local' || scope.bindings?.has(n));
  if (!parseTime) {
    if (names.has('var') || names.has('local')) return { ok: false, code: 'UNSUPPORTED_EXPRESSION', args: { expr: text } };
    return { ok: true, value: '${' + expr + '}' };
  }
  const failed: Extract<Lookup, { ok: false }>[] = [];
  const member = (root: RefRoot): HclValue =>
    new Proxy({}, {
      get: (_t, name) => {
        if (typeof name !== 'string') return undefined;
        const r = scope.lookup(root, name);
        if (r.ok) return r.value;
        failed.push(r);
        return undefined;
      },
      has: (_t, name) => {
        if (typeof name !== 'string') return false;
        const r = scope.lookup(root, name);
        if (!r.ok) failed.push(r);
        return r.ok;
      },
    }) as HclValue;
  const env: Env = {
    lookup: (name) => (name === 'var' || name === 'local' ? member(name) : scope.bindings?.get(name)),
    ...(scope.readFile ? { readFile: scope.readFile } : {}),
  };
  try {
    return { ok: true, value: evaluate(parsed, env) };
  } catch (err) {
    if (failed.length > 0) return failed[0];
    if (!(err instanceof ExprError)) throw err;
    return { ok: false, code: 'INVALID_VALUE', args: { message: `"${text}": ${err.message}` } };
  }
}
