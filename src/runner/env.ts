/**
 * The task environment: every NOMAD_* variable of reference nomad.md §2.2 that applies,
 * then the task's `env` block interpolated against them. Pure: the caller adds the host
 * environment for drivers that pass it through (raw_exec) and hands the result to the driver.
 */
import type { TaskPort } from '../drivers/types.js';
import type { Group, Job, Task } from '../jobspec/types.js';
import { interpolateString } from './interpolate.js';

export interface TaskEnvInput {
  readonly job: Job;
  readonly group: Group;
  readonly task: Task;
  readonly allocId: string;
  readonly allocIndex: number;
  /** The node's datacenter (NOMAD_DC). */
  readonly datacenter: string;
  /** Host paths of the alloc dir and the task's local/ and secrets/ dirs. */
  readonly dirs: { readonly allocDir: string; readonly localDir: string; readonly secretsDir: string };
  /** `host`: the task sees host paths (raw_exec). `image`: it sees /alloc, /local, /secrets (rkt). */
  readonly pathStyle: 'host' | 'image';
  readonly ports: readonly TaskPort[];
  /** `node.*`, `attr.*`, `meta.*` for interpolating the env block (see nodeVariables). */
  readonly nodeVars: Readonly<Record<string, string>>;
}

export function allocName(jobId: string, group: string, index: number): string {
  return `${jobId}.${group}[${index}]`;
}

/** Nomad's CleanEnvVar: anything but letters, digits and `_` becomes `_`. */
export function envSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

export function buildTaskEnv(input: TaskEnvInput): Record<string, string> {
  const { job, group, task } = input;
  const env: Record<string, string> = {};
  const image = input.pathStyle === 'image';
  env.NOMAD_ALLOC_DIR = image ? '/alloc' : input.dirs.allocDir;
  env.NOMAD_TASK_DIR = image ? '/local' : input.dirs.localDir;
  env.NOMAD_SECRETS_DIR = image ? '/secrets' : input.dirs.secretsDir;
  env.NOMAD_MEMORY_LIMIT = String(task.resources.memoryMB);
  if (task.resources.memoryMaxMB > 0) env.NOMAD_MEMORY_MAX_LIMIT = String(task.resources.memoryMaxMB);
  env.NOMAD_CPU_LIMIT = String(task.resources.cpu);
  if (task.resources.cores > 0) env.NOMAD_CPU_CORES = String(task.resources.cores);
  env.NOMAD_ALLOC_ID = input.allocId;
  env.NOMAD_SHORT_ALLOC_ID = input.allocId.slice(0, 8);
  env.NOMAD_ALLOC_NAME = allocName(job.id, group.name, input.allocIndex);
  env.NOMAD_ALLOC_INDEX = String(input.allocIndex);
  env.NOMAD_TASK_NAME = task.name;
  env.NOMAD_GROUP_NAME = group.name;
  env.NOMAD_JOB_NAME = job.name;
  env.NOMAD_JOB_ID = job.id;
  env.NOMAD_DC = input.datacenter;
  env.NOMAD_REGION = job.region;
  env.NOMAD_NAMESPACE = job.namespace;

  // Task meta wins over group meta, which wins over job meta; each key in both spellings.
  const meta = { ...job.meta, ...group.meta, ...task.meta };
  for (const [k, v] of Object.entries(meta)) {
    env[`NOMAD_META_${envSafe(k)}`] = v;
    env[`NOMAD_META_${envSafe(k).toUpperCase()}`] = v;
  }

  for (const p of input.ports) {
    const label = envSafe(p.label);
    env[`NOMAD_IP_${label}`] = p.ip;
    env[`NOMAD_PORT_${label}`] = String(p.to);
    env[`NOMAD_ADDR_${label}`] = joinHostPort(p.ip, p.to);
    env[`NOMAD_HOST_IP_${label}`] = p.ip;
    env[`NOMAD_HOST_PORT_${label}`] = String(p.value);
    env[`NOMAD_HOST_ADDR_${label}`] = joinHostPort(p.ip, p.value);
    env[`NOMAD_ALLOC_PORT_${label}`] = String(p.to);
  }

  // The env block sees the NOMAD_* values above, not its own entries, and may override them.
  const ctx = { env: { ...env }, node: input.nodeVars };
  for (const [k, v] of Object.entries(task.env)) env[interpolateString(k, ctx)] = interpolateString(v, ctx);
  return env;
}

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
