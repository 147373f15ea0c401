/**
 * `constraint` blocks, with the shorthands Nomad's parser rewrites (`version = "…"`,
 * `semver`, `regexp`, `set_contains`, `distinct_hosts = true`, `distinct_property`) and the
 * operator aliases (`==`, `is` → `=`, `not` → `!=`). Checks follow Nomad's
 * Constraint.Validate.
 */
import { assertNever } from '../util/assert.js';
import { blocks, bool, checkKeys, report, str, type Node } from './decode-ctx.js';
import type { Constraint, ConstraintOperator } from './types.js';

const SHORTHANDS = ['version', 'semver', 'regexp', 'set_contains', 'distinct_property'] as const;
const KEYS = ['attribute', 'operator', 'value', 'distinct_hosts', ...SHORTHANDS];

const OPERATORS: Readonly<Record<string, ConstraintOperator>> = {
  '=': '=',
  '==': '=',
  is: '=',
  '!=': '!=',
  not: '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  regexp: 'regexp',
  version: 'version',
  semver: 'semver',
  set_contains: 'set_contains',
  set_contains_all: 'set_contains_all',
  set_contains_any: 'set_contains_any',
  is_set: 'is_set',
  is_not_set: 'is_not_set',
  distinct_hosts: 'distinct_hosts',
  distinct_property: 'distinct_property',
};

export function normaliseOperator(op: string): ConstraintOperator | null {
  return Object.hasOwn(OPERATORS, op) ? OPERATORS[op] : null;
}

export function decodeConstraints(parent: Node, key = 'constraint'): Constraint[] {
  const out: Constraint[] = [];
  for (const node of blocks(parent, key)) {
    checkKeys(node, KEYS);
    const c = decodeOne(node);
    if (c !== null) out.push(c);
  }
  return out;
}

function decodeOne(node: Node): Constraint | null {
  let attribute = str(node, 'attribute', '');
  let value = str(node, 'value', '');
  let opText = str(node, 'operator', '=');
  for (const s of SHORTHANDS) {
    if (node.body[s] === undefined) continue;
    opText = s;
    if (s === 'distinct_property') attribute = str(node, s, '');
    else value = str(node, s, '');
  }
  if (node.body['distinct_hosts'] !== undefined) {
    if (!bool(node, 'distinct_hosts', false)) return null; // false means "no constraint"
    // Nomad's RTarget stays as written (empty here); an empty value enforces the constraint.
    opText = 'distinct_hosts';
  }
  const operator = normaliseOperator(opText);
  if (operator === null) {
    report(node, 'INVALID_CONSTRAINT', { message: `Unknown constraint type "${opText}"` }, 'operator');
    return null;
  }
  const problem = check(operator, attribute, value);
  if (problem !== null) report(node, 'INVALID_CONSTRAINT', { message: problem });
  return { attribute, operator, value };
}

/** Nomad's rules for each operand; null when the constraint is well formed. */
export function check(op: ConstraintOperator, attribute: string, value: string): string | null {
  const needsBoth = (): string | null =>
    attribute === '' ? 'No LTarget provided but is required by constraint'
      : value === '' ? 'No RTarget provided but is required by constraint'
        : null;
  switch (op) {
    case '=':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
    case 'set_contains':
    case 'set_contains_all':
    case 'set_contains_any':
    case 'version':
    case 'semver':
      return needsBoth();
    case 'regexp': {
      const missing = needsBoth();
      if (missing !== null) return missing;
      try {
        new RegExp(value);
        return null;
      } catch (err) {
        return `Regular expression failed to compile: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    case 'is_set':
    case 'is_not_set':
      return attribute === '' ? 'No LTarget provided but is required by constraint' : null;
    case 'distinct_hosts':
      return null;
    case 'distinct_property': {
      if (attribute === '') return 'No LTarget provided but is required by constraint';
      if (value === '') return null;
      const n = Number(value);
      return Number.isInteger(n) && n >= 1 ? null : `Distinct Property must have an allowed count of 1 or greater: ${value} < 1`;
    }
    default:
      return assertNever(op, 'constraint operator');
  }
}
