/**
 * `bivouac node status` in Nomad 1.0's layouts (command/node_status.go): without an ID the
 * node list; with `-self` or an ID the detail view (header with Uptime, host volumes and
 * driver status, Node Events, Allocated Resources, Allocation/Host Resource Utilization,
 * Allocations, and with -verbose the Drivers table, Attributes and Meta); and `--json` in
 * the shape of Nomad's node API. Pure: the caller reads the rows and samples the host.
 */
import type { NodeInfo } from '../node/types.js';
import type { AllocRecord, NodeStatus } from '../state/index.js';
import { formatAgo, formatGoSeconds, formatIBytes, formatKV, formatTable, formatTime, MIB, shortId } from '../cli/format.js';
import type { HostStats } from '../cli/host-stats.js';
import { nodeCapacity } from '../scheduler/resources.js';

export interface NodeEventView {
  readonly time: number;
  readonly subsystem: string;
  readonly message: string;
  readonly details: string;
}

export interface NodeView {
  readonly node: NodeInfo;
  readonly status: NodeStatus;
  /** When the node row was last written (ms); for a live fingerprint, now. */
  readonly updatedAt: number;
  /** Newest first, as `listNodeEvents` returns them. */
  readonly events: readonly NodeEventView[];
  /** Every allocation on the node, any status. */
  readonly allocs: readonly AllocRecord[];
}

/** What only the detail view needs: measured now, not stored. */
export interface NodeDetailExtras {
  /** null: Nomad's `error fetching node stats` and no Uptime line. */
  readonly host: HostStats | null;
  /** Summed usage of the running allocations; null hides the section, as Nomad does when alloc stats fail. */
  readonly allocUsage: { readonly cpuMhz: number; readonly memoryBytes: number } | null;
  readonly now: number;
}

export interface NodeRenderOptions {
  readonly verbose: boolean;
  readonly short: boolean;
}

/** Nomad 1.0's node list (`nomad node status` with no ID). */
export function renderNodeList(v: NodeView, verbose: boolean, version: string): string {
  const head = ['ID', 'DC', 'Name', 'Class', ...(verbose ? ['Address', 'Version'] : []), 'Drain', 'Eligibility', 'Status'];
  const n = v.node;
  const row = [shortId(n.id, verbose), n.datacenter, n.name, n.nodeClass, ...(verbose ? [n.attributes['unique.network.ip-address'] ?? '', version] : []), 'false', 'eligible', v.status];
  return formatTable(head, [row]);
}

/** Nomad's driver summary: detected drivers, the unhealthy ones marked, sorted. */
function driverStatus(node: NodeInfo): string {
  return Object.values(node.drivers)
    .filter((d) => d.detected)
    .map((d) => (d.healthy ? d.name : `${d.name} (unhealthy)`))
    .sort()
    .join(',');
}

/** Nomad's nodeDrivers (for -short): `driver.<name> = 1` attributes, sorted. */
function attrDrivers(node: NodeInfo): string {
  return Object.entries(node.attributes)
    .filter(([k, v]) => /^driver\.[^.]+$/.test(k) && v === '1')
    .map(([k]) => k.slice('driver.'.length))
    .sort()
    .join(',');
}

