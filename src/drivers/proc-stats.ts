/**
 * A task's resource sample from /proc, for a task with no cgroup: CPU time (utime + stime,
 * fields 14 and 15 of /proc/<pid>/stat, in USER_HZ ticks) and resident memory (statm) summed
 * over its processes. Processes that left the group (daemons) are not seen: that is what the
 * cgroup is for.
 */
import { join } from 'node:path';
import type { TaskResourceSample } from './types.js';
import { cgroupPids, sampleCgroup, sampleFiles, type TaskCgroup } from '../cgroups/index.js';

const USER_HZ_NS = 10_000_000;
const PAGE = 4096;

export function sampleProcesses(procRoot: string, pids: readonly number[], now: number): TaskResourceSample {
  let user = 0;
  let system = 0;
  let rss = 0;
  let seen = 0;
  const files = sampleFiles();
  for (const pid of pids) {
    // Kept open between rounds like the cgroup files; an ended process reads as absent.
    const dir = join(procRoot, String(pid));
    const stat = files.readText(dir, 'stat');
    const statm = stat === null ? null : files.readText(dir, 'statm');
    if (stat === null || statm === null) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    user += Number(f[11]) || 0;
    system += Number(f[12]) || 0;
    rss += (Number(statm.split(' ')[1]) || 0) * PAGE;
    seen++;
  }
  return {
    timestamp: now,
    cpu: { totalNs: (user + system) * USER_HZ_NS, userNs: user * USER_HZ_NS, systemNs: system * USER_HZ_NS },
    memory: { rss, cache: 0, swap: 0, usage: rss, maxUsage: 0 },
    source: 'proc',
    pids: seen,
  };
}

/**
 * The sample of a task: from its cgroup when it has one (memory from /proc of the cgroup's
 * processes where no memory controller covers it), else from /proc of `pids()`.
 */
export function sampleTask(procRoot: string, cgroup: TaskCgroup | null, pids: () => readonly number[], now: number): TaskResourceSample {
  if (cgroup === null) return sampleProcesses(procRoot, pids(), now);
  const s = sampleCgroup(cgroup);
  // cgroup.procs is read only where /proc must stand in for a missing controller: the count
  // of processes is read by nothing else (the API's Pids is null), and listing every task's
  // cgroup each round was the largest share of the idle sampler's work.
  if (s.cpu !== null && s.memory !== null) return { timestamp: now, cpu: s.cpu, memory: s.memory, source: 'cgroup', pids: null };
  const members = cgroupPids(cgroup);
  const fallback = sampleProcesses(procRoot, members, now);
  return { timestamp: now, cpu: s.cpu ?? fallback.cpu, memory: s.memory ?? fallback.memory, source: 'cgroup', pids: members.length };
}
