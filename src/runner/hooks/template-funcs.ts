/**
 * The context a task's templates render with, handed to consul-template's function layer
 * (src/template/funcs): `env` sees the task's environment (and, for raw_exec, the agent's
 * own minus Nomad's default env.denylist, as the task itself does); `file` reads paths
 * relative to the task dir and never outside the allocation dir (Nomad resolves relative
 * paths against the agent's working directory, which no job author can know).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { consulTemplateFuncs, type FuncMap } from '../../template/index.js';

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

export function templateFuncs(ctx: TemplateFuncContext): FuncMap {
  const sandbox = realpathSync(ctx.sandbox);
  return consulTemplateFuncs({
    env: ctx.env,
    file: { baseDir: ctx.taskDir, readFile: (abs) => readSandboxed(sandbox, abs) },
    now: () => new Date(),
  });
}

/** The env a template sees: the task's as built for the driver, without Nomad's denylist or bivouac's own keys. */
export function templateEnv(taskEnv: Readonly<Record<string, string>>, internal: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(taskEnv)) if (!ENV_DENYLIST.includes(k) && !internal.includes(k)) out[k] = v;
  return out;
}

function readSandboxed(sandbox: string, abs: string): string {
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (err) {
    throw new Error((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(err));
  }
  if (real !== sandbox && !real.startsWith(sandbox + sep)) throw new Error('outside the allocation directory; refused');
  return readFileSync(real, 'utf8');
}
