/**
 * Every message the jobspec can give, as data: a stable code, a severity, a kind, and a
 * template. Tests assert codes; the wording follows Nomad's where Nomad has one.
 *
 * `kind` tells a file that cannot be read (`syntax`), a key or type Nomad's schema rejects
 * (`schema`), a value out of range (`value`) and a job that is well formed but cannot run
 * (`completeness`: no groups, a task with no driver). Nomad's own parser fixtures are
 * parser-valid yet often incomplete, which is why the kind is kept apart.
 */
import type { Diagnostic } from './types.js';

export type DiagnosticKind = 'syntax' | 'schema' | 'value' | 'completeness' | 'note';

interface Entry {
  readonly severity: Diagnostic['severity'];
  readonly kind: DiagnosticKind;
  /** `{name}` placeholders are filled from the arguments. */
  readonly template: string;
}

export const DIAGNOSTICS = {
  SYNTAX: { severity: 'error', kind: 'syntax', template: '{summary}; {detail}' },
  PARSER_LIMIT: { severity: 'error', kind: 'syntax', template: 'the HCL parser cannot convert this file: {detail}' },
  HCL1_PARSED: { severity: 'warning', kind: 'note', template: 'read as HCL1 (the syntax of Nomad 0.12 and older; Nomad 1.x needs `nomad job run -hcl1` for this file)' },
  HCL1_FAILED: { severity: 'warning', kind: 'note', template: 'read as HCL1 (`nomad job run -hcl1`), it fails too: {detail}' },
  NO_JOB: { severity: 'error', kind: 'schema', template: "'job' stanza not found" },
  MULTIPLE_JOBS: { severity: 'error', kind: 'schema', template: "only one 'job' block allowed" },
  UNKNOWN_KEY: { severity: 'error', kind: 'schema', template: 'unknown key "{key}"' },
  WRONG_TYPE: { severity: 'error', kind: 'schema', template: '"{key}" must be {expected}, got {got}' },
  DUPLICATE_BLOCK: { severity: 'error', kind: 'schema', template: 'only one "{key}" block allowed' },
  MISSING_LABEL: { severity: 'error', kind: 'schema', template: '"{key}" block needs a label{hint}' },
  MISSING_REQUIRED: { severity: 'error', kind: 'schema', template: 'missing required field "{key}"' },
  INVALID_VALUE: { severity: 'error', kind: 'value', template: '{message}' },
  INVALID_DURATION: { severity: 'error', kind: 'value', template: '"{key}": invalid duration "{value}"' },
  OUT_OF_RANGE: { severity: 'error', kind: 'value', template: '{message}' },
  INVALID_CONSTRAINT: { severity: 'error', kind: 'value', template: '{message}' },
  INVALID_PORT_LABEL: { severity: 'error', kind: 'value', template: 'Port label does not conform to naming requirements ^[a-zA-Z0-9_]+$: "{label}"' },
  DUPLICATE_NAME: { severity: 'error', kind: 'value', template: '{message}' },
  UNSAFE_NAME: { severity: 'error', kind: 'value', template: '{what} name "{name}" cannot be used as a directory name: {reason}' },
  LOG_EXCEEDS_DISK: { severity: 'error', kind: 'value', template: 'log storage ({logMB} MB) must be less than requested disk capacity ({diskMB} MB)' },
  UNDEFINED_VARIABLE: { severity: 'error', kind: 'value', template: 'Reference to undeclared {what} "{name}"' },
  MISSING_VARIABLE_VALUE: { severity: 'error', kind: 'value', template: 'Unset variable "{name}": a value is required for this variable (set a default, or pass -var {name}=…)' },
  UNSUPPORTED_EXPRESSION: { severity: 'error', kind: 'value', template: 'cannot evaluate "{expr}" at parse time: it mixes var./local. values with run-time ones (attr., node., meta., NOMAD_…), or is not an HCL2 expression' },
  UNDECLARED_VAR_GIVEN: { severity: 'error', kind: 'value', template: 'Undefined variable: a value was given for "{name}", which is not declared' },
  BLOCK_NOT_ALLOWED: { severity: 'error', kind: 'value', template: '{message}' },
  SERVICE_INVALID: { severity: 'error', kind: 'value', template: '{message}' },
  CHECK_INVALID: { severity: 'error', kind: 'value', template: '{message}' },
  PORT_LABEL_UNDEFINED: { severity: 'error', kind: 'value', template: '{message}' },
  SCALING_INVALID: { severity: 'error', kind: 'value', template: '{message}' },
  UPDATE_INVALID: { severity: 'error', kind: 'value', template: '{message}' },
  MIGRATE_INVALID: { severity: 'error', kind: 'value', template: '{message}' },
  AFFINITY_INVALID: { severity: 'error', kind: 'value', template: '{message}' },
  SPREAD_INVALID: { severity: 'error', kind: 'value', template: '{message}' },
  VOLUME_INVALID: { severity: 'error', kind: 'value', template: '{message}' },
  VAULT_INVALID: { severity: 'error', kind: 'value', template: '{message}' },
  NETWORK_INVALID: { severity: 'error', kind: 'value', template: '{message}' },
  NO_GROUPS: { severity: 'error', kind: 'completeness', template: 'Missing job task groups' },
  NO_TASKS: { severity: 'error', kind: 'completeness', template: 'Missing tasks for task group' },
  MISSING_DRIVER: { severity: 'error', kind: 'completeness', template: 'Missing task driver' },
} as const satisfies Readonly<Record<string, Entry>>;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;

export interface Position {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export function kindOf(code: string): DiagnosticKind | null {
  return code in DIAGNOSTICS ? DIAGNOSTICS[code as DiagnosticCode].kind : null;
}

export function makeDiagnostic(
  code: DiagnosticCode,
  args: Readonly<Record<string, string | number>>,
  path: string,
  at: Position,
): Diagnostic {
  const entry: Entry = DIAGNOSTICS[code];
  const message = entry.template.replace(/\{(\w+)\}/g, (_m, k: string) => (k in args ? String(args[k]) : ''));
  return { code, severity: entry.severity, message, path, file: at.file, line: at.line, column: at.column };
}

/**
 * One line: `file:line:col: path: message` when a position is known, else
 * `path: message`. Paths use Nomad's arrow form (`job "x" → group "g" → restart`).
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}: ` : '';
  const path = d.path === '' ? '' : `${d.path}: `;
  const sev = d.severity === 'warning' ? 'warning: ' : '';
  return `${where}${sev}${path}${d.message}`;
}
