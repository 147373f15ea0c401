/**
 * Nomad's Node (`GET /v1/node/:id`) and NodeListStub (`GET /v1/nodes`): bivouac's own node
 * view (render-node's apiNode) with the fields Nomad's CLI dereferences added — HTTPAddr,
 * which `nomad alloc logs` connects to directly, and Resources/Reserved, which `node status`
 * reads without a nil check.
 */
import { apiNode, type ApiNode, type NodeView } from './render-node.js';
import { BIVOUAC_VERSION } from '../version.js';

export interface ApiNodeFull extends Omit<ApiNode, 'NodeResources' | 'ReservedResources' | 'Events'> {
  readonly Events: readonly (ApiNode['Events'][number] & { readonly CreateIndex: number })[];
  readonly SecretID: string;
  readonly HTTPAddr: string;
  readonly TLSEnabled: boolean;
  readonly NodeResources: ApiNode['NodeResources'] & { readonly Networks: null; readonly NodeNetworks: null; readonly Devices: null };
  readonly ReservedResources: ApiNode['ReservedResources'] & { readonly Networks: { readonly ReservedHostPorts: string } };
  readonly Resources: Resources;
  readonly Reserved: Resources;
  readonly Links: null;
  readonly ComputedClass: string;
  readonly DrainStrategy: null;
  readonly CSIControllerPlugins: null;
  readonly CSINodePlugins: null;
  readonly HostVolumes: null;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
}

interface Resources {
  readonly CPU: number;
  readonly MemoryMB: number;
  readonly DiskMB: number;
  readonly IOPS: number;
  readonly Networks: null;
  readonly Devices: null;
}

/** `httpAddr`: host:port of the agent's HTTP API, '' when it serves none over TCP. */
export function apiNodeFull(v: NodeView, httpAddr: string, index: number): ApiNodeFull {
  const n = apiNode(v);
  return {
    ...n,
    Events: n.Events.map((e) => ({ ...e, CreateIndex: 0 })),
    SecretID: '',
    HTTPAddr: httpAddr,
    TLSEnabled: false,
    NodeResources: { ...n.NodeResources, Networks: null, NodeNetworks: null, Devices: null },
    ReservedResources: { ...n.ReservedResources, Networks: { ReservedHostPorts: '' } },
    Resources: { CPU: n.NodeResources.Cpu.CpuShares, MemoryMB: n.NodeResources.Memory.MemoryMB, DiskMB: n.NodeResources.Disk.DiskMB, IOPS: 0, Networks: null, Devices: null },
    Reserved: { CPU: n.ReservedResources.Cpu.CpuShares, MemoryMB: n.ReservedResources.Memory.MemoryMB, DiskMB: 0, IOPS: 0, Networks: null, Devices: null },
    Links: null,
    ComputedClass: '',
    DrainStrategy: null,
    CSIControllerPlugins: null,
    CSINodePlugins: null,
    HostVolumes: null,
    CreateIndex: 1,
    ModifyIndex: index,
  };
}

export interface ApiNodeStub {
  readonly Address: string;
  readonly ID: string;
  readonly Datacenter: string;
  readonly Name: string;
  readonly NodeClass: string;
  readonly Version: string;
  readonly Drain: boolean;
  readonly SchedulingEligibility: string;
  readonly Status: string;
  readonly StatusDescription: string;
  readonly Drivers: ApiNode['Drivers'];
  readonly HostVolumes: null;
  readonly NodeResources: null;
  readonly ReservedResources: null;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
}

export function apiNodeStub(n: ApiNodeFull): ApiNodeStub {
  return {
    Address: n.Attributes['unique.network.ip-address'] ?? '127.0.0.1',
    ID: n.ID,
    Datacenter: n.Datacenter,
    Name: n.Name,
    NodeClass: n.NodeClass,
    Version: BIVOUAC_VERSION,
    Drain: false,
    SchedulingEligibility: n.SchedulingEligibility,
    Status: n.Status,
    StatusDescription: n.StatusDescription,
    Drivers: n.Drivers,
    HostVolumes: null,
    NodeResources: null,
    ReservedResources: null,
    CreateIndex: n.CreateIndex,
    ModifyIndex: n.ModifyIndex,
  };
}
