/** One processor's `key: value` lines from /proc/cpuinfo. */
export type CpuEntry = Readonly<Record<string, string>>;

/** Splits /proc/cpuinfo into one entry per processor (blank lines separate them). */
export function parseCpuinfo(text: string): readonly CpuEntry[] {
  const out: Record<string, string>[] = [];
  let cur: Record<string, string> | null = null;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (line.trim() === '' || colon < 0) {
      if (line.trim() === '') cur = null;
      continue;
    }
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === 'processor' || cur === null) {
      cur = {};
      out.push(cur);
    }
    cur[key] = value;
  }
  return out.filter((e) => e.processor !== undefined);
}

// arm64 kernels print no model name, only implementer and part numbers. These are the
// Arm Ltd (0x41) parts most often met on servers and boards; others stay unnamed.
const ARM_PARTS: Readonly<Record<string, string>> = {
  '0xd03': 'Cortex-A53',
  '0xd04': 'Cortex-A35',
  '0xd05': 'Cortex-A55',
  '0xd07': 'Cortex-A57',
  '0xd08': 'Cortex-A72',
  '0xd09': 'Cortex-A73',
  '0xd0a': 'Cortex-A75',
  '0xd0b': 'Cortex-A76',
  '0xd0c': 'Neoverse-N1',
  '0xd40': 'Neoverse-V1',
  '0xd41': 'Cortex-A78',
  '0xd49': 'Neoverse-N2',
  '0xd4f': 'Neoverse-V2',
};

export function modelName(entries: readonly CpuEntry[]): string | null {
  const first = entries[0];
  if (!first) return null;
  const named = first['model name'] ?? first['cpu model'];
  if (named) return named;
  if (first['CPU implementer'] === '0x41') {
    const part = ARM_PARTS[first['CPU part']?.toLowerCase() ?? ''];
    if (part) return part;
  }
  return first['Hardware'] ?? null;
}

/** The highest "cpu MHz" any processor reports, rounded; null when none does (arm, many VMs). */
export function cpuinfoMHz(entries: readonly CpuEntry[]): number | null {
  let best = 0;
  for (const e of entries) {
    const mhz = Number(e['cpu MHz']);
    if (Number.isFinite(mhz) && mhz > best) best = mhz;
  }
  return best > 0 ? Math.round(best) : null;
}
