import { formatAgo, formatKV, formatTable, formatTime, MS_TO_NS } from '../cli/format.js';
import type { ApiAlloc } from './api.js';
import { renderUsageBreakdown, resourceCells, type AllocResourceUsage } from './stats.js';

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

/** `bivouac alloc status` in Nomad's layout (reference/nomad.md §6.3). */
export function renderAllocStatus(a: ApiAlloc, now: number, verbose: boolean, usage: AllocResourceUsage | null = null): string {
  const short = (id: string): string => (verbose ? id : id.slice(0, 8));
  let out = formatKV([
    ['ID', a.ID],
    ['Name', a.Name],
    ['Node ID', short(a.NodeID)],
    ['Node Name', a.NodeName],
    ['Job ID', a.JobID],
    ['Job Version', String(a.JobVersion)],
    ['Client Status', a.ClientStatus],
    ['Client Description', a.ClientDescription || '<none>'],
    ['Desired Status', a.DesiredStatus],
    ['Desired Description', a.DesiredDescription || '<none>'],
    ['Created', verbose ? formatTime(a.CreateTime / MS_TO_NS) : formatAgo(a.CreateTime / MS_TO_NS, now)],
    ['Modified', verbose ? formatTime(a.ModifyTime / MS_TO_NS) : formatAgo(a.ModifyTime / MS_TO_NS, now)],
    ...rescheduleLines(a, now, short),
  ]);
  for (const [name, t] of Object.entries(a.TaskStates).sort(([x], [y]) => x.localeCompare(y))) {
    out += `\nTask "${name}" is "${t.State}"\n`;
    out += 'Task Resources\n';
    const ports = a.AllocatedPorts.filter((p) => p.Task === null || p.Task === name);
    const taskUsage = t.State === 'running' ? (usage?.Tasks[name] ?? null) : null;
    const cells = resourceCells(taskUsage, a.AllocatedResources.Tasks[name]?.Cpu.CpuShares ?? a.Resources.CPU, a.AllocatedResources.Tasks[name]?.Memory.MemoryMB ?? a.Resources.MemoryMB);
    out += formatTable(
      ['CPU', 'Memory', 'Disk', 'Addresses'],
      [[cells.cpu, cells.memory, `${a.Resources.DiskMB} MiB`, ports.map((p) => `${p.Label}: ${p.Value}${p.To && p.To !== p.Value ? `->${p.To}` : ''}`).join(', ') || '<none>']],
    );
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