/** The detail view of Nomad 1.0's `node status <id>` / `-self` (command/node_status.go formatNode). */
export function renderNodeStatus(v: NodeView, x: NodeDetailExtras, opts: NodeRenderOptions): string {
  const { node } = v;
  const header: [string, string][] = [
    ['ID', node.id],
    ['Name', node.name],
    ['Class', node.nodeClass],
    ['DC', node.datacenter],
    ['Drain', 'false'],
    ['Eligibility', 'eligible'],
    ['Status', v.status],
    ['CSI Controllers', ''],
    ['CSI Drivers', ''],
  ];
  if (opts.short) {
    header.push(['Host Volumes', ''], ['CSI Volumes', ''], ['Drivers', attrDrivers(node)]);
    return formatKV(header) + allocations(v, x.now, opts.verbose);
  }
  let out = '';
  if (x.host === null) out += '\nerror fetching node stats: host statistics not available\n';
  else header.push(['Uptime', formatGoSeconds(x.host.uptimeSeconds)]);
  if (!opts.verbose) header.push(['Host Volumes', ''], ['CSI Volumes', ''], ['Driver Status', driverStatus(node)]);
  out += formatKV(header);
  if (opts.verbose) out += drivers(node);
  out += events(v.events, opts.verbose);
  out += allocated(v);
  const total = nodeCapacity(node);
  if (x.allocUsage !== null) {
    const u = x.allocUsage;
    const row = [`${Math.floor(u.cpuMhz)}/${total.cpu} MHz`, `${formatIBytes(u.memoryBytes)}/${formatIBytes(total.memoryMB * MIB)}`];
    out += '\nAllocation Resource Utilization\n' + formatTable(['CPU', 'Memory'], [row]);
  }
  if (x.host !== null) {
    const h = x.host;
    const row = [
      `${Math.floor(h.cpuTicksConsumed)}/${attrNumber(node, 'cpu.totalcompute')} MHz`,
      `${formatIBytes(h.memoryUsedBytes)}/${formatIBytes(h.memoryTotalBytes)}`,
      `${formatIBytes(h.diskUsedBytes)}/${formatIBytes(h.diskSizeBytes)}`,
    ];
    out += '\nHost Resource Utilization\n' + formatTable(['CPU', 'Memory', 'Disk'], [row]);
  }
  out += allocations(v, x.now, opts.verbose);
  if (opts.verbose) {
    out += '\nAttributes\n' + kvOrNone(node.attributes);
    out += '\nMeta\n' + kvOrNone(node.meta);
  }
  return out;
}

function kvOrNone(m: Readonly<Record<string, string>>): string {
  const keys = Object.keys(m).sort();
  return keys.length === 0 ? '<none>\n' : formatKV(keys.map((k) => [k, m[k]]));
}

function drivers(node: NodeInfo): string {
  const list = Object.values(node.drivers).sort((a, b) => a.name.localeCompare(b.name));
  const rows = list.map((d) => [d.name, String(d.detected), String(d.healthy), d.message, formatTime(Date.parse(d.updatedAt))]);
  return '\nDrivers\n' + formatTable(['Driver', 'Detected', 'Healthy', 'Message', 'Time'], rows);
}

/** Nomad prints the Details column only with -verbose; newest event first. */
function events(list: readonly NodeEventView[], verbose: boolean): string {
  const head = verbose ? ['Time', 'Subsystem', 'Message', 'Details'] : ['Time', 'Subsystem', 'Message'];
  const rows = list.map((e) => {
    const base = [formatTime(e.time), e.subsystem, e.message];
    return verbose ? [...base, e.details] : base;
  });
  return '\nNode Events\n' + formatTable(head, rows);
}

/** Nomad sums the allocations whose client status is running. */
function allocated(v: NodeView): string {
  const total = nodeCapacity(v.node);
  let cpu = 0;
  let mem = 0;
  let disk = 0;
  for (const a of v.allocs.filter((a) => a.clientStatus === 'running')) {
    cpu += a.resources.cpu;
    mem += a.resources.memoryMB;
    disk += a.resources.diskMB;
  }
  const row = [
    `${cpu}/${total.cpu} MHz`,
    `${formatIBytes(mem * MIB)}/${formatIBytes(total.memoryMB * MIB)}`,
    `${formatIBytes(disk * MIB)}/${formatIBytes(total.diskMB * MIB)}`,
  ];
  return '\nAllocated Resources\n' + formatTable(['CPU', 'Memory', 'Disk'], [row]);
}

/**
 * Nomad 1.0's formatAllocList, newest allocation first. bivouac makes no evaluations, so the
 * verbose Eval ID column reads `<none>`.
 */
function allocations(v: NodeView, now: number, verbose: boolean): string {
  if (v.allocs.length === 0) return '\nAllocations\nNo allocations placed\n';
  const sorted = [...v.allocs].sort((a, b) => b.createTime - a.createTime || a.id.localeCompare(b.id));
  const when = (ms: number): string => (verbose ? formatTime(ms) : formatAgo(ms, now));
  const rows = sorted.map((a) => [
    shortId(a.id, verbose),
    ...(verbose ? [''] : []),
    shortId(v.node.id, verbose),
    a.taskGroup,
    String(a.jobVersion),
    a.desiredStatus,
    a.clientStatus,
    when(a.createTime),
    when(a.modifyTime),
  ]);
  const head = ['ID', ...(verbose ? ['Eval ID'] : []), 'Node ID', 'Task Group', 'Version', 'Desired', 'Status', 'Created', 'Modified'];
  return '\nAllocations\n' + formatTable(head, rows);
}

