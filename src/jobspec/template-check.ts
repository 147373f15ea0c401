/**
 * What can be known of an inline template before it runs: whether it parses, and whether it
 * calls a function that needs a server bivouac will never have (Consul, Vault, Nomad) or
 * runs a program (`plugin`). Such a task fails before it starts, so `job validate` says so
 * now. A `source` template is only read at run time. Pure: the engine is Nomad-free.
 */
import { consulTemplateFuncs, parseTemplate, SERVER_FUNCTIONS, type Template } from '../template/index.js';
import { joinPath } from './decode-ctx.js';
import { unhonouredWarnings, type JobWarning } from './support.js';
import type { Job, TemplateSpec } from './types.js';

const NO_IO = consulTemplateFuncs({ env: {}, file: { baseDir: '/', readFile: () => '' }, now: () => new Date(0) });

export function templateProblems(t: TemplateSpec): string[] {
  if (t.source !== '' || t.data === '') return [];
  let tmpl: Template;
  try {
    tmpl = parseTemplate(t.destination, t.data, { leftDelim: t.leftDelim, rightDelim: t.rightDelim, funcs: NO_IO });
  } catch (err) {
    return [`does not parse (${err instanceof Error ? err.message : String(err)}): the task will fail before it starts`];
  }
  return [...tmpl.functionsUsed()].sort().filter((f) => Object.hasOwn(SERVER_FUNCTIONS, f)).map((f) => {
    const needs = SERVER_FUNCTIONS[f].needs;
    const what = needs === 'program' ? 'runs a program, which bivouac does not allow in templates' : `needs a ${needs} server, which bivouac does not have`;
    return `calls "${f}", which ${what}: the task will fail before it starts`;
  });
}

/**
 * Every warning for a job: what bivouac parses but does not do (support.ts), then what its
 * inline templates will fail on. `status` shows only the first part: loading the template
 * engine would cost every cold `status`, and a failed task's `Template` event says it there.
 */
export function jobWarnings(job: Job): JobWarning[] {
  const out = unhonouredWarnings(job);
  for (const g of job.groups) {
    for (const t of g.tasks) {
      t.templates.forEach((tm, i) => {
        const at = joinPath(`job "${job.id}"`, `group "${g.name}" → task "${t.name}" → template ${i + 1}`);
        for (const problem of templateProblems(tm)) out.push({ path: at, key: 'template', message: `template "${tm.destination}" ${problem}` });
      });
    }
  }
  return out;
}
