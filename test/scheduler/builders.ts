import type { Constraint, ConstraintOperator, Group, Job, NetworkResource, Port, Task } from '../../src/jobspec/types.js';
import type { DriverInfo, NodeInfo } from '../../src/node/types.js';
import type { ExistingAlloc } from '../../src/scheduler/types.js';

/** Small builders for Job, NodeInfo and ExistingAlloc values: every field filled, overrides on top. */

export function constraint(attribute: string, operator: ConstraintOperator, value = ''): Constraint {
  return { attribute, operator, value };
}

export function port(label: string, value = 0, to = 0): Port {
  return { label, value, to, hostNetwork: 'default' };
}

export function network(reserved: readonly Port[] = [], dynamic: readonly Port[] = []): NetworkResource {
  return { mode: 'host', mbits: 0, reservedPorts: reserved, dynamicPorts: dynamic, dns: null };
}

export function task(over: Partial<Task> & { readonly cpu?: number; readonly memoryMB?: number } = {}): Task {
  const { cpu = 100, memoryMB = 300, ...rest } = over;
  return {
    name: 'server',
    driver: 'raw_exec',
    driverConfig: { driver: 'raw_exec', config: { command: '/bin/sleep', args: ['60'] } },
    rawConfig: { command: '/bin/sleep', args: ['60'] },
    user: '',
    env: {},
    meta: {},
    resources: { cpu, cores: 0, memoryMB, memoryMaxMB: 0, diskMB: null, networks: [] },
    killTimeoutMs: 5000,
    killSignal: 'SIGINT',
    leader: false,
    logs: { maxFiles: 10, maxFileSizeMB: 10 },
    constraints: [],
    restart: { attempts: 2, intervalMs: 1_800_000, delayMs: 15_000, mode: 'fail' },
    artifacts: [],
    templates: [],
    lifecycle: null,
    dispatchPayloadFile: null,
    extra: {},
    ...rest,
  };
}

export function group(over: Partial<Group> = {}): Group {
  return {
    name: 'web',
    count: 1,
    constraints: [],
    restart: { attempts: 2, intervalMs: 1_800_000, delayMs: 15_000, mode: 'fail' },
    reschedule: null,
    ephemeralDisk: { sizeMB: 300, sticky: false, migrate: false },
    networks: [],
    meta: {},
    tasks: [task()],
    extra: {},
    ...over,
  };
}

export function job(over: Partial<Job> = {}): Job {
  return {
    id: 'example',
    name: 'example',
    type: 'service',
    priority: 50,
    region: 'global',
    namespace: 'default',
    datacenters: ['dc1'],
    allAtOnce: false,
    constraints: [],
    meta: {},
    periodic: null,
    parameterized: null,
    groups: [group()],
    extra: {},
    ...over,
  };
}

export function driverInfo(name: string, state: 'healthy' | 'unhealthy' | 'undetected', message = ''): DriverInfo {
  return {
    name,
    detected: state !== 'undetected',
    healthy: state === 'healthy',
    healthState: state,
    message: message || (state === 'healthy' ? 'Healthy' : ''),
    attributes: state === 'undetected' ? {} : { [`driver.${name}`]: '1' },
    updatedAt: '2024-05-02T09:00:00Z',
  };
}

export function node(over: Partial<NodeInfo> = {}): NodeInfo {
  return {
    id: 'c754da1f-6337-b86d-47dc-2ef4c71aca14',
    name: 'node1',
    datacenter: 'dc1',
    region: 'global',
    nodeClass: '',
    meta: {},
    attributes: {
      'cpu.arch': 'amd64',
      'cpu.numcores': '4',
      'cpu.frequency': '2000',
      'cpu.totalcompute': '8000',
      'memory.totalbytes': String(16 * 1024 ** 3),
      'unique.storage.bytesfree': String(40 * 1024 ** 3),
      'kernel.name': 'linux',
      'kernel.version': '5.15.0-91-generic',
      'driver.raw_exec': '1',
    },
    drivers: { raw_exec: driverInfo('raw_exec', 'healthy') },
    reserved: { cpu: 0, memoryMB: 0 },
    portRange: { min: 20000, max: 32000 },
    ...over,
  };
}

/** The id defaults to `<job>.<group>[<index>]@v<version>`, unique enough for a test. */
export function alloc(over: Partial<ExistingAlloc> = {}): ExistingAlloc {
  const base: ExistingAlloc = {
    id: '',
    jobId: 'example',
    jobVersion: 0,
    group: 'web',
    index: 0,
    desiredStatus: 'run',
    clientStatus: 'running',
    resources: { cpu: 100, memoryMB: 300, diskMB: 300 },
    ports: [],
    ...over,
  };
  return { ...base, id: over.id ?? `${base.jobId}.${base.group}[${base.index}]@v${base.jobVersion}` };
}

/** A deterministic rand: a linear congruential sequence from a seed. */
export function seededRand(seed = 1): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
