import type { TaskConfig, TaskPort } from '../drivers/types.js';
import type { Group, Job, Task } from '../jobspec/types.js';
import type { NodeInfo } from '../node/types.js';
import type { AllocRecord } from '../state/index.js';
import { BivouacError } from '../util/errors.js';
import { allocDirPaths, buildAllocDir } from './taskdir.js';
import type { SpareAllocDirs } from './spare-dirs.js';
import { mountSecretsTmpfs } from './secrets-tmpfs.js';
import { buildTaskEnv } from './env.js';
import { interpolateValue, nodeVariables, unknownNodeVariables } from './interpolate.js';
import { liveLogPath } from './logs.js';

/**
 * The signal a stop sends. A job file may leave `kill_signal` unset (so does Nomad's
 * exported job); Nomad's exec and raw_exec executors then send SIGINT, which bivouac
 * follows for every driver it runs.
 */
export function effectiveKillSignal(task: Pick<Task, 'killSignal'>): string {
  return task.killSignal === '' ? 'SIGINT' : task.killSignal;
}

export interface TaskConfigInput {
  readonly dataDir: string;
  readonly alloc: AllocRecord;
  readonly job: Job;
  readonly group: Group;
  readonly task: Task;
  readonly node: NodeInfo;
  /** The agent's own environment, passed through to drivers that run on the host (raw_exec), as Nomad does. */
  readonly hostEnv: Readonly<Record<string, string>>;
  readonly attempt: number;
  /** BIVOUAC_TASK_ID for this attempt: how orphans are found after a crash. */
  readonly marker: string;
  /** The task sees /alloc, /local, /secrets rather than host paths. */
  readonly imageDriver: boolean;
  /** secrets/ is a tmpfs (an isolating driver and a root agent). */
  readonly secretsTmpfs: boolean;
  /** Trees made ahead of need: an allocation's first start renames one into place (spare-dirs.ts). */
  readonly spareDirs?: SpareAllocDirs;
}

/**
 * Everything a driver needs for one start: directories (made idempotently), the task's
 * environment, and its driver config with `${…}` interpolated. Directory problems are
 * setup failures that no restart can fix.
 */
export async function buildTaskConfig(input: TaskConfigInput): Promise<TaskConfig> {
  const { alloc, job, group, task, node } = input;
  let paths;
  try {
    const names = group.tasks.map((t) => t.name);
    // A first start takes a spare tree (waiting for one if a burst used them up): its mkdirs were made off this thread.
    const spare = input.spareDirs ? await input.spareDirs.take(allocDirPaths(input.dataDir, alloc.id, names).root) : null;
    paths = buildAllocDir(input.dataDir, alloc.id, names, input.spareDirs && spare !== null ? { dirs: input.spareDirs, path: spare, task: task.name } : undefined);
  } catch (err) {
    if (err instanceof BivouacError) throw err;
    throw new BivouacError('TASK_SETUP', `building the task directory failed: ${(err as Error).message}`, { cause: err, recoverable: true });
  }
  const dirs = paths.tasks.get(task.name);
  if (!dirs) throw new BivouacError('TASK_SETUP', `task ${task.name} has no directory`, { recoverable: false });
  if (input.secretsTmpfs) await mountSecretsTmpfs(dirs.secrets, alloc.id, task.name);
  const ip = node.attributes['unique.network.ip-address'] ?? '127.0.0.1';
  const ports: TaskPort[] = alloc.ports
    .filter((p) => p.task === null || p.task === task.name)
    .map((p) => ({ label: p.label, value: p.value, to: p.to > 0 ? p.to : p.value, ip }));
  const nodeVars = nodeVariables(node);
  // Nomad's validate step, before anything is started: a node variable this node does not
  // have fails the task (no restart can add an attribute) instead of reaching it verbatim.
  const unknown = unknownNodeVariables({ env: task.env, config: task.driverConfig.config }, { env: {}, node: nodeVars });
  if (unknown.length > 0) {
    const names = unknown.map((n) => `\${${n}}`).join(', ');
    throw new BivouacError('TASK_VALIDATION', `failed to interpolate ${names}: not an attribute, variable or meta key of node "${node.name}"`, {
      recoverable: false,
    });
  }
  const taskEnv = buildTaskEnv({
    job,
    group,
    task,
    allocId: alloc.id,
    allocIndex: alloc.index,
    datacenter: node.datacenter,
    dirs: { allocDir: paths.allocDir, localDir: dirs.local, secretsDir: dirs.secrets },
    pathStyle: input.imageDriver ? 'image' : 'host',
    ports,
    nodeVars,
  });
  const env = { ...(input.imageDriver ? {} : input.hostEnv), ...taskEnv, BIVOUAC_TASK_ID: input.marker };
  const raw = task.driverConfig.config;
  return {
    id: input.marker,
    allocId: alloc.id,
    jobId: job.id,
    groupName: group.name,
    taskName: task.name,
    driverConfig: interpolateValue(raw, { env: taskEnv, node: nodeVars }),
    env,
    user: task.user,
    resources: { cpu: task.resources.cpu, memoryMB: task.resources.memoryMB, memoryMaxMB: task.resources.memoryMaxMB },
    ports,
    dirs: { allocDir: paths.allocDir, taskDir: dirs.dir, localDir: dirs.local, secretsDir: dirs.secrets, tmpDir: dirs.tmp },
    stdoutPath: liveLogPath(paths.logsDir, task.name, 'stdout'),
    stderrPath: liveLogPath(paths.logsDir, task.name, 'stderr'),
  };
}
