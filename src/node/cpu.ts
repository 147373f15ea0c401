import type { FingerprintContext } from './context.js';
import { readOptional } from './context.js';
import { cpuinfoMHz, modelName, parseCpuinfo } from './cpuinfo.js';
import { BivouacError } from '../util/errors.js';

/** Used when no source gives a frequency, so cpu.totalcompute is never a silent zero. */
export const FALLBACK_CPU_MHZ = 1000;

export type FrequencySource = 'config' | 'cpufreq' | 'cpuinfo' | 'fallback';

// Node's process.arch names to Go's GOARCH names, which Nomad's cpu.arch uses.
const GO_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  ia32: '386',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

export function goArch(nodeArch: string): string {
  return GO_ARCH[nodeArch] ?? nodeArch;
}

/**
 * cpu.arch, cpu.modelname, cpu.numcores, cpu.frequency (MHz), cpu.totalcompute and
 * cpu.frequency.source. The frequency comes from, in order: the operator's `cpu.frequency`
 * override; cpufreq's cpuinfo_max_freq for cpu0; the highest "cpu MHz" in /proc/cpuinfo;
 * else FALLBACK_CPU_MHZ with a warning. Many VMs have no cpufreq and some arm kernels print
 * no MHz, so the source is recorded as an attribute for `node status -verbose` to show.
 */
export async function fingerprintCpu(ctx: FingerprintContext): Promise<Record<string, string>> {
  const text = await readOptional(ctx.procRoot, 'cpuinfo');
  if (text === null) throw new BivouacError('NOT_FOUND', `no cpuinfo under ${ctx.procRoot}`);
  const entries = parseCpuinfo(text);
  const cores = entries.length;
  if (cores === 0) throw new BivouacError('NOT_FOUND', 'cpuinfo lists no processors');

  const { mhz, source } = await frequency(ctx, cpuinfoMHz(entries));
  if (source === 'fallback') {
    ctx.log.warn({ fallbackMHz: mhz }, 'cpu frequency not detectable; using fallback');
  }
  const attrs: Record<string, string> = {
    'cpu.arch': goArch(ctx.os.arch()),
    'cpu.numcores': String(cores),
    'cpu.frequency': String(mhz),
    'cpu.frequency.source': source,
    'cpu.totalcompute': String(mhz * cores),
  };
  const model = modelName(entries);
  if (model) attrs['cpu.modelname'] = model;
  return attrs;
}

async function frequency(
  ctx: FingerprintContext,
  fromCpuinfo: number | null,
): Promise<{ mhz: number; source: FrequencySource }> {
  const configured = positiveInt(ctx.overrides['cpu.frequency']);
  if (configured !== null) return { mhz: configured, source: 'config' };
  const khz = positiveInt((await readOptional(ctx.sysRoot, 'devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq'))?.trim());
  if (khz !== null) return { mhz: Math.round(khz / 1000), source: 'cpufreq' };
  if (fromCpuinfo !== null) return { mhz: fromCpuinfo, source: 'cpuinfo' };
  return { mhz: FALLBACK_CPU_MHZ, source: 'fallback' };
}

function positiveInt(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  const n = Number(text);
  return n > 0 ? n : null;
}
