/**
 * HCL2 `dynamic "type" { for_each, iterator, labels, content }` blocks, expanded into the
 * blocks they stand for before the job is decoded: one `type` block per element of
 * `for_each` (a list, or a map in key order), its content evaluated with the iterator
 * (`<iterator>.key`, `<iterator>.value`; the iterator is named after the block type unless
 * `iterator` says otherwise) and, for labelled blocks, its labels. Dynamic blocks nest.
 */
import type { DiagnosticCode } from './diagnostics.js';
import type { HclObject, HclValue } from './parse.js';
import type { TemplateScope } from './template.js';

export interface DynamicDeps {
  readonly resolveIn: (v: HclValue, scope: TemplateScope) => HclValue;
  readonly report: (code: DiagnosticCode, args: Readonly<Record<string, string>>, needle: string) => void;
}

function isObject(v: HclValue | undefined): v is HclObject {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

function bodies(v: HclValue | undefined): HclObject[] {
  if (Array.isArray(v)) return v.filter(isObject);
  return isObject(v) ? [v] : [];
}

/**
 * Whether a `dynamic` key holds dynamic blocks (`dynamic "type" { for_each … content … }`),
 * not something merely named dynamic (a `port "dynamic" {}` in a network block).
 */
export function isDynamic(v: HclValue | undefined): boolean {
  return isObject(v) && Object.values(v).every((specs) => bodies(specs).length > 0 && bodies(specs).every((b) => 'content' in b || 'for_each' in b));
}

/** Adds the blocks `dynamic` stands for to `out` (a resolved block body), after the written ones. */
export function expandDynamic(dynamic: HclValue, out: Record<string, HclValue>, scope: TemplateScope, deps: DynamicDeps): void {
  if (!isObject(dynamic)) return;
  for (const [type, specs] of Object.entries(dynamic)) {
    for (const spec of bodies(specs)) {
      const where = `dynamic "${type}"`;
      const forEach = deps.resolveIn(spec['for_each'] ?? null, scope);
      const iterator = typeof spec['iterator'] === 'string' ? spec['iterator'].replace(/^\$\{(.*)\}$/, '$1') : type;
      const content = bodies(spec['content'])[0];
      if (content === undefined) {
        deps.report('INVALID_VALUE', { message: `${where}: a "content" block is required` }, where);
        continue;
      }
      const items: (readonly [HclValue, HclValue])[] = Array.isArray(forEach)
        ? (forEach as readonly HclValue[]).map((v, i) => [i, v] as const)
        : isObject(forEach) ? Object.keys(forEach).sort().map((k) => [k, forEach[k]] as const) : [];
      if (!Array.isArray(forEach) && !isObject(forEach)) {
        deps.report('INVALID_VALUE', { message: `${where}: for_each must be a list or a map, got ${JSON.stringify(forEach)}` }, where);
        continue;
      }
      for (const [key, value] of items) {
        const bindings = new Map(scope.bindings ?? []);
        bindings.set(iterator, { key, value });
        const inner: TemplateScope = { ...scope, bindings };
        const body = deps.resolveIn(content, inner);
        const labels = deps.resolveIn(spec['labels'] ?? [], inner);
        add(out, type, Array.isArray(labels) ? labels.map(String) : [], body);
      }
    }
  }
}

/** `type "l1" "l2" { body }` in hcl2json's shape: `type: { l1: [{ l2: [body] }] }`, or a list when unlabelled. */
function add(out: Record<string, HclValue>, type: string, labels: readonly string[], body: HclValue): void {
  if (labels.length === 0) {
    const prev = out[type];
    out[type] = [...(Array.isArray(prev) ? prev : prev === undefined ? [] : [prev]), body];
    return;
  }
  let nested: HclValue = body;
  for (const label of labels.slice(1).reverse()) nested = { [label]: [nested] };
  const prev = out[type];
  const byLabel: Record<string, HclValue> = isObject(prev) ? { ...prev } : {};
  const list = byLabel[labels[0]];
  byLabel[labels[0]] = [...(Array.isArray(list) ? list : []), nested];
  out[type] = byLabel;
}
