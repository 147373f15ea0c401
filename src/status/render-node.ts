/**
 * `bivouac node status` in Nomad's layout (command/node_status.go): the header, Drivers,
 * Node Events, Allocated Resources, Allocations, and with -verbose the Attributes and Meta;
 * and `--json` in the shape of Nomad's node API. Pure: the caller reads the rows.
 */
import type { NodeInfo } from '../node/types.js';
import type { AllocRecord, NodeStatus } from '../state/index.js';
import { formatKV, formatTable, formatTime, shortId } from '../cli/format.js';
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

export interface NodeRenderOptions {
  readonly verbose: boolean;
  readonly short: boolean;
}

const MIB = 1024 * 1024;

/** go-humanize's IBytes, which Nomad uses for memory and disk: `256 MiB`, `1.5 GiB`, `15 GiB`. */
export function formatIBytes(bytes: number): string {
  if (bytes < 10) return `${bytes} B`;
  const sizes = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  const e = Math.min(sizes.length - 1, Math.floor(Math.log(bytes) / Math.log(1024)));
  const val = Math.floor((bytes / 1024 ** e) * 10 + 0.5) / 10;
  return `${val < 10 ? val.toFixed(1) : val.toFixed(0)} ${sizes[e]}`;
}

/** Allocations that hold resources on the node: not yet terminal on the client. */
function holdsResources(a: AllocRecord): boolean {
  return a.clientStatus === 'pending' || a.clientStatus === 'running';
}

/** Nomad's nodeDrivers: the detected and healthy drivers, sorted. */
function usableDrivers(node: NodeInfo): string[] {
  return Object.values(node.drivers)
    .filter((d) => d.detected && d.healthy)
    .map((d) => d.name)
    .sort();
}

export function renderNodeStatus(v: NodeView, opts: NodeRenderOptions): string {
  const { node } = v;
  const header: [string, string][] = [
    ['ID', shortId(node.id, opts.verbose)],
    ['Name', node.name],
    ['Class', node.nodeClass === '' ? '<none>' : node.nodeClass],
    ['DC', node.datacenter],
    ['Drain', 'false'],
    ['Eligibility', 'eligible'],
    ['Status', v.status],
  ];
  if (opts.short) {
    header.push(['Drivers', usableDrivers(node).join(',')]);
    return formatKV(header) + allocations(v, opts.verbose);
  }
  let out = formatKV(header);
  out += drivers(node, opts.verbose);
  out += events(v.events, opts.verbose);
  out += allocated(v);
  out += allocations(v, opts.verbose);
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

function drivers(node: NodeInfo, verbose: boolean): string {
  const list = Object.values(node.drivers).sort((a, b) => a.name.localeCompare(b.name));
  const rows = list.map((d) => {
    const base = [d.name, String(d.detected), String(d.healthy)];
    return verbose ? [...base, d.message, formatTime(Date.parse(d.updatedAt))] : base;
  });
  const head = verbose ? ['Driver', 'Detected', 'Healthy', 'Message', 'Time'] : ['Driver', 'Detected', 'Healthy'];
  return '\nDrivers\n' + formatTable(head, rows);
}

/** Nomad prints the Details column only with -verbose; newest event first. */
function events(list: readonly NodeEventView[], verbose: boolean): string {
  const head = verbose ? ['Time', 'Subsystem', 'Message', 'Details'] : ['Time', 'Subsystem', 'Message'];
  const rows = list.map((e) => {
    const base = [formatTime(e.time), e.subsystem, e.message];
    return verbose ? [...base, e.details === '' ? '<none>' : e.details] : base;
  });
  return '\nNode Events\n' + formatTable(head, rows);
}

function allocated(v: NodeView): string {
  const total = nodeCapacity(v.node);
  let cpu = 0;
  let mem = 0;
  let disk = 0;
  for (const a of v.allocs.filter(holdsResources)) {
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

/** bivouac makes no evaluations, so Eval ID is `<none>`. Newest allocation first, as Nomad sorts. */
function allocations(v: NodeView, verbose: boolean): string {
  if (v.allocs.length === 0) return '\nAllocations\nNo allocations placed\n';
  const sorted = [...v.allocs].sort((a, b) => b.createTime - a.createTime || a.id.localeCompare(b.id));
  const rows = sorted.map((a) => [shortId(a.id, verbose), '<none>', a.jobId, a.taskGroup, a.desiredStatus, a.clientStatus]);
  return '\nAllocations\n' + formatTable(['ID', 'Eval ID', 'Job ID', 'Task Group', 'Desired Status', 'Client Status'], rows);
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
