/**
 * Nomad's CLI layouts (columnize as Nomad configures it): `Key = Value` blocks with aligned
 * equals signs, and tables whose columns are separated by two spaces, the last column not
 * padded. An empty value or cell reads `<none>`, as Nomad's formatKV and formatList print it.
 * Times are ISO-8601 (Nomad ≥ 0.8).
 */

const EMPTY = '<none>';

export function formatKV(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)} = ${v.trim() === '' ? EMPTY : v.trim()}`).join('\n') + '\n';
}

export interface TableOptions {
  /** Nomad's formatListWithSpaces (alloc status Task Resources): an empty cell stays empty. */
  readonly keepEmpty?: boolean;
}

/**
 * Built as one list of parts joined once: the cells themselves and cached runs of spaces, no
 * padded copy of each cell nor a string per line. `status` lays out 1,000 rows cold, in V8's
 * interpreter: every short-lived object (a for-of step, a trim's copy) counts towards the
 * young generation's scavenges, and a small function called per cell is soon handed to the
 * optimizing compiler, whose background job the process then waits for at exit (~3 ms). So:
 * plain loops in this one function, and a cell is trimmed only if it needs it.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  const n = header.length;
  const keepEmpty = opts.keepEmpty === true;
  const all: (readonly (string | undefined)[])[] = [header, ...rows];
  // Each cell as printed, column by column; then the widths, then the parts.
  const cells: string[] = new Array<string>(all.length * n);
  const widths: number[] = new Array<number>(n).fill(0);
  for (let j = 0, k = 0; j < all.length; j++) {
    const r = all[j];
    for (let i = 0; i < n; i++, k++) {
      let c = r[i];
      if (c === undefined || c === '') {
        c = keepEmpty ? '' : EMPTY;
      } else {
        // Printable ASCII at both ends: nothing to trim (trim() would copy the string).
        const first = c.charCodeAt(0);
        const last = c.charCodeAt(c.length - 1);
        if (first <= 32 || first >= 127 || last <= 32 || last >= 127) c = trimCell(c, keepEmpty);
      }
      cells[k] = c;
      if (c.length > widths[i]) widths[i] = c.length;
    }
  }
  const parts: string[] = new Array<string>(cells.length * 2);
  for (let k = 0, p = 0; k < cells.length; k++) {
    const c = cells[k];
    const i = k % n;
    parts[p++] = c;
    parts[p++] = i === n - 1 ? '\n' : spaces(widths[i] - c.length + 2);
  }
  return parts.join('');
}

/** Nomad's columnize trims every cell; an empty one reads `<none>` unless kept empty. */
function trimCell(c: string, keepEmpty: boolean): string {
  const v = c.trim();
  return v === '' && !keepEmpty ? EMPTY : v;
}

const SPACES: string[] = [];

/** n spaces, each length built once. */
function spaces(n: number): string {
  return (SPACES[n] ??= ' '.repeat(n));
}

/** go-humanize's IBytes, which Nomad uses for memory and disk: `256 MiB`, `1.5 GiB`, `15 GiB`. */
export function formatIBytes(bytes: number): string {
  if (bytes < 10) return `${bytes} B`;
  const sizes = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  const e = Math.min(sizes.length - 1, Math.floor(Math.log(bytes) / Math.log(1024)));
  const val = Math.floor((bytes / 1024 ** e) * 10 + 0.5) / 10;
  return `${val < 10 ? val.toFixed(1) : val.toFixed(0)} ${sizes[e]}`;
}

export const MIB = 1024 * 1024;

/** Go's time.Duration String for nanoseconds: `0s`, `850ns`, `63.938µs`, `1.5ms`, `2m3.5s`. */
export function formatGoDuration(ns: number): string {
  const n = Math.max(0, Math.round(ns));
  const trim = (v: number, digits: number): string => v.toFixed(digits).replace(/\.?0+$/, '');
  if (n === 0) return '0s';
  if (n < 1_000) return `${n}ns`;
  if (n < 1_000_000) return `${trim(n / 1_000, 3)}µs`;
  if (n < 1_000_000_000) return `${trim(n / 1_000_000, 6)}ms`;
  const whole = Math.floor(n / 1_000_000_000);
  const frac = n % 1_000_000_000;
  const secs = `${whole % 60}${frac === 0 ? '' : `.${String(frac).padStart(9, '0').replace(/0+$/, '')}`}s`;
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  if (h > 0) return `${h}h${m}m${secs}`;
  if (m > 0) return `${m}m${secs}`;
  return secs;
}

/** Go's time.Duration String for whole seconds, as Nomad prints Uptime: `39m53s`, `1h0m5s`, `0s`. */
export function formatGoSeconds(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${m}m${sec}s`;
  if (m > 0) return `${m}m${sec}s`;
  return `${sec}s`;
}

/** `2024-05-02T10:14:03Z` (UTC, second precision, as Nomad's formatTime prints). */
export function formatTime(ms: number | null): string {
  if (ms === null) return 'N/A';
  // toISOString always ends in `.sssZ`: cut, not a regex (1,000 rows of a cold `status`).
  return `${new Date(ms).toISOString().slice(0, -5)}Z`;
}

/** `2m10s ago`, as Nomad's prettyTimeDiff: the two largest units. */
export function formatAgo(ms: number, now: number): string {
  let s = Math.max(0, Math.round((now - ms) / 1000));
  if (s === 0) return '0s ago';
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
