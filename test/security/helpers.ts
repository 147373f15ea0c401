import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath } from '../helpers/paths.js';
import type { RunningAgent, Sandbox } from '../helpers/agent.js';

/** The agent exactly as an operator starts it: no --enable-raw-exec unless given, and no inherited BIVOUAC_* settings. */
export function spawnAgent(sb: Sandbox, extraArgs: readonly string[] = [], env: Readonly<Record<string, string>> = {}): RunningAgent & { exited: Promise<number | null> } {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BIVOUAC_')));
  const proc: ChildProcess = spawn(process.execPath, [cliPath, 'agent', '--jobs', sb.jobsDir, '--data-dir', sb.dataDir, '--log-level', 'debug', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...base, ...env },
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    exited,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** uid of a live process, from /proc/<pid>/status (real uid). */
export function procUid(pid: number): number {
  const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no Uid line for pid ${pid}`);
  return Number(m[1]);
}

/** A user's uid from /etc/passwd. */
export function passwdUid(user: string): number | null {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === user) return Number(f[2]);
  }
  return null;
}

/** Every path under dir (not following symlinks) with its size and mtime: a before/after picture. */
export function treeState(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      // Gone or unreadable: nothing below it to compare.
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      try {
        const st = lstatSync(p);
        out.set(p, `${st.mode.toString(8)} ${st.isDirectory() ? '-' : st.size} ${st.isDirectory() ? '-' : st.mtimeMs}`);
        if (st.isDirectory()) walk(p);
      } catch {
        // Vanished between the listing and the stat.
      }
    }
  };
  walk(dir);
  return out;
}

export const passCount = (a: RunningAgent): number => a.output().split('"msg":"pass complete"').length - 1;
