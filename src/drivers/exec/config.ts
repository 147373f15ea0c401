/** exec's `config` block (Nomad's words: command, args, pid_mode, ipc_mode), decoded at the driver's edge. */
import { BivouacError } from '../../util/errors.js';

export type NamespaceMode = 'private' | 'host';

export interface ExecTaskConfig {
  readonly command: string;
  readonly args: readonly string[];
  /** `private`: the task is pid 1 of its own PID namespace; `host`: it sees the host's pids. */
  readonly pidMode: NamespaceMode;
  readonly ipcMode: NamespaceMode;
}

const KEYS = ['command', 'args', 'pid_mode', 'ipc_mode'];

export function decodeExecConfig(raw: unknown): ExecTaskConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('config must be a block');
  const o = raw as Readonly<Record<string, unknown>>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) throw bad(`unknown config key "${k}" (known: ${KEYS.join(', ')})`);
  if (typeof o.command !== 'string' || o.command === '') throw bad('"command" must be a non-empty string');
  const args = o.args ?? [];
  if (!Array.isArray(args) || !args.every((a): a is string => typeof a === 'string')) throw bad('"args" must be a list of strings');
  return { command: o.command, args, pidMode: mode(o.pid_mode, 'pid_mode'), ipcMode: mode(o.ipc_mode, 'ipc_mode') };
}

function mode(v: unknown, key: string): NamespaceMode {
  // Nomad treats an empty string as the default.
  if (v === undefined || v === '' || v === 'private') return 'private';
  if (v === 'host') return 'host';
  throw bad(`"${key}" must be "private" or "host", got ${JSON.stringify(v)}`);
}

function bad(what: string): BivouacError {
  return new BivouacError('DRIVER_START', `exec: ${what}`, { recoverable: false });
}
