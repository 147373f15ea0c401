/** Reading and writing cgroup control files; a vanished cgroup reads as absent, not as an error. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function readText(dir: string, file: string): string | null {
  try {
    return readFileSync(join(dir, file), 'utf8');
  } catch (e) {
    if (isAbsent(e)) return null;
    throw e;
  }
}

/**
 * `key value` lines (memory.stat, cpu.stat, memory.events, memory.oom_control), as the kernel
 * writes them: one space between. Cut at the spaces, not split by a regex: the stats sampler
 * reads these for every task every round.
 */
export function readKeyed(dir: string, file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of (readText(dir, file) ?? '').split('\n')) {
    const line = raw.trim();
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const end = line.indexOf(' ', sp + 1);
    const v = line.slice(sp + 1, end === -1 ? line.length : end);
    const n = Number(v);
    if (v !== '' && Number.isFinite(n)) out.set(line.slice(0, sp), n);
  }
  return out;
}

export function writeText(dir: string, file: string, value: string): void {
  // A control file takes one write; the kernel parses it whole.
  writeFileSync(join(dir, file), value);
}

/** Pids in a cgroup (cgroup.procs); empty when the cgroup is gone. */
export function readPids(dir: string): number[] {
  const t = readText(dir, 'cgroup.procs');
  if (t === null) return [];
  return t
    .split('\n')
    .filter((l) => l !== '')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

export function isAbsent(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENODEV' || code === 'ESRCH';
}
