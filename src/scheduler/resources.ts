import type { Group } from '../jobspec/types.js';
import type { NodeInfo } from '../node/types.js';
import type { AllocResources, ExistingAlloc } from './types.js';

const MIB = 1024 * 1024;

/** What one alloc of the group needs: its tasks' cpu and memory, the group's ephemeral disk. */
export function groupAsk(group: Group): AllocResources {
  let cpu = 0;
  let memoryMB = 0;
  for (const t of group.tasks) {
    cpu += t.resources.cpu;
    memoryMB += t.resources.memoryMB;
  }
  return { cpu, memoryMB, diskMB: group.ephemeralDisk.sizeMB };
}

/**
 * What the node offers jobs: cpu.totalcompute less reserved cpu; memory.totalbytes in MiB
 * less reserved memory; unique.storage.bytesfree in MiB. A missing attribute offers 0, so a
 * failed fingerprint shows up as an exhausted dimension rather than as room.
 */
export function nodeCapacity(node: NodeInfo): AllocResources {
  const attr = (k: string): number => {
    const n = Number(node.attributes[k]);
    return Number.isFinite(n) && n > 0 ? n : 0;
  };
  return {
    cpu: Math.max(0, attr('cpu.totalcompute') - node.reserved.cpu),
    memoryMB: Math.max(0, Math.floor(attr('memory.totalbytes') / MIB) - node.reserved.memoryMB),
    diskMB: Math.floor(attr('unique.storage.bytesfree') / MIB),
  };
}

export function sumResources(allocs: readonly ExistingAlloc[]): AllocResources {
  let cpu = 0;
  let memoryMB = 0;
  let diskMB = 0;
  for (const a of allocs) {
    cpu += a.resources.cpu;
    memoryMB += a.resources.memoryMB;
    diskMB += a.resources.diskMB;
  }
  return { cpu, memoryMB, diskMB };
}

export function addResources(a: AllocResources, b: AllocResources): AllocResources {
  return { cpu: a.cpu + b.cpu, memoryMB: a.memoryMB + b.memoryMB, diskMB: a.diskMB + b.diskMB };
}

/** The first dimension the ask does not fit in, in Nomad's order and names; null if it fits. */
export function exhaustedDimension(
  capacity: AllocResources,
  used: AllocResources,
  ask: AllocResources,
): 'cpu' | 'memory' | 'disk' | null {
  if (used.cpu + ask.cpu > capacity.cpu) return 'cpu';
  if (used.memoryMB + ask.memoryMB > capacity.memoryMB) return 'memory';
  if (used.diskMB + ask.diskMB > capacity.diskMB) return 'disk';
  return null;
}
