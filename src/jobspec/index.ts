/**
 * The jobspec area's public surface: Nomad job file text to a typed, defaulted, validated
 * Job; its API JSON; a meaning hash; and job diffs. Nothing here does I/O beyond the text it
 * is handed (the HCL parser is imported lazily, on the first parse).
 */
export { parseJobFile, type ParseOptions } from './parse-job.js';
export { parseHclTree } from './parse.js';
export { toApiJson, type ApiObject, type ApiValue } from './api-json.js';
export { canonicalHash, canonicalJson } from './hash.js';
export { diffJobs, type DiffType, type FieldDiff, type GroupDiff, type JobDiff, type ObjectDiff, type TaskDiff } from './diff.js';
export { formatDiagnostic, kindOf, DIAGNOSTICS, type DiagnosticCode, type DiagnosticKind } from './diagnostics.js';
export { DEFAULTS, defaultRestart } from './defaults.js';
export { unsafeNameReason } from './validate.js';
export type * from './types.js';
export { SUPPORT, unhonouredWarnings, formatJobWarning, type JobWarning, type SupportRow } from './support.js';
export { jobWarnings } from './template-check.js';
