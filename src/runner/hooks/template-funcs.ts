/**
 * The function map a task's templates render with, and the context it reads: `env` sees the
 * task's environment (and, for raw_exec, the agent's own minus Nomad's default
 * env.denylist, as the task itself does); `file` reads paths relative to the task dir and
 * never outside the allocation dir (Nomad resolves them against the agent's working
 * directory, which no job author can know).
 *
 * STOPGAP until branch i11's consul-template layer (src/template/funcs) lands: only the
 * functions the runner's own tests use, plus every server function failing by name.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';
import { funcError, goFunc, TemplateError, type FuncMap, type NeededServer } from '../../template/index.js';

/** Nomad's client default `env.denylist`: never handed to a template from the agent's env. */
export const ENV_DENYLIST: readonly string[] = [
  'CONSUL_TOKEN', 'CONSUL_HTTP_TOKEN', 'VAULT_TOKEN', 'NOMAD_LICENSE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN', 'GOOGLE_APPLICATION_CREDENTIALS',
];

export interface TemplateFuncContext {
  readonly env: Readonly<Record<string, string>>;
  readonly taskDir: string;
  /** `file` may read only below this dir (the allocation's). */
  readonly sandbox: string;
}

const SERVER_FUNCS: Readonly<Record<string, NeededServer>> = {
  key: 'Consul', keyExists: 'Consul', keyOrDefault: 'Consul', ls: 'Consul', safeLs: 'Consul', tree: 'Consul', safeTree: 'Consul',
  service: 'Consul', services: 'Consul', connect: 'Consul', caRoots: 'Consul', caLeaf: 'Consul', datacenters: 'Consul', node: 'Consul',
  nodes: 'Consul', secret: 'Vault', secrets: 'Vault', pkiCert: 'Vault', nomadService: 'Nomad', nomadServices: 'Nomad', nomadVar: 'Nomad',
  nomadVarList: 'Nomad', nomadVarListSafe: 'Nomad', nomadVarExists: 'Nomad', plugin: 'program',
};

export function serverFunctions(): Readonly<Record<string, NeededServer>> {
  return SERVER_FUNCS;
}

export function templateFuncs(ctx: TemplateFuncContext): FuncMap {
  const funcs: Record<string, FuncMap[string]> = {
    env: goFunc(['string'], ((k: string) => (Object.prototype.hasOwnProperty.call(ctx.env, k) ? ctx.env[k] : '')) as (...a: never[]) => unknown),
    file: goFunc(['string'], ((p: string) => readSandboxed(ctx, p)) as (...a: never[]) => unknown),
    split: goFunc(['string', 'string'], ((sep2: string, s: string) => (s === '' ? [] : s.split(sep2))) as (...a: never[]) => unknown),
  };
  for (const [name, needs] of Object.entries(SERVER_FUNCS)) {
    funcs[name] = goFunc([], (() => {
      throw new TemplateError('TEMPLATE_NEEDS_SERVER', `${name} needs ${needs}`, { func: name, needs });
    }) as (...a: never[]) => unknown, 'any');
  }
  return funcs;
}

/** The agent's env as a template sees it for a host-env driver: Nomad's denylist removed. */
export function templateEnv(taskEnv: Readonly<Record<string, string>>, internal: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(taskEnv)) if (!ENV_DENYLIST.includes(k) && !internal.includes(k)) out[k] = v;
  return out;
}

function readSandboxed(ctx: TemplateFuncContext, p: string): string {
  const path = isAbsolute(p) ? p : join(ctx.taskDir, p);
  let real: string;
  try {
    real = realpathSync(path);
  } catch (err) {
    throw funcError(`open ${p}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(err)}`);
  }
  if (real !== ctx.sandbox && !real.startsWith(ctx.sandbox + sep)) throw funcError(`file: ${p} is outside the allocation directory`);
  return readFileSync(real, 'utf8');
}
