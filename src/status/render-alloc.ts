/**
 * `bivouac alloc status` in Nomad 1.0's layout (command/alloc_status.go): the header, the
 * Allocation Addresses of the group's ports, then per task its resources, times and events.
 * Pure: the caller reads the alloc and, where the agent measured it, the task usage.
 */
import { formatAgo, formatGoDuration, formatIBytes, formatKV, formatTable, formatTime, MIB, MS_TO_NS, shortId } from '../cli/format.js';
import type { ApiAlloc } from './api.js';

/** Nomad's alloc status lines for rescheduling (command/alloc_status.go formatAllocBasicInfo). */
function rescheduleLines(a: ApiAlloc, now: number, short: (id: string) => string): [string, string][] {
  const out: [string, string][] = [];
  const r = a.RescheduleInfo;
  if (a.RescheduleTracker !== null && a.RescheduleTracker.Events.length > 0 && r.Total > 0) out.push(['Reschedule Attempts', `${r.Attempts}/${r.Total}`]);
  if (a.NextAllocation !== '') out.push(['Replacement Alloc ID', short(a.NextAllocation)]);
  if (r.EligibleAt > 0) {
    // Nomad's prettyTimeDiff of a future time: the two largest units, "from now".
    const at = r.EligibleAt / MS_TO_NS;
    out.push(['Reschedule Eligibility', at <= now ? 'now' : formatAgo(now, at).replace(/ ago$/, ' from now')]);
  }
  return out;
}
import { renderUsageBreakdown, resourceCells, type AllocResourceUsage, type TaskResourceUsage } from './stats.js';

export interface AllocRenderInput {
  readonly alloc: ApiAlloc;
  /** The node's address, which the ports are bound on (`unique.network.ip-address`). */
  readonly hostIP: string;
  /** What the agent last measured (the stats table), or null: Nomad then prints the limits alone. */
  readonly usage: AllocResourceUsage | null;
  readonly now: number;
  readonly verbose: boolean;
}

export function renderAllocStatus(input: AllocRenderInput): string {
  const { alloc: a, verbose, now } = input;
  const when = (ns: number): string => (verbose ? formatTime(ns / MS_TO_NS) : formatAgo(ns / MS_TO_NS, now));
  let out = formatKV([
    ['ID', a.ID],
    ['Eval ID', shortId(a.EvalID, verbose)],
    ['Name', a.Name],
    ['Node ID', shortId(a.NodeID, verbose)],
    ['Node Name', a.NodeName],
    ['Job ID', a.JobID],
    ['Job Version', String(a.JobVersion)],
    ['Client Status', a.ClientStatus],
    ['Client Description', a.ClientDescription],
    ['Desired Status', a.DesiredStatus],
    ['Desired Description', a.DesiredDescription],
    ['Created', when(a.CreateTime)],
    ['Modified', when(a.ModifyTime)],
    ...rescheduleLines(a, now, (id) => shortId(id, verbose)),
    ...(a.DeploymentID === '' ? [] : ([['Deployment ID', shortId(a.DeploymentID, verbose)], ['Deployment Health', 'unset']] as [string, string][])),
    ...(verbose ? placementMetrics(a) : []),
  ]);
  out += addresses(input);
  for (const [name, t] of Object.entries(a.TaskStates).sort(([x], [y]) => x.localeCompare(y))) {
    out += `\nTask "${name}" is "${t.State}"\n`;
    const taskUsage = t.State === 'running' ? (input.usage?.Tasks[name] ?? null) : null;
    out += taskResources(input, name, taskUsage);
    if (verbose && taskUsage) out += '\n' + renderUsageBreakdown(taskUsage);
    const iso = (s: string | null): string => (s === null ? 'N/A' : formatTime(Date.parse(s)));
    out += '\nTask Events:\n';
    out += formatKV([
      ['Started At', iso(t.StartedAt)],
      ['Finished At', t.State === 'dead' ? iso(t.FinishedAt) : 'N/A'],
      ['Total Restarts', String(t.Restarts)],
      ['Last Restart', iso(t.LastRestart)],
    ]);
    const events = [...t.Events].reverse();
    const shown = verbose ? events : events.slice(0, 10);
    out += '\nRecent Events:\n';
    out += formatTable(
      ['Time', 'Type', 'Description'],
      shown.map((e) => [formatTime(e.Time / MS_TO_NS), e.Type, e.DisplayMessage]),
    );
  }
  return out;
}

/** Nomad's verbose header lines from the allocation's placement metrics. */
function placementMetrics(a: ApiAlloc): [string, string][] {
  const n = (k: string): number => {
    const v = a.Metrics[k];
    return typeof v === 'number' ? v : 0;
  };
  return [
    ['Evaluated Nodes', String(n('NodesEvaluated'))],
    ['Filtered Nodes', String(n('NodesFiltered'))],
    ['Exhausted Nodes', String(n('NodesExhausted'))],
    ['Allocation Time', formatGoDuration(n('AllocationTime'))],
    ['Failures', String(n('CoalescedFailures'))],
  ];
}

/**
 * Nomad 1.0's formatAllocNetworkInfo over the group's ports (AllocatedResources.Shared.Ports):
 * `*label`, `yes` (Nomad 1.0 prints it for static ports too), `ip:port` and ` -> to` when
 * mapped to another port inside the task.
 */
function addresses(input: AllocRenderInput): string {
  const ports = input.alloc.AllocatedResources.Shared.Ports;
  if (ports.length === 0) return '';
  const rows = ports.map((p) => [`*${p.Label}`, 'yes', `${p.HostIP}:${p.Value}${p.To > 0 && p.To !== p.Value ? ` -> ${p.To}` : ''}`]);
  return '\nAllocation Addresses\n' + formatTable(['Label', 'Dynamic', 'Address'], rows);
}

/**
 * Nomad's outputTaskResources: limits, or `used/limit` where the usage was measured; the
 * Addresses column lists the task's own ports (bivouac's task-level `network` ports).
 */
function taskResources(input: AllocRenderInput, task: string, usage: TaskResourceUsage | null): string {
  const a = input.alloc;
  const res = a.AllocatedResources.Tasks[task];
  const cells = resourceCells(usage, res?.Cpu.CpuShares ?? a.Resources.CPU, res?.Memory.MemoryMB ?? a.Resources.MemoryMB);
  const addrs = a.AllocatedPorts.filter((p) => p.Task === task).map((p) => `${p.Label}: ${input.hostIP}:${p.Value}`);
  const rows = [[cells.cpu, cells.memory, formatIBytes(a.Resources.DiskMB * MIB), addrs[0] ?? '']];
  for (const more of addrs.slice(1)) rows.push(['', '', '', more]);
  return 'Task Resources\n' + formatTable(['CPU', 'Memory', 'Disk', 'Addresses'], rows, { keepEmpty: true });
}
