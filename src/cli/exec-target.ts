/**
 * Where `bivouac alloc exec` runs a command: the task's own context as its driver made it.
 * raw_exec: the task dir, the task's environment (rebuilt as the runner builds it) and user;
 * rkt: `rkt enter <pod uuid>`, as Nomad 0.9's rkt driver did. Read-only on the state.
 */
import type { Database } from '../state/index.js';
import { getCurrentJobVersion, getHandle, getJobVersion, getNode, getTaskState, type AllocRecord } from '../state/index.js';
import { buildTaskConfig } from '../runner/task-config.js';
import { lookupUser } from '../drivers/users.js';
import { decodeState } from '../drivers/rkt/state.js';
import { BivouacError } from '../util/errors.js';

export type ExecTarget =
  | {
      readonly kind: 'host';
      readonly cwd: string;
      readonly env: Readonly<Record<string, string>>;
      readonly uid: number | null;
      readonly gid: number | null;
    }
  | { readonly kind: 'rkt'; readonly uuid: string };

export interface ExecTargetInput {
  readonly db: Database;
  readonly dataDir: string;
  readonly alloc: AllocRecord;
  /** The task named with -task, or null: the group's only task. */
  readonly task: string | null;
  /** The caller's environment, which a raw_exec task inherits from its agent. */
  readonly hostEnv: Readonly<Record<string, string>>;
}

export async function execTarget(input: ExecTargetInput): Promise<{ task: string; target: ExecTarget }> {
  const { db, alloc } = input;
  const version = getJobVersion(db, alloc.jobId, alloc.jobVersion) ?? getCurrentJobVersion(db, alloc.jobId);
  const group = version?.job.groups.find((g) => g.name === alloc.taskGroup);
  if (!version || !group) throw new BivouacError('NOT_FOUND', `allocation ${alloc.id.slice(0, 8)}: its job version is no longer recorded`);
  let name = input.task;
  if (name === null) {
    if (group.tasks.length !== 1) throw new BivouacError('USAGE', `Please specify the task: the group has ${group.tasks.map((t) => `"${t.name}"`).join(', ')}`);
    name = group.tasks[0].name;
  }
  const task = group.tasks.find((t) => t.name === name);
  if (!task) throw new BivouacError('NOT_FOUND', `Could not find task named: ${name}`);
  const state = getTaskState(db, alloc.id, name);
  if (state?.state !== 'running') throw new BivouacError('USAGE', `task "${name}" is not running`);
  const handle = getHandle(db, alloc.id, name);
  if (!handle) throw new BivouacError('USAGE', `task "${name}" is not running`);
  switch (handle.driver) {
    case 'rkt': {
      const h = handle.handle as { state?: Readonly<Record<string, unknown>> } | null;
      return { task: name, target: { kind: 'rkt', uuid: decodeState(name, h?.state ?? {}).uuid } };
    }
    case 'raw_exec': {
      const node = getNode(db);
      if (!node) throw new BivouacError('NOT_FOUND', 'no node recorded in the state');
      const cfg = await buildTaskConfig({
        dataDir: input.dataDir,
        alloc,
        job: version.job,
        group,
        task,
        node: node.info,
        hostEnv: input.hostEnv,
        attempt: state.attempt,
        marker: '',
        imageDriver: false,
      });
      // Not the task's marker: the agent must never take this process for the task itself.
      const env: Record<string, string> = { ...cfg.env };
      delete env.BIVOUAC_TASK_ID;
      const user = task.user === '' ? null : lookupUser(task.user);
      if (task.user !== '' && user === null) throw new BivouacError('NOT_FOUND', `user "${task.user}" not found in /etc/passwd`);
      return { task: name, target: { kind: 'host', cwd: cfg.dirs.taskDir, env, uid: user?.uid ?? null, gid: user?.gid ?? null } };
    }
    default:
      throw new BivouacError('USAGE', `alloc exec is not supported for the ${handle.driver} driver`);
  }
}
