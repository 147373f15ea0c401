/**
 * The prestart hooks of a task, in Nomad's order: artifacts, then templates (so a template's
 * `source` may be a downloaded file). The task runner iterates this list and knows nothing
 * of what each hook does.
 */
import type { ArtifactLimits } from '../../artifact/index.js';
import type { Task } from '../../jobspec/types.js';
import type { Rand } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { artifactHook } from './artifact-hook.js';
import { templateHook } from './template-hook.js';
import type { TaskHook } from './types.js';

export type { TaskHook, TaskControl, PrestartContext, PrestartResult, EmitEvent } from './types.js';
export { TaskHookError } from './types.js';
export { runPoststart, runPrestart, runReattach, runStop } from './run.js';

/** What the agent config decides for every task's hooks. */
export interface HookSettings {
  readonly artifact: ArtifactLimits;
  /** How often a running task's templates are rendered again to catch changes. */
  readonly templatePollMs: number;
}

export interface TaskHooksInput {
  readonly task: Task;
  readonly settings: HookSettings;
  readonly nodeVars: Readonly<Record<string, string>>;
  readonly internalEnv: readonly string[];
  readonly rand: Rand;
  readonly log: Logger;
}

/** Only the hooks the task needs: a task without artifacts or templates has none, and re-attaches as before. */
export function taskHooks(input: TaskHooksInput): TaskHook[] {
  const { task, settings } = input;
  const hooks: TaskHook[] = [];
  if (task.artifacts.length > 0) hooks.push(artifactHook({ artifacts: task.artifacts, limits: settings.artifact, nodeVars: input.nodeVars }));
  if (task.templates.length > 0) {
    hooks.push(templateHook({
      templates: task.templates,
      taskName: task.name,
      nodeVars: input.nodeVars,
      internalEnv: input.internalEnv,
      pollMs: settings.templatePollMs,
      rand: input.rand,
      log: input.log,
    }));
  }
  return hooks;
}
