/**
 * The engine's public face: parse once (Go's Parse, with delimiters and a function map
 * checked at parse time), execute many times (Go's Execute / ExecuteTemplate, with the
 * missingkey option). Knows nothing of job files or consul-template.
 */
import { BUILTINS } from './builtins.js';
import { Exec, MAX_EXEC_DEPTH, type MissingKey } from './exec.js';
import { TemplateError } from './errors.js';
import type { FuncMap, TemplateFunc } from './func.js';
import { nodeString, type ListNode, type Node } from './nodes.js';
import { parseTrees } from './parser.js';

export interface ParseOptions {
  /** Default `{{` and `}}`; an empty string means the default, as in Go's Delims. */
  readonly leftDelim?: string;
  readonly rightDelim?: string;
  /** Functions beyond the built-ins; a name here replaces a built-in of the same name. */
  readonly funcs?: FuncMap;
}

export interface ExecuteOptions {
  /** Go's missingkey option: `default` (and its alias `invalid`) prints `<no value>`. */
  readonly missingKey?: MissingKey;
}

export class Template {
  private readonly funcs: ReadonlyMap<string, TemplateFunc>;

  constructor(
    readonly name: string,
    private readonly text: string,
    private readonly trees: ReadonlyMap<string, ListNode>,
    funcs: ReadonlyMap<string, TemplateFunc>,
  ) {
    this.funcs = funcs;
  }

  /** Renders the main template with `data` as dot (and `$`). Throws TemplateError. */
  execute(data: unknown, opts: ExecuteOptions = {}): string {
    return this.executeTemplate(this.name, data, opts);
  }

  /** Renders one named template (a `define` or `block`, or the main one). */
  executeTemplate(name: string, data: unknown, opts: ExecuteOptions = {}): string {
    const tree = this.trees.get(name);
    if (tree === undefined) {
      throw new TemplateError('TEMPLATE_EXEC', `template: no template ${JSON.stringify(name)} associated with template ${JSON.stringify(this.name)}`, { template: name });
    }
    // Go's reflect.ValueOf(nil) is no value at all, not a nil interface
    if (data === null) data = undefined;
    const exec = new Exec(
      { name: this.name, text: this.text, trees: this.trees, funcs: this.funcs, missingKey: opts.missingKey ?? 'default' },
      name,
      data,
    );
    try {
      exec.walk(data, tree);
    } catch (e) {
      throw stackToTemplateError(e, 'TEMPLATE_EXEC', this.name, `exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    }
    return exec.out;
  }

  /** A tree in source form, text quoted (Go's Tree.Root.String() as its parse tests print it). */
  treeString(name: string = this.name): string | undefined {
    const tree = this.trees.get(name);
    return tree === undefined ? undefined : nodeString(tree, true);
  }

  /** Names of every template the text defines, the main one included. */
  definedTemplates(): string[] {
    return [...this.trees.keys()].sort();
  }

  /** Every function name the text calls anywhere (executed or not), for checks before a render. */
  functionsUsed(): Set<string> {
    const used = new Set<string>();
    const visit = (n: Node | undefined): void => {
      if (n === undefined) return;
      switch (n.type) {
        case 'identifier':
          used.add(n.ident);
          return;
        case 'list':
          n.nodes.forEach(visit);
          return;
        case 'action':
          visit(n.pipe);
          return;
        case 'pipe':
          n.cmds.forEach(visit);
          return;
        case 'command':
          n.args.forEach(visit);
          return;
        case 'chain':
          visit(n.node);
          return;
        case 'if': case 'range': case 'with':
          visit(n.pipe);
          visit(n.list);
          visit(n.elseList);
          return;
        case 'template':
          visit(n.pipe);
          return;
        default:
          return;
      }
    };
    for (const tree of this.trees.values()) visit(tree);
    return used;
  }
}

/** Parses `text` as Go's template.New(name).Delims(l, r).Funcs(f).Parse(text). */
export function parseTemplate(name: string, text: string, opts: ParseOptions = {}): Template {
  const funcs = new Map<string, TemplateFunc>(Object.entries(BUILTINS));
  for (const [k, f] of Object.entries(opts.funcs ?? {})) {
    if (!/^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(k)) throw new TemplateError('TEMPLATE_PARSE', `template: ${name}: function name ${JSON.stringify(k)} is not a valid identifier`, { template: name });
    funcs.set(k, f);
  }
  let trees: Map<string, ListNode>;
  try {
    trees = parseTrees({
      name,
      text,
      leftDelim: opts.leftDelim || '{{',
      rightDelim: opts.rightDelim || '}}',
      hasFunction: (f) => funcs.has(f),
    });
  } catch (e) {
    throw stackToTemplateError(e, 'TEMPLATE_PARSE', name, 'max expression depth exceeded');
  }
  return new Template(name, text, trees, funcs);
}

/**
 * JavaScript's stack is shallower than Go's: nesting deep enough to exhaust it (hostile or
 * generated text) is reported as Go reports too-deep nesting, not as a crash.
 */
function stackToTemplateError(e: unknown, code: 'TEMPLATE_PARSE' | 'TEMPLATE_EXEC', name: string, what: string): unknown {
  if (e instanceof RangeError) return new TemplateError(code, `template: ${name}: ${what}`, { template: name, cause: e });
  return e;
}
