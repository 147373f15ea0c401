/**
 * Nomad's CLI layouts: `Key = Value` blocks with aligned equals signs, and tables whose
 * columns are separated by two spaces. Times are ISO-8601 (Nomad ≥ 0.8).
 */

export function formatKV(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)} = ${v}`).join('\n') + '\n';
}

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** `2024-05-02T10:14:03Z` (UTC, second precision, as Nomad's formatTime prints). */
export function formatTime(ms: number | null): string {
  if (ms === null) return 'N/A';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `2m10s ago`, as Nomad's prettyTimeDiff: the two largest units. */
export function formatAgo(ms: number, now: number): string {
  let s = Math.max(0, Math.round((now - ms) / 1000));
  if (s === 0) return 'now';
  const units: [string, number][] = [
    ['y', 365 * 86400],
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  for (const [u, size] of units) {
    if (s >= size) {
      const n = Math.floor(s / size);
      s -= n * size;
      parts.push(`${n}${u}`);
      if (parts.length === 2) break;
    } else if (parts.length > 0) {
      break;
    }
  }
  return `${parts.join('')} ago`;
}

/** Nomad shows IDs truncated to 8 characters unless -verbose. */
export function shortId(id: string, verbose = false): string {
  return verbose ? id : id.slice(0, 8);
}

export const MS_TO_NS = 1_000_000;
