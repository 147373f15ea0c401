import type { Group, NetworkResource } from '../jobspec/types.js';
import type { Rand } from '../util/clock.js';
import type { PlacedPort } from './types.js';

export interface PortAsk {
  readonly label: string;
  /** 0 for a dynamic port. */
  readonly value: number;
  readonly to: number;
  readonly task: string | null;
}

/** Every port the group asks for: its own networks' first, then each task's. */
export function portAsks(group: Group): readonly PortAsk[] {
  const out: PortAsk[] = [];
  const add = (nets: readonly NetworkResource[], task: string | null): void => {
    for (const n of nets) {
      for (const p of n.reservedPorts) out.push({ label: p.label, value: p.value, to: p.to, task });
      for (const p of n.dynamicPorts) out.push({ label: p.label, value: 0, to: p.to, task });
    }
  };
  add(group.networks, null);
  for (const t of group.tasks) add(t.resources.networks, t.name);
  return out;
}

export type PortResult =
  | { readonly ok: true; readonly ports: readonly PlacedPort[] }
  | { readonly ok: false; readonly dimension: string };

// Random probes before falling back to a scan; a scan finds a free port whenever one exists.
const RANDOM_ATTEMPTS = 20;

/**
 * Static ports must not be `busy` (in use on the host or claimed by a live alloc) nor asked
 * twice; dynamic ports are drawn from `range` with `rand`, so the same rand gives the same
 * ports. Errors are Nomad's dimension names: `network: reserved port collision http=8080`,
 * `network: dynamic port selection failed`.
 */
export function assignPorts(
  asks: readonly PortAsk[],
  busy: (port: number) => boolean,
  range: { readonly min: number; readonly max: number },
  rand: Rand,
): PortResult {
  const taken = new Set<number>();
  for (const a of asks) {
    if (a.value === 0) continue;
    if (busy(a.value) || taken.has(a.value)) {
      return { ok: false, dimension: `network: reserved port collision ${a.label}=${a.value}` };
    }
    taken.add(a.value);
  }
  const free = (p: number): boolean => !busy(p) && !taken.has(p);
  const ports: PlacedPort[] = [];
  for (const a of asks) {
    let value = a.value;
    if (value === 0) {
      const picked = pickDynamic(free, range, rand);
      if (picked === null) return { ok: false, dimension: 'network: dynamic port selection failed' };
      taken.add(picked);
      value = picked;
    }
    ports.push({ label: a.label, value, to: a.to === 0 ? value : a.to, task: a.task });
  }
  return { ok: true, ports };
}

function pickDynamic(
  free: (p: number) => boolean,
  range: { readonly min: number; readonly max: number },
  rand: Rand,
): number | null {
  const span = range.max - range.min + 1;
  for (let i = 0; i < RANDOM_ATTEMPTS; i++) {
    const p = range.min + Math.floor(rand() * span);
    if (free(p)) return p;
  }
  const candidates: number[] = [];
  for (let p = range.min; p <= range.max; p++) if (free(p)) candidates.push(p);
  if (candidates.length === 0) return null;
  return candidates[Math.floor(rand() * candidates.length)];
}
