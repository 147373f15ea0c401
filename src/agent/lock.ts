import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isSameProcess, readBootId, readProcStat } from '../drivers/proc.js';
import { BivouacError } from '../util/errors.js';

/**
 * One agent per data dir: two would each believe they own the tasks and start them twice.
 * The lock file names the holder by pid, process start time and boot id, so a lock left by
 * a killed agent (or a pid reused since) is recognised as stale and taken over.
 */
export function acquireAgentLock(dataDir: string, procRoot = '/proc'): () => void {
  const path = join(dataDir, 'agent.lock');
  const me = readProcStat(procRoot, process.pid);
  const bootId = readBootId(procRoot);
  const body = JSON.stringify({ pid: process.pid, startTime: me?.startTime ?? 0, bootId });
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, body);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(path);
    if (holder && holder.pid !== process.pid && isSameProcess(procRoot, holder.pid, holder.startTime, holder.bootId)) {
      throw new BivouacError('CONFIG', `another agent (pid ${holder.pid}) is running on data dir ${dataDir}; stop it first`);
    }
    rmSync(path, { force: true });
  }
  throw new BivouacError('CONFIG', `cannot take the agent lock ${path}`);
}

function readHolder(path: string): { pid: number; startTime: number; bootId: string } | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; startTime?: unknown; bootId?: unknown };
    if (typeof v.pid === 'number' && typeof v.startTime === 'number' && typeof v.bootId === 'string') return { pid: v.pid, startTime: v.startTime, bootId: v.bootId };
    return null;
  } catch {
    // Unreadable or half-written: a crash mid-write. Treated as stale.
    return null;
  }
}
