/**
 * Nomad 1.0's rules for affinities and spreads (`Affinity.Validate`, `Spread.Validate`) and
 * for where they may appear (never in system jobs), on the canonical API shape.
 */
import type { ApiValue } from './api-json.js';
import { objs, type Report } from './validate-services.js';

type Obj = { readonly [k: string]: ApiValue };

const s = (v: ApiValue | undefined): string => (typeof v === 'string' ? v : '');
const n = (v: ApiValue | undefined): number => (typeof v === 'number' ? v : 0);

/** Affinities and spreads of a job, group or task: none on system jobs, else each valid. */
export function placement(o: Obj, type: string, report: Report): void {
  const affinities = objs(o['Affinities']);
  const spreads = objs(o['Spreads']);
  if (type === 'system') {
    if (affinities.length > 0) report('BLOCK_NOT_ALLOWED', 'System jobs may not have an affinity stanza', 'affinity');
    if (spreads.length > 0) report('BLOCK_NOT_ALLOWED', 'System jobs may not have a spread stanza', 'spread');
    return;
  }
  affinities.forEach((a, i) => {
    for (const p of affinityProblems(a)) report('AFFINITY_INVALID', `Affinity ${i + 1} validation failed: ${p}`, 'affinity');
  });
  spreads.forEach((sp, i) => {
    for (const p of spreadProblems(sp)) report('SPREAD_INVALID', `Spread ${i + 1} validation failed: ${p}`, 'spread');
  });
}

export function affinityProblems(a: Obj): string[] {
  const out: string[] = [];
  const op = s(a['Operand']);
  const rt = s(a['RTarget']);
  if (op === '') out.push('Missing affinity operand');
  switch (op) {
    case 'set_contains_all': case 'set_contains_any': case 'set_contains':
      if (rt === '') out.push('Set contains operators require an RTarget');
      break;
    case 'regexp':
      try {
        new RegExp(rt);
      } catch (err) {
        out.push(`Regular expression failed to compile: ${err instanceof Error ? err.message : String(err)}`);
      }
      break;
    case 'version': case 'semver':
      if (rt.trim() === '') out.push(`${op === 'version' ? 'Version' : 'Semver'} affinity is invalid: malformed constraint: ""`);
      break;
    case '=': case '==': case 'is': case '!=': case 'not': case '<': case '<=': case '>': case '>=':
      if (rt === '') out.push(`Operator "${op}" requires an RTarget`);
      break;
    default:
      out.push(`Unknown affinity operator "${op}"`);
  }
  if (s(a['LTarget']) === '') out.push('No LTarget provided but is required');
  const w = n(a['Weight']);
  if (w === 0) out.push('Affinity weight cannot be zero');
  if (w > 100 || w < -100) out.push('Affinity weight must be within the range [-100,100]');
  return out;
}

export function spreadProblems(sp: Obj): string[] {
  const out: string[] = [];
  if (s(sp['Attribute']) === '') out.push('Missing spread attribute');
  const w = n(sp['Weight']);
  if (w <= 0 || w > 100) out.push('Spread stanza must have a positive weight from 0 to 100');
  const seen = new Set<string>();
  let sum = 0;
  for (const t of objs(sp['SpreadTarget'])) {
    const v = s(t['Value']);
    if (seen.has(v)) out.push(`Spread target value "${v}" already defined`);
    seen.add(v);
    const pct = n(t['Percent']);
    if (pct > 100 || pct < 0) out.push(`Spread target percentage for value "${v}" must be between 0 and 100`);
    sum += pct;
  }
  if (sum > 100) out.push(`Sum of spread target percentages must not be greater than 100%; got ${sum}%`);
  return out;
}

