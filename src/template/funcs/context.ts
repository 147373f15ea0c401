/**
 * The functions that read the outside world, built from what the caller hands in: an
 * environment map for `env` (and mustEnv, envOrDefault) and a base directory plus a read
 * function for `file`. Which environment and which files are visible is the caller's call.
 */
import { isAbsolute, resolve } from 'node:path';
import { funcError } from '../errors.js';
import { trimSpace } from './strings.js';

export type EnvMap = Readonly<Record<string, string>>;

export function envFunc(env: EnvMap): (name: string) => string {
  return (name) => (Object.hasOwn(env, name) ? env[name] : '');
}

export function mustEnvFunc(env: EnvMap): (name: string) => string {
  return (name) => {
    const v = Object.hasOwn(env, name) ? env[name] : '';
    if (v === '') throw funcError(`required environment variable ${name} is empty`);
    return v;
  };
}

export function envOrDefaultFunc(env: EnvMap): (name: string, def: string) => string {
  return (name, def) => (Object.hasOwn(env, name) ? env[name] : def);
}

export interface FileAccess {
  /** Relative paths given to `file` resolve against this directory. */
  readonly baseDir: string;
  /** Reads an absolute path; throws to refuse or when the file cannot be read. */
  readonly readFile: (absPath: string) => string;
}

/** `file PATH`: the file's contents; an empty path gives "" (consul-template's rule). */
export function fileFunc(access: FileAccess): (path: string) => string {
  return (path) => {
    if (path === '') return '';
    const p = trimSpace(path);
    const abs = isAbsolute(p) ? resolve(p) : resolve(access.baseDir, p);
    try {
      return access.readFile(abs);
    } catch (e) {
      throw funcError(`file ${JSON.stringify(p)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
}
