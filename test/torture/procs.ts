import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One live process that carries a BIVOUAC_TASK_ID marker. */
export interface MarkedProcess {
  readonly pid: number;
  readonly pgid: number;
  /** `<allocId>.<attempt>.<task>` */
  readonly marker: string;
  readonly allocId: string;
  readonly attempt: number;
  readonly task: string;
}

const KEY = Buffer.from('BIVOUAC_TASK_ID=');

/** The allocation IDs that have a directory under this data dir: the only ones a harness may look at or kill. */
export function allocDirs(dataDir: string): Set<string> {
  try {
    return new Set(readdirSync(join(dataDir, 'alloc')));
  } catch {
    // No alloc dir yet: no allocation of ours has been set up.
    return new Set();
  }
}

/** Splits a marker; the task name may itself contain dots, the alloc ID and attempt do not. */
export function parseMarker(marker: string): { allocId: string; attempt: number; task: string } | null {
  const m = /^([^.]+)\.(\d+)\.(.+)$/s.exec(marker);
  return m ? { allocId: m[1], attempt: Number(m[2]), task: m[3] } : null;
}

/** Live (non-zombie) marked processes whose allocation is one of `allocs`. */
export function markedProcesses(allocs: ReadonlySet<string>): MarkedProcess[] {
  const out: MarkedProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z' || rest[0] === 'X') continue;
      const env = readFileSync(`/proc/${name}/environ`);
      const at = env.indexOf(KEY);
      if (at < 0) continue;
      const end = env.indexOf(0, at);
      const marker = env.subarray(at + KEY.length, end < 0 ? env.length : end).toString('utf8');
      const p = parseMarker(marker);
      if (!p || !allocs.has(p.allocId)) continue;
      out.push({ pid: Number(name), pgid: Number(rest[2]), marker, ...p });
    } catch {
      // The process ended between the listing and the read: not live.
    }
  }
  return out;
}

/** SIGKILLs the given processes (the harness's own tasks only). */
export function killAll(procs: readonly MarkedProcess[]): void {
  for (const p of procs) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
