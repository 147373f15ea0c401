/**
 * The template area's public surface: a Go text/template engine (it knows no job format) and,
 * in funcs/, consul-template's function layer on top of it.
 */
export { parseTemplate, Template, type ExecuteOptions, type ParseOptions } from './template.js';
export type { MissingKey } from './exec.js';
export { TemplateError, isTemplateError, funcError, type TemplateErrorCode } from './errors.js';
export { goFunc, type FuncMap, type ParamKind, type TemplateFunc } from './func.js';
export { GoFloat } from './values.js';
export { formatValue } from './fmt.js';
export { sprintf } from './printf.js';
export { consulTemplateFuncs, SERVER_FUNCTIONS, UNSUPPORTED_FUNCTIONS, needsServerError, type ConsulTemplateContext, type EnvMap, type FileAccess, type NeededServer } from './funcs/index.js';
