/**
 * Nomad's artifact hook: before the task starts, `Downloading Artifacts`, then each artifact
 * in order into the task dir. A failure is `Failed Artifact Download` with the cause
 * (`failed to download artifact "<source>": …`), and the restart policy decides whether to
 * try again: every start attempt downloads afresh, as Nomad does.
 */
import { fetchArtifact, type ArtifactLimits } from '../../artifact/index.js';
import type { ArtifactSpec } from '../../jobspec/types.js';
import { errorMessage } from '../../util/errors.js';
import { allocRoot, fillPath, fillValue } from './paths.js';
import { TaskHookError, type PrestartContext, type PrestartResult, type TaskHook } from './types.js';

export interface ArtifactHookDeps {
  readonly artifacts: readonly ArtifactSpec[];
  readonly limits: ArtifactLimits;
  readonly nodeVars: Readonly<Record<string, string>>;
}

export function artifactHook(deps: ArtifactHookDeps): TaskHook {
  return {
    name: 'artifacts',
    async prestart(ctx: PrestartContext): Promise<PrestartResult> {
      if (deps.artifacts.length === 0) return {};
      ctx.emit('Downloading Artifacts', 'Client is downloading artifacts');
      const pc = { cfg: ctx.cfg, nodeVars: deps.nodeVars };
      for (const a of deps.artifacts) {
        const source = fillValue(a.source, pc);
        try {
          await fetchArtifact(
            {
              source,
              destination: fillPath(a.destination, pc),
              mode: a.mode,
              options: mapValues(a.options, (v) => fillValue(v, pc)),
              headers: mapValues(a.headers, (v) => fillValue(v, pc)),
            },
            { taskDir: ctx.cfg.dirs.taskDir, scratchDir: allocRoot(ctx.cfg), limits: deps.limits, signal: ctx.signal },
          );
        } catch (err) {
          const message = `failed to download artifact ${JSON.stringify(source)}: ${errorMessage(err)}`;
          throw new TaskHookError('ARTIFACT', 'Failed Artifact Download', message, { downloadError: message }, { cause: err, recoverable: true });
        }
      }
      return {};
    },
  };
}

function mapValues(m: Readonly<Record<string, string>>, f: (v: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, f(v)]));
}