/** A driver as Nomad's API reports it under `Node.Drivers`. */
export interface ApiDriverInfo {
  readonly Attributes: Readonly<Record<string, string>>;
  readonly Detected: boolean;
  readonly Healthy: boolean;
  readonly HealthDescription: string;
  readonly UpdateTime: string;
}

export interface ApiNodeEvent {
  readonly Message: string;
  readonly Subsystem: string;
  readonly Details: Readonly<Record<string, string>> | null;
  readonly Timestamp: string;
}

/** The fields of Nomad's `/v1/node/:id` that bivouac can fill honestly. */
export interface ApiNode {
  readonly ID: string;
  readonly Name: string;
  readonly Datacenter: string;
  readonly NodeClass: string;
  readonly Status: NodeStatus;
  readonly StatusDescription: string;
  /** Unix seconds, as Nomad's int64 field. */
  readonly StatusUpdatedAt: number;
  readonly Drain: boolean;
  readonly SchedulingEligibility: 'eligible';
  readonly Attributes: Readonly<Record<string, string>>;
  readonly Meta: Readonly<Record<string, string>>;
  readonly Drivers: Readonly<Record<string, ApiDriverInfo>>;
  readonly NodeResources: {
    readonly Cpu: { readonly CpuShares: number; readonly TotalCpuCores: number };
    readonly Memory: { readonly MemoryMB: number };
    readonly Disk: { readonly DiskMB: number };
    readonly MinDynamicPort: number;
    readonly MaxDynamicPort: number;
  };
  readonly ReservedResources: {
    readonly Cpu: { readonly CpuShares: number };
    readonly Memory: { readonly MemoryMB: number };
    readonly Disk: { readonly DiskMB: number };
  };
  /** Oldest first, as Nomad keeps them. */
  readonly Events: readonly ApiNodeEvent[];
}

/** Go's encoding/json writes map keys sorted; so does this. */
function sortedMap(m: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]]));
}

function attrNumber(node: NodeInfo, key: string): number {
  const n = Number(node.attributes[key]);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

export function apiNode(v: NodeView): ApiNode {
  const { node } = v;
  const drivers: Record<string, ApiDriverInfo> = {};
  for (const d of Object.values(node.drivers).sort((a, b) => a.name.localeCompare(b.name))) {
    drivers[d.name] = {
      Attributes: sortedMap(d.attributes),
      Detected: d.detected,
      Healthy: d.healthy,
      HealthDescription: d.message,
      UpdateTime: d.updatedAt,
    };
  }
  return {
    ID: node.id,
    Name: node.name,
    Datacenter: node.datacenter,
    NodeClass: node.nodeClass,
    Status: v.status,
    StatusDescription: '',
    StatusUpdatedAt: Math.floor(v.updatedAt / 1000),
    Drain: false,
    SchedulingEligibility: 'eligible',
    Attributes: sortedMap(node.attributes),
    Meta: sortedMap(node.meta),
    Drivers: drivers,
    NodeResources: {
      Cpu: { CpuShares: attrNumber(node, 'cpu.totalcompute'), TotalCpuCores: attrNumber(node, 'cpu.numcores') },
      Memory: { MemoryMB: Math.floor(attrNumber(node, 'memory.totalbytes') / MIB) },
      Disk: { DiskMB: Math.floor(attrNumber(node, 'unique.storage.bytesfree') / MIB) },
      MinDynamicPort: node.portRange.min,
      MaxDynamicPort: node.portRange.max,
    },
    ReservedResources: {
      Cpu: { CpuShares: node.reserved.cpu },
      Memory: { MemoryMB: node.reserved.memoryMB },
      Disk: { DiskMB: 0 },
    },
    Events: [...v.events].reverse().map((e) => ({
      Message: e.message,
      Subsystem: e.subsystem,
      Details: e.details === '' ? null : { message: e.details },
      Timestamp: new Date(e.time).toISOString(),
    })),
  };
}

