/**
 * The host figures `node status` prints (Uptime, Host Resource Utilization), read as Nomad's
 * host stats collector reads them: /proc/uptime, /proc/stat (CPU busy share over a short
 * window, times the node's total MHz), /proc/meminfo (used = total - available) and statfs
 * of the data dir's filesystem. The parsers are pure; `sampleHostStats` does the reads.
 */
import { readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';

export interface HostStats {
  readonly uptimeSeconds: number;
  /** MHz in use across all cores: Nomad's CPUTicksConsumed. */
  readonly cpuTicksConsumed: number;
  readonly memoryTotalBytes: number;
  readonly memoryUsedBytes: number;
  readonly diskSizeBytes: number;
  readonly diskUsedBytes: number;
}

export interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

/** The aggregate `cpu` line of /proc/stat; iowait and idle count as not busy, steal as busy. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 4 || f.some((n) => !Number.isFinite(n))) return null;
  // user nice system idle iowait irq softirq steal (guest is already inside user).
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = f[3] + (f[4] ?? 0);
  return { busy: total - idle, total };
}

/** Busy share between two samples, 0..1. */
export function busyShare(a: CpuTimes, b: CpuTimes): number {
  const dt = b.total - a.total;
  if (dt <= 0) return 0;
  return Math.min(1, Math.max(0, (b.busy - a.busy) / dt));
}

export function parseMeminfo(text: string): { total: number; used: number } | null {
  const kb = (key: string): number | null => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  const total = kb('MemTotal');
  const avail = kb('MemAvailable') ?? kb('MemFree');
  if (total === null || avail === null) return null;
  return { total, used: Math.max(0, total - avail) };
}

export function parseUptime(text: string): number | null {
  const m = /^(\d+)(\.\d+)?\s/.exec(text.trimStart() + ' ');
  return m ? Number(m[1]) : null;
}

export interface SampleInput {
  readonly procRoot: string;
  /** A path on the filesystem whose use is reported (the data dir, as Nomad's alloc dir). */
  readonly diskPath: string;
  /** The node's total CPU, MHz (`cpu.totalcompute`). */
  readonly totalMhz: number;
  /** How long to watch /proc/stat for the CPU share. */
  readonly windowMs: number;
}

/** null when /proc cannot be read: the caller prints Nomad's `error fetching node stats`. */
export async function sampleHostStats(input: SampleInput): Promise<HostStats | null> {
  const read = (name: string): string | null => {
    try {
      return readFileSync(join(input.procRoot, name), 'utf8');
    } catch {
      // A missing /proc file is reported by the caller as missing stats, not as an error.
      return null;
    }
  };
  const cpuText = read('stat');
  const first = cpuText === null ? null : parseProcStat(cpuText);
  const mem = parseMeminfo(read('meminfo') ?? '');
  const uptime = parseUptime(read('uptime') ?? '');
  if (first === null || mem === null || uptime === null) return null;
  await new Promise((r) => setTimeout(r, input.windowMs));
  const second = parseProcStat(read('stat') ?? '') ?? first;
  let diskSize = 0;
  let diskUsed = 0;
  try {
    const st = await statfs(input.diskPath);
    diskSize = st.blocks * st.bsize;
    diskUsed = (st.blocks - st.bfree) * st.bsize;
  } catch {
    // No data dir yet (a live fingerprint): the disk column reads 0 B of 0 B.
  }
  return {
    uptimeSeconds: uptime,
    cpuTicksConsumed: busyShare(first, second) * input.totalMhz,
    memoryTotalBytes: mem.total,
    memoryUsedBytes: mem.used,
    diskSizeBytes: diskSize,
    diskUsedBytes: diskUsed,
  };
}
