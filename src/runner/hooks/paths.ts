/**
 * `${…}` in template and artifact fields, and where the result lands. Paths are relative to
 * the task dir as in Nomad, so the dir variables are given in that form (NOMAD_TASK_DIR =
 * `local`, NOMAD_SECRETS_DIR = `secrets`, NOMAD_ALLOC_DIR = `../alloc`): a destination written
 * as `${NOMAD_SECRETS_DIR}/x` means the task's secrets dir whatever the driver shows the task.
 */
import { dirname } from 'node:path';
import type { TaskConfig } from '../../drivers/types.js';
import { interpolateString } from '../interpolate.js';

export interface PathContext {
  readonly cfg: TaskConfig;
  readonly nodeVars: Readonly<Record<string, string>>;
}

/** `${NOMAD_*}`, `${attr.*}`, `${meta.*}` … in a value (a URL, a header, an option). */
export function fillValue(text: string, ctx: PathContext): string {
  return interpolateString(text, { env: ctx.cfg.env, node: ctx.nodeVars });
}

/** The same, for a path relative to the task dir. */
export function fillPath(text: string, ctx: PathContext): string {
  const env = { ...ctx.cfg.env, NOMAD_TASK_DIR: 'local', NOMAD_SECRETS_DIR: 'secrets', NOMAD_ALLOC_DIR: '../alloc' };
  return interpolateString(text, { env, node: ctx.nodeVars });
}

/** The allocation's root dir (parent of the task dirs and of the shared alloc/ dir): agent-owned, not task-writable. */
export function allocRoot(cfg: TaskConfig): string {
  return dirname(cfg.dirs.allocDir);
}
