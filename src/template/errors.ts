/**
 * Template errors. One class, told apart by `code` and fields (never by message text):
 * - TEMPLATE_PARSE: the text does not parse (Go's `template: NAME:LINE: …`).
 * - TEMPLATE_EXEC: executing failed (Go's `template: NAME:LINE:COL: executing "NAME" at <…>: …`).
 * - TEMPLATE_NEEDS_SERVER: a function was called that needs something the caller does not
 *   have (a server, a program); `func` and `needs` say which, as the function layer names
 *   them (funcs/servers.ts). Kept through the exec error that wraps it.
 * - TEMPLATE_FUNC: a template function refused its arguments (wrapped by exec as TEMPLATE_EXEC).
 * Callers map these onto their own error family.
 */
export type TemplateErrorCode = 'TEMPLATE_PARSE' | 'TEMPLATE_EXEC' | 'TEMPLATE_NEEDS_SERVER' | 'TEMPLATE_FUNC';

export interface TemplateErrorFields {
  /** The template (or define) name the error is in. */
  readonly template?: string;
  /** 1-based line and column of the offending token, where known. */
  readonly line?: number;
  readonly col?: number;
  /** For TEMPLATE_NEEDS_SERVER (also kept on the TEMPLATE_EXEC that wraps it). */
  readonly func?: string;
  /** What the function needs, as the function layer names it. */
  readonly needs?: string;
  readonly cause?: unknown;
}

export class TemplateError extends Error {
  readonly code: TemplateErrorCode;
  readonly template: string | undefined;
  readonly line: number | undefined;
  readonly col: number | undefined;
  readonly func: string | undefined;
  readonly needs: string | undefined;

  constructor(code: TemplateErrorCode, message: string, fields: TemplateErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'TemplateError';
    this.code = code;
    this.template = fields.template;
    this.line = fields.line;
    this.col = fields.col;
    this.func = fields.func;
    this.needs = fields.needs;
  }
}

/** Thrown by a function whose arguments are wrong; the engine adds `error calling NAME: `. */
export function funcError(message: string): TemplateError {
  return new TemplateError('TEMPLATE_FUNC', message);
}

export function isTemplateError(e: unknown): e is TemplateError {
  return e instanceof TemplateError;
}
