/**
 * Nomad 1.0's `Job.Validate` rules for the blocks bivouac keeps without acting on them
 * (update, migrate, scaling, affinity, spread, volumes, vault, csi_plugin) and the
 * group-wide ones (leader, ports, system jobs), run on the canonical API shape with Nomad's
 * wording. Services and checks are in validate-services.ts.
 */
import type { ApiObject, ApiValue } from './api-json.js';
import { placement } from './validate-placement.js';
import { objs, validateGroupServices, validateTaskServices, type Report } from './validate-services.js';

type Obj = { readonly [k: string]: ApiValue };

const s = (v: ApiValue | undefined): string => (typeof v === 'string' ? v : '');
const n = (v: ApiValue | undefined): number => (typeof v === 'number' ? v : 0);
const obj = (v: ApiValue | undefined): Obj | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null);
const dur = (ns: number): string => `${ns / 1e9}s`;

export interface Reporters {
  readonly job: Report;
  readonly group: (g: string) => Report;
  readonly task: (g: string, t: string) => Report;
}

export function validateBlocks(job: ApiObject, r: Reporters): void {
  const type = s(job['Type']);
  const id = s(job['ID']);
  if (id.includes(' ')) r.job('INVALID_VALUE', 'Job ID contains a space');
  if (s(job['Name']) === '') r.job('INVALID_VALUE', 'Missing job name', 'name');
  if (s(job['Region']) === '' && (job['Multiregion'] === null || job['Multiregion'] === undefined)) r.job('INVALID_VALUE', 'Missing job region', 'region');
  if (s(job['Namespace']) === '') r.job('INVALID_VALUE', 'Job must be in a namespace', 'namespace');
  const datacenters = Array.isArray(job['Datacenters']) ? job['Datacenters'] : [];
  if (datacenters.some((d) => d === '')) r.job('INVALID_VALUE', 'Job datacenter must be non-empty string');
  placement(job, type, r.job);
  for (const g of objs(job['TaskGroups'])) validateGroup(g, job, r);
}

function validateGroup(g: Obj, job: Obj, r: Reporters): void {
  const name = s(g['Name']);
  const report = r.group(name);
  const type = s(job['Type']);
  const count = n(g['Count']);
  if (type === 'system' && count > 1) report('OUT_OF_RANGE', `Job task group ${name} has count ${count}. Count cannot exceed 1 with system scheduler`, 'count');
  if (n(g['ShutdownDelay']) < 0) report('OUT_OF_RANGE', 'ShutdownDelay must be a positive value', 'shutdown_delay');
  const sacd = n(g['StopAfterClientDisconnect']);
  if (sacd > 0 && type !== 'batch' && type !== 'service') report('BLOCK_NOT_ALLOWED', 'stop_after_client_disconnect can only be set in batch and service jobs', 'stop_after_client_disconnect');
  if (sacd < 0) report('OUT_OF_RANGE', 'stop_after_client_disconnect must be a positive value', 'stop_after_client_disconnect');
  placement(g, type, report);
  const update = obj(g['Update']);
  if (update !== null) {
    if (type !== 'service' && type !== 'system') report('BLOCK_NOT_ALLOWED', `Job type "${type}" does not allow update block`, 'update');
    for (const p of updateProblems(update)) report('UPDATE_INVALID', p, 'update');
  }
  const migrate = obj(g['Migrate']);
  if (migrate !== null) {
    if (type !== 'service') report('BLOCK_NOT_ALLOWED', `Job type "${type}" does not allow migrate block`, 'migrate');
    else for (const p of migrateProblems(migrate)) report('MIGRATE_INVALID', p, 'migrate');
  }
  const tasks = objs(g['Tasks']);
  if (tasks.filter((t) => t['Leader'] === true).length > 1) report('INVALID_VALUE', 'Only one task may be marked as leader');
  const volumes = obj(g['Volumes']) ?? {};
  for (const [vname, v] of Object.entries(volumes)) {
    const vol = obj(v) ?? {};
    const vtype = s(vol['Type']);
    if (vtype !== 'host' && vtype !== 'csi') report('VOLUME_INVALID', `Volume ${vname} has unrecognised type ${vtype}`, 'volume');
    else if (s(vol['Source']) === '') report('VOLUME_INVALID', `Volume ${vname} has an empty source`, 'volume');
  }
  scalingProblems(g, count, job).forEach((p) => report('SCALING_INVALID', `Task group scaling policy validation failed: ${p}`, 'scaling'));
  const groupPorts = portLabels(g['Networks']);
  validateGroupServices(g, new Set(tasks.map((t) => s(t['Name']))), report);
  networkProblems(g, tasks).forEach((p) => report('NETWORK_INVALID', `Task group network validation failed: ${p}`, 'network'));
  for (const t of tasks) validateTask(t, type, volumes, groupPorts, r.task(name, s(t['Name'])));
}

