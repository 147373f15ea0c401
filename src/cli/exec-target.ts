/**
 * Where `bivouac alloc exec` runs a command: the task's own context as its driver made it.
 * raw_exec: the task dir, the task's environment (rebuilt as the runner builds it) and user;
 * exec: the task's own cgroup, mount/UTS/IPC/PID namespaces, root and user (nsenter), with
 * its environment as the task sees it; rkt: `rkt enter <pod uuid>`, as Nomad 0.9's rkt driver
 * did. Read-only on the state.
 */
import type { Database } from '../state/index.js';
import { getCurrentJobVersion, getHandle, getJobVersion, getNode, getTaskState, type AllocRecord } from '../state/index.js';
import { buildTaskConfig } from '../runner/task-config.js';
import { lookupUser } from '../drivers/users.js';
import { decodeState } from '../drivers/rkt/state.js';
import { decodeState as decodeRawExecState } from '../drivers/raw_exec/state.js';
import { childProcesses } from '../drivers/proc.js';
import { distinctDirs } from '../cgroups/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BivouacError } from '../util/errors.js';

export type ExecTarget =
  | {
      readonly kind: 'host';
      readonly cwd: string;
      readonly env: Readonly<Record<string, string>>;
      readonly uid: number | null;
      readonly gid: number | null;
    }
  | { readonly kind: 'rkt'; readonly uuid: string }
  | {
      /** exec: join the task's cgroup, then nsenter its namespaces, root and working dir. */
      readonly kind: 'namespaces';
      /** The task's pid 1 as the host sees it. */
      readonly pid: number;
      readonly procsFiles: readonly string[];
      readonly env: Readonly<Record<string, string>>;
      readonly uid: number;
      readonly gid: number;
    };

export interface ExecTargetInput {
  readonly db: Database;
  readonly dataDir: string;
  readonly alloc: AllocRecord;
  /** The task named with -task, or null: the group's only task. */
  readonly task: string | null;
  /** The caller's environment, which a raw_exec task inherits from its agent. */
  readonly hostEnv: Readonly<Record<string, string>>;
  readonly procRoot: string;
}

/** The exec driver's PATH for a task that sets none. */
const EXEC_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The exec task's pid 1 under its shim: the descendant whose PID namespace is its own and
 * in which it is pid 1 (`NSpid: <host pid> 1`). The chain between shim and task (host-side
 * waiter, unshare) is the driver's business, so it is searched, not assumed.
 */
export function namespaceInit(procRoot: string, shimPid: number): number | null {
  const queue = [shimPid];
  for (let guard = 0; queue.length > 0 && guard < 64; guard++) {
    const pid = queue.shift() as number;
    for (const child of childProcesses(procRoot, pid)) {
      const ns = nsPids(procRoot, child);
      if (ns.length >= 2 && ns[ns.length - 1] === '1') return child;
      queue.push(child);
    }
  }
  return null;
}

function nsPids(procRoot: string, pid: number): string[] {
  try {
    const line = readFileSync(join(procRoot, String(pid), 'status'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('NSpid:'));
    return (line ?? '').split(/\s+/).slice(1).filter((x) => x !== '');
  } catch {
    // Gone between the listing and the read: not the task.
    return [];
  }
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
        // Never mounted from the CLI: raw_exec has no secrets tmpfs.
        secretsTmpfs: false,
      });
      // Not the task's marker: the agent must never take this process for the task itself.
      const env: Record<string, string> = { ...cfg.env };
      delete env.BIVOUAC_TASK_ID;
      const user = task.user === '' ? null : lookupUser(task.user);
      if (task.user !== '' && user === null) throw new BivouacError('NOT_FOUND', `user "${task.user}" not found in /etc/passwd`);
      return { task: name, target: { kind: 'host', cwd: cfg.dirs.taskDir, env, uid: user?.uid ?? null, gid: user?.gid ?? null } };
    }
    case 'exec': {
      const node = getNode(db);
      if (!node) throw new BivouacError('NOT_FOUND', 'no node recorded in the state');
      const raw = (handle.handle as { state?: Readonly<Record<string, unknown>> } | null)?.state ?? {};
      const st = decodeRawExecState(name, raw);
      const pid = namespaceInit(input.procRoot, st.pid);
      if (pid === null) throw new BivouacError('USAGE', `task "${name}" is not running`);
      const cfg = await buildTaskConfig({
        dataDir: input.dataDir,
        alloc,
        job: version.job,
        group,
        task,
        node: node.info,
        hostEnv: {},
        attempt: state.attempt,
        marker: '',
        // The paths the task sees inside its root (/alloc, /local, /secrets).
        imageDriver: true,
        secretsTmpfs: false,
      });
      const env: Record<string, string> = { PATH: EXEC_PATH, ...cfg.env };
      delete env.BIVOUAC_TASK_ID;
      const user = lookupUser(task.user === '' ? 'nobody' : task.user) ?? (task.user === '' ? { uid: 65534, gid: 65534 } : null);
      if (user === null) throw new BivouacError('NOT_FOUND', `user "${task.user}" not found in /etc/passwd`);
      // The task's cgroup, so what runs is limited and killed with the task.
      const procsFiles = st.cgroup === null ? [] : distinctDirs(st.cgroup).map((d) => join(d, 'cgroup.procs'));
      return { task: name, target: { kind: 'namespaces', pid, procsFiles, env, uid: user.uid, gid: user.gid } };
    }
    default:
      throw new BivouacError('USAGE', `alloc exec is not supported for the ${handle.driver} driver`);
  }
}
