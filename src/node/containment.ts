/**
 * Node attributes for task containment. With cgroups: Nomad's `unique.cgroup.mountpoint`
 * and `unique.cgroup.version`. Without: no such attribute (as Nomad, whose cgroup
 * fingerprinter then adds none) and `bivouac.containment` saying it is off and why, so
 * `node status -verbose` shows it.
 */
import type { Attributes } from './types.js';

export interface ContainmentFacts {
  /** Null when tasks run uncontained. */
  readonly layout: { readonly version: string; readonly mountpoint: string } | null;
  readonly reason: string;
}

export function containmentAttributes(c: ContainmentFacts): Attributes {
  if (c.layout === null) return { 'bivouac.containment': `off: ${c.reason}` };
  return {
    'unique.cgroup.mountpoint': c.layout.mountpoint,
    'unique.cgroup.version': c.layout.version,
    'bivouac.containment': 'cgroup',
  };
}