function updateProblems(u: Obj): string[] {
  const out: string[] = [];
  const hc = s(u['HealthCheck']);
  if (!['checks', 'task_states', 'manual'].includes(hc)) out.push(`Invalid health check given: "${hc}"`);
  if (n(u['MaxParallel']) < 0) out.push(`Max parallel can not be less than zero: ${n(u['MaxParallel'])} < 0`);
  if (n(u['Canary']) < 0) out.push(`Canary count can not be less than zero: ${n(u['Canary'])} < 0`);
  if (n(u['Canary']) === 0 && u['AutoPromote'] === true) out.push('Auto Promote requires a Canary count greater than zero');
  const min = n(u['MinHealthyTime']);
  const healthy = n(u['HealthyDeadline']);
  const progress = n(u['ProgressDeadline']);
  if (min < 0) out.push(`Minimum healthy time may not be less than zero: ${dur(min)}`);
  if (healthy <= 0) out.push(`Healthy deadline must be greater than zero: ${dur(healthy)}`);
  if (progress < 0) out.push(`Progress deadline must be zero or greater: ${dur(progress)}`);
  if (min >= healthy) out.push(`Minimum healthy time must be less than healthy deadline: ${dur(min)} > ${dur(healthy)}`);
  if (progress !== 0 && healthy >= progress) out.push(`Healthy deadline must be less than progress deadline: ${dur(healthy)} > ${dur(progress)}`);
  if (n(u['Stagger']) <= 0) out.push(`Stagger must be greater than zero: ${dur(n(u['Stagger']))}`);
  return out;
}

function migrateProblems(m: Obj): string[] {
  const out: string[] = [];
  if (n(m['MaxParallel']) < 0) out.push(`MaxParallel must be >= 0 but found ${n(m['MaxParallel'])}`);
  const hc = s(m['HealthCheck']);
  if (hc === '' && n(m['MaxParallel']) > 0) out.push('Missing HealthCheck');
  else if (hc !== '' && hc !== 'checks' && hc !== 'task_states') out.push(`Invalid HealthCheck: "${hc}"`);
  if (n(m['MinHealthyTime']) < 0) out.push(`MinHealthyTime is ${dur(n(m['MinHealthyTime']))} and must be >= 0`);
  if (n(m['HealthyDeadline']) < 0) out.push(`HealthyDeadline is ${dur(n(m['HealthyDeadline']))} and must be >= 0`);
  if (n(m['MinHealthyTime']) > n(m['HealthyDeadline'])) out.push('MinHealthyTime must be less than HealthyDeadline');
  return out;
}

/** `TaskGroup.validateScalingPolicy`; a scaling block without `max` has max -1, as Nomad converts it. */
function scalingProblems(g: Obj, count: number, job: Obj): string[] {
  const sc = obj(g['Scaling']);
  if (sc === null) return [];
  const out: string[] = [];
  const max = typeof sc['Max'] === 'number' ? sc['Max'] : -1;
  const min = n(sc['Min']);
  if (s(sc['Type']) !== 'horizontal') out.push(`Scaling policy invalid: task group scaling policy had invalid type: "${s(sc['Type'])}"`);
  if (max < 0) out.push('Scaling policy invalid: maximum count must be specified and non-negative');
  else if (max < min) out.push('Scaling policy invalid: maximum count must not be less than minimum count');
  if (min < 0) out.push('Scaling policy invalid: minimum count must be specified and non-negative');
  if (max < count) out.push('Scaling policy invalid: task group count must not be greater than maximum count in scaling policy');
  const multiregionZero = job['Multiregion'] !== null && job['Multiregion'] !== undefined && count === 0 && s(job['Region']) === 'global';
  if (count < min && !multiregionZero) out.push('Scaling policy invalid: task group count must not be less than minimum count in scaling policy');
  return out;
}

