/**
 * Nomad's template hook. Prestart: render every template in order (after the artifacts, so
 * a `source` may be one), write each atomically, and gather the `env = true` ones into the
 * task's environment; the task starts only when all rendered. A function that needs a
 * server fails the task at once with a `Template` event naming the function and the
 * server; any other render error is Nomad's `Template failed: …`. Neither is retried: the
 * same template fails the same way.
 *
 * While the task runs, the templates are rendered again every poll period (the agent's
 * rescan interval): a changed `source`, or a changed file read by `file`, rewrites the
 * destination and applies `change_mode` after a random `splay`: `restart` restarts the task
 * (outside the restart policy), `signal` sends `change_signal`, `noop` only writes.
 */
import type { TemplateSpec } from '../../jobspec/types.js';
import type { Rand } from '../../util/clock.js';
import { errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import { parseEnvFile } from './env-file.js';
import { allocRoot, fillPath } from './paths.js';
import { readRendered, RenderError, renderText, writeRendered, type RenderTarget } from './template-render.js';
import type { TaskConfig } from '../../drivers/types.js';
import { templateEnv, templateFuncs } from './template-funcs.js';
import { TaskHookError, type PrestartContext, type PrestartResult, type TaskControl, type TaskHook } from './types.js';

export interface TemplateHookDeps {
  readonly templates: readonly TemplateSpec[];
  readonly taskName: string;
  readonly nodeVars: Readonly<Record<string, string>>;
  /** Env keys of bivouac's own (the orphan marker) that templates must not see. */
  readonly internalEnv: readonly string[];
  readonly pollMs: number;
  readonly rand: Rand;
  readonly log: Logger;
}

const SERVER_WORDS: Readonly<Record<string, string>> = { Consul: 'a Consul server', Vault: 'a Vault server', Nomad: 'a Nomad server', program: 'to run a program' };

export function templateHook(deps: TemplateHookDeps): TaskHook {
  let targets: RenderTarget[] = [];
  let last: (string | null)[] = [];
  let timer: NodeJS.Timeout | null = null;
  let stopped = true;
  /** Which watch a pending tick belongs to: a restart ends one watch and begins the next while a tick may still be finishing. */
  let generation = 0;

  const render = async (i: number): Promise<string> => renderText(deps.templates[i], targets[i]);
  const setup = (cfg: TaskConfig): void => {
    const pc = { cfg, nodeVars: deps.nodeVars };
    const funcs = templateFuncs({ env: templateEnv(cfg.env, deps.internalEnv), taskDir: cfg.dirs.taskDir, sandbox: allocRoot(cfg) });
    targets = deps.templates.map((t) => ({
      allocRoot: allocRoot(cfg),
      taskName: deps.taskName,
      source: t.source === '' ? '' : fillPath(t.source, pc),
      destination: fillPath(t.destination, pc),
      funcs,
    }));
  };

  return {
    name: 'template',
    async prestart(ctx: PrestartContext): Promise<PrestartResult> {
      if (deps.templates.length === 0) return {};
      setup(ctx.cfg);
      last = [];
      const env: Record<string, string> = {};
      for (const [i, t] of deps.templates.entries()) {
        let content: string;
        try {
          content = await render(i);
          await writeRendered(t, targets[i], content, true);
        } catch (err) {
          throw failure(err, targets[i].destination);
        }
        last.push(content);
        if (t.env) {
          try {
            Object.assign(env, parseEnvFile(content));
          } catch (err) {
            const message = `Template failed to read environment variables: ${targets[i].destination}: ${errorMessage(err)}`;
            throw new TaskHookError('TEMPLATE', 'Killing', message, { killReason: message }, { cause: err, recoverable: false });
          }
        }
      }
      return { env };
    },

    /** After an agent restart: what is on disk is the last render, so a change made meanwhile is caught by the first poll. */
    async reattach(cfg: TaskConfig): Promise<void> {
      if (deps.templates.length === 0) return;
      setup(cfg);
      last = await Promise.all(targets.map((t) => readRendered(t)));
    },

    poststart(ctl: TaskControl): void {
      if (deps.templates.length === 0) return;
      stopped = false;
      const mine = ++generation;
      const tick = async (): Promise<void> => {
        const changed: TemplateSpec[] = [];
        for (const [i, t] of deps.templates.entries()) {
          try {
            const content = await render(i);
            if (content === last[i]) continue;
            await writeRendered(t, targets[i], content, true);
            last[i] = content;
            changed.push(t);
          } catch (err) {
            // The task keeps running on the file it has; the failure is shown where the user looks.
            ctl.emit('Template', `Template failed to re-render ${targets[i].destination}: ${errorMessage(err)}`);
          }
        }
        if (changed.length > 0 && !stopped && mine === generation) await apply(changed, ctl);
      };
      const loop = (): void => {
        timer = setTimeout(() => {
          void tick()
            .catch((err: unknown) => deps.log.error({ err }, 'template watch failed'))
            .finally(() => {
              if (!stopped && mine === generation) loop();
            });
        }, deps.pollMs);
      };
      loop();
    },

    stop(): void {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };

  async function apply(changed: readonly TemplateSpec[], ctl: TaskControl): Promise<void> {
    const splay = Math.max(0, ...changed.map((t) => t.splayMs));
    if (splay > 0) await new Promise((r) => setTimeout(r, Math.floor(deps.rand() * splay)));
    if (stopped) return;
    if (changed.some((t) => t.changeMode === 'restart')) {
      await ctl.restart('Template with change_mode restart re-rendered');
      return;
    }
    const signals = [...new Set(changed.filter((t) => t.changeMode === 'signal').map((t) => t.changeSignal))];
    for (const sig of signals) {
      if (!(await ctl.signal(sig, 'Template re-rendered'))) ctl.emit('Template', `Template failed to send signals [${sig}]: the driver cannot signal tasks`);
    }
  }
}

function failure(err: unknown, destination: string): TaskHookError {
  if (err instanceof RenderError && err.needs !== null) {
    const words = SERVER_WORDS[err.needs] ?? `a ${err.needs} server`;
    const message = err.needs === 'program'
      ? `Template ${destination}: function "${err.func ?? '?'}" runs a program, which bivouac does not allow in templates`
      : `Template ${destination}: function "${err.func ?? '?'}" needs ${words}, which bivouac does not have (Nomad would wait for it forever)`;
    return new TaskHookError('TEMPLATE', 'Template', message, { func: err.func, needs: err.needs }, { cause: err, recoverable: false });
  }
  const message = `Template failed: ${errorMessage(err)}`;
  return new TaskHookError('TEMPLATE', 'Killing', message, { killReason: message }, { cause: err, recoverable: false });
}
