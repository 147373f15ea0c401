/**
 * consul-template's executeTemplate NAME [DATA]: one of the template's own `define`s
 * rendered to a string (with DATA as dot, or none), so it can be piped on.
 */
import { funcError } from '../errors.js';
import type { TemplateExecutor } from '../func.js';

export function executeTemplate(exec: TemplateExecutor, name: string, ...data: unknown[]): string {
  if (data.length > 1) {
    throw funcError(`executeTemplate: wrong number of arguments, expected 1 or 2, but got ${data.length + 1}`);
  }
  return exec(name, data.length === 1 ? data[0] : null);
}