/** `TaskGroup.validateNetworks`: a port label used twice, a static port reserved twice per host network. */
function networkProblems(g: Obj, tasks: readonly Obj[]): string[] {
  const out: string[] = [];
  const labels = new Map<string, string>();
  const statics = new Map<string, string>();
  const visit = (networks: ApiValue | undefined, owner: string | null): void => {
    for (const net of objs(networks)) {
      for (const p of [...objs(net['ReservedPorts']), ...objs(net['DynamicPorts'])]) {
        const label = s(p['Label']);
        const other = labels.get(label);
        if (other !== undefined) out.push(`Port label ${label} already in use by ${other}`);
        else if (owner === null) labels.set(label, 'taskgroup network');
        const value = n(p['Value']);
        if (value === 0) continue;
        const key = `${s(p['HostNetwork']) || 'default'}:${value}`;
        const taken = statics.get(key);
        if (taken !== undefined) out.push(`Static port ${value} already reserved by ${taken}`);
        else statics.set(key, owner === null ? `taskgroup network:${label}` : `${owner}:${label}`);
      }
    }
  };
  visit(g['Networks'], null);
  for (const t of tasks) visit(obj(t['Resources'])?.['Networks'], s(t['Name']));
  return out;
}

function portLabels(networks: ApiValue | undefined): Set<string> {
  const out = new Set<string>();
  for (const net of objs(networks)) {
    for (const p of [...objs(net['ReservedPorts']), ...objs(net['DynamicPorts'])]) out.add(s(p['Label']));
  }
  return out;
}

function validateTask(t: Obj, type: string, volumes: Obj, groupPorts: ReadonlySet<string>, report: Report): void {
  const name = s(t['Name']);
  if (n(t['ShutdownDelay']) < 0) report('OUT_OF_RANGE', 'ShutdownDelay must be a positive value', 'shutdown_delay');
  objs(t['Constraints']).forEach((c, i) => {
    const op = s(c['Operand']);
    if (op === 'distinct_hosts' || op === 'distinct_property') report('INVALID_CONSTRAINT', `Constraint ${i + 1} has disallowed Operand at task level: ${op}`, 'constraint');
  });
  objs(t['VolumeMounts']).forEach((m, i) => {
    const vol = s(m['Volume']);
    if (vol === '') report('VOLUME_INVALID', `Task ${name} has a volume mount (${i}) referencing an empty volume`, 'volume_mount');
    else if (!(vol in volumes)) report('VOLUME_INVALID', `Task ${name} has a volume mount (${i}) referencing undefined volume ${vol}`, 'volume_mount');
    const mode = s(m['PropagationMode']);
    if (!['', 'private', 'host-to-task', 'bidirectional'].includes(mode)) report('VOLUME_INVALID', `Volume Mount (${i}) has an invalid propagation mode: "${mode}"`, 'volume_mount');
  });
  const vault = obj(t['Vault']);
  if (vault !== null) for (const p of vaultProblems(vault)) report('VAULT_INVALID', `Vault validation failed: ${p}`, 'vault');
  const csi = obj(t['CSIPluginConfig']);
  if (csi !== null) {
    if (s(csi['ID']) === '') report('INVALID_VALUE', 'CSIPluginConfig must have a non-empty PluginID', 'csi_plugin');
    if (!['node', 'controller', 'monolith'].includes(s(csi['Type']))) {
      report('INVALID_VALUE', `CSIPluginConfig PluginType must be one of 'node', 'controller', or 'monolith', got: "${s(csi['Type'])}"`, 'csi_plugin');
    }
  }
  const resources = obj(t['Resources']);
  const ports = new Set([...groupPorts, ...portLabels(resources?.['Networks'])]);
  validateTaskServices(t, ports, report);
  placement({ Affinities: t['Affinities'] ?? null }, type, report);
}

function vaultProblems(v: Obj): string[] {
  const out: string[] = [];
  const policies = Array.isArray(v['Policies']) ? v['Policies'] : [];
  if (policies.length === 0) out.push('Policy list cannot be empty');
  if (policies.includes('root')) out.push('Can not specify "root" policy');
  const mode = s(v['ChangeMode']);
  if (mode === 'signal' && s(v['ChangeSignal']) === '') out.push('Signal must be specified when using change mode "signal"');
  else if (mode !== 'signal' && mode !== 'noop' && mode !== 'restart') out.push(`Unknown change mode "${mode}"`);
  return out;
}
