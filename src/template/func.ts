/**
 * What a template function is: its Go parameter types (so the engine checks arity and
 * argument types before calling, with Go's messages) and its implementation. A function
 * fails by throwing; the engine reports `error calling NAME: …`.
 */
/**
 * Parameter kinds, named for the Go types they stand for:
 * any = interface{} (a missing value arrives as null), value = reflect.Value (a missing value
 * arrives as undefined; the built-ins use it), string, int, bool, float64, strings = []string.
 */
export type ParamKind = 'any' | 'value' | 'string' | 'int' | 'bool' | 'float64' | 'strings';

export interface TemplateFunc {
  readonly params: readonly ParamKind[];
  /** The element kind of a final `...` parameter, if the function is variadic. */
  readonly variadic?: ParamKind;
  /**
   * The function renders the template's own named templates (consul-template's
   * executeTemplate, bound to its template in Go): the engine passes a TemplateExecutor
   * before the arguments.
   */
  readonly executes?: boolean;
  readonly fn: (...args: never[]) => unknown;
}

/** Renders one of the executing template's named templates with `data` as dot. */
export type TemplateExecutor = (name: string, data: unknown) => string;

export type FuncMap = Readonly<Record<string, TemplateFunc>>;

/** A function definition; `fn`'s parameter types should match `params`. */
export function goFunc(params: readonly ParamKind[], fn: (...args: never[]) => unknown, variadic?: ParamKind): TemplateFunc {
  return variadic === undefined ? { params, fn } : { params, variadic, fn };
}

export function goTypeOf(kind: ParamKind): string {
  switch (kind) {
    case 'any':
      return 'interface {}';
    case 'value':
      return 'reflect.Value';
    case 'strings':
      return '[]string';
    default:
      return kind;
  }
}
