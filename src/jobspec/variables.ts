/**
 * HCL2 `variable` / `variables` / `locals` blocks, and the pass that evaluates `var.x` and
 * `local.x` in every string of the job before it is decoded. Values given on the command
 * line (`-var k=v`) are text and are converted by the variable's declared `type`.
 */
import { makeDiagnostic, type DiagnosticCode, type Position } from './diagnostics.js';
import type { HclObject, HclValue } from './parse.js';
import { evalTemplate, type Lookup, type TemplateScope } from './template.js';
import { expandDynamic, isDynamic } from './dynamic.js';
import type { Diagnostic } from './types.js';

export interface VariableInputs {
  readonly root: HclObject;
  readonly given: Readonly<Record<string, string>>;
  /** Where a piece of source text first occurs, for the diagnostic's position. */
  readonly find: (needle: string) => Position;
  /** For file(): a file's text relative to the job file's directory, confined to it. */
  readonly readFile?: (path: string) => string;
}

export interface Resolved {
  readonly resolve: (v: HclValue) => HclValue;
  readonly diagnostics: Diagnostic[];
}

function isObject(v: HclValue | undefined): v is HclObject {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

function bodies(v: HclValue | undefined): HclObject[] {
  if (Array.isArray(v)) return v.filter(isObject);
  return isObject(v) ? [v] : [];
}

export function buildScope(inp: VariableInputs): Resolved {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const report = (code: DiagnosticCode, args: Readonly<Record<string, string>>, needle: string): void => {
    const key = `${code}:${JSON.stringify(args)}`;
    if (seen.has(key)) return;
    seen.add(key);
    diagnostics.push(makeDiagnostic(code, args, '', inp.find(needle)));
  };

  const vars = new Map<string, HclValue>();
  const declared = new Set<string>();
  const declare = (name: string, decl: HclObject): void => {
    declared.add(name);
    const text = inp.given[name];
    if (text !== undefined) vars.set(name, fromText(text, decl['type']));
    else if ('default' in decl) vars.set(name, decl['default']);
    else report('MISSING_VARIABLE_VALUE', { name }, `variable "${name}"`);
  };
  const varBlocks = inp.root['variable'];
  if (isObject(varBlocks)) {
    for (const [name, decls] of Object.entries(varBlocks)) declare(name, bodies(decls)[0] ?? {});
  }
  for (const body of bodies(inp.root['variables'])) {
    for (const [name, value] of Object.entries(body)) declare(name, { default: value });
  }
  for (const name of Object.keys(inp.given)) {
    if (!declared.has(name)) report('UNDECLARED_VAR_GIVEN', { name }, 'job');
  }

  const localsRaw = new Map<string, HclValue>();
  for (const body of bodies(inp.root['locals'])) for (const [k, v] of Object.entries(body)) localsRaw.set(k, v);
  const localsDone = new Map<string, HclValue>();
  const evaluating = new Set<string>();

  const scope: TemplateScope = {
    ...(inp.readFile ? { readFile: inp.readFile } : {}),
    lookup(root, name): Lookup {
      if (root === 'var') {
        if (vars.has(name)) return { ok: true, value: vars.get(name) ?? null };
        if (declared.has(name)) return { ok: true, value: `\${var.${name}}` }; // already reported as unset
        return { ok: false, code: 'UNDEFINED_VARIABLE', args: { what: 'input variable', name } };
      }
      const done = localsDone.get(name);
      if (done !== undefined) return { ok: true, value: done };
      const raw = localsRaw.get(name);
      if (raw === undefined || evaluating.has(name)) return { ok: false, code: 'UNDEFINED_VARIABLE', args: { what: 'local value', name } };
      evaluating.add(name);
      const value = resolve(raw);
      evaluating.delete(name);
      localsDone.set(name, value);
      return { ok: true, value };
    },
  };

  const resolveIn = (v: HclValue, sc: TemplateScope): HclValue => {
    if (typeof v === 'string') {
      const r = evalTemplate(v, sc);
      if (r.ok) return r.value;
      const needle = r.code === 'UNDEFINED_VARIABLE' ? `${r.args['what'] === 'local value' ? 'local' : 'var'}.${r.args['name']}` : v;
      report(r.code, r.args, needle);
      return v;
    }
    if (Array.isArray(v)) return v.map((x: HclValue) => resolveIn(x, sc));
    if (isObject(v)) {
      const out: Record<string, HclValue> = {};
      const dyn = isDynamic(v['dynamic']);
      for (const [k, x] of Object.entries(v)) if (k !== 'dynamic' || !dyn) out[k] = resolveIn(x, sc);
      if (dyn) expandDynamic(v['dynamic'], out, sc, { resolveIn, report });
      return out;
    }
    return v;
  };
  const resolve = (v: HclValue): HclValue => resolveIn(v, scope);
  return { resolve, diagnostics };
}

/** A `-var` value, read by the declared type (`"${number}"` as hcl2json spells `type = number`). */
function fromText(text: string, type: HclValue | undefined): HclValue {
  const t = typeof type === 'string' ? type.replace(/^\$\{|\}$/g, '') : 'string';
  if (t === 'number' && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  if (t === 'bool' && (text === 'true' || text === 'false')) return text === 'true';
  if (/^(list|set|tuple|map|object)\(/.test(t)) {
    try {
      return JSON.parse(text) as HclValue;
    } catch {
      return text; // not JSON: the decoder reports the type mismatch where the value is used
    }
  }
  return text;
}
