/** How the task runner walks its hook list: in order, knowing nothing of what each hook does. */
import type { TaskConfig } from '../../drivers/types.js';
import type { Logger } from '../../util/logger.js';
import { interpolateValue } from '../interpolate.js';
import type { EmitEvent, TaskControl, TaskHook } from './types.js';

/**
 * Runs the prestart hooks in order; each may add to the task's environment. Throws
 * TaskHookError. Added variables (template `env = true`) also fill the `${…}` the driver
 * config still holds, as Nomad's env builder does once templates rendered.
 */
export async function runPrestart(hooks: readonly TaskHook[], cfg: TaskConfig, emit: EmitEvent, signal: AbortSignal): Promise<TaskConfig> {
  let env = cfg.env;
  const added: Record<string, string> = {};
  for (const h of hooks) {
    if (!h.prestart) continue;
    const r = await h.prestart({ cfg: { ...cfg, env }, emit, signal });
    if (r.env) {
      env = { ...env, ...r.env };
      Object.assign(added, r.env);
    }
  }
  if (env === cfg.env) return cfg;
  return { ...cfg, env, driverConfig: interpolateValue(cfg.driverConfig, { env: added, node: {} }) };
}

export function runPoststart(hooks: readonly TaskHook[], control: TaskControl): void {
  for (const h of hooks) h.poststart?.(control);
}

export function runStop(hooks: readonly TaskHook[]): void {
  for (const h of hooks) h.stop?.();
}

/**
 * A task re-attached after an agent restart: hands its hooks what prestart gave them (from a
 * fresh, idempotent prepare), then lets them watch. Returns false when that failed (logged).
 */
export async function runReattach(hooks: readonly TaskHook[], prepare: () => Promise<TaskConfig>, control: () => TaskControl, log: Logger): Promise<boolean> {
  if (!hooks.some((h) => h.reattach)) return true;
  try {
    const cfg = await prepare();
    for (const h of hooks) await h.reattach?.(cfg);
  } catch (err) {
    log.warn({ err }, 'task hooks could not be re-attached; templates are not watched until the next start');
    return false;
  }
  runPoststart(hooks, control());
  return true;
}
