/**
 * `bivouac job plan`: the plan of a job file against this node (a pure function of the job,
 * its current version, the allocations and the node), and its text in Nomad's layout
 * (command/job_plan.go: formatJobDiff, formatDryRun, getExitCode).
 */
import type { Group, Job, JobDiff, ObjectDiff, FieldDiff, DiffType, TaskDiff } from '../jobspec/index.js';
import { diffJobs } from '../jobspec/index.js';
import type { NodeInfo } from '../node/types.js';
import { destructiveChange, isLive, place, reconcile, type ExistingAlloc, type PlacementFailure } from '../scheduler/index.js';
import type { Rand } from '../util/clock.js';

/** Nomad's DesiredTGUpdates names, as `job plan` prints them. */
export type UpdateType = 'create' | 'create/destroy update' | 'destroy' | 'ignore' | 'in-place update';

export interface PlanInput {
  readonly job: Job;
  /** The job's current version in the state, or null for a job the agent has not seen. */
  readonly current: { readonly job: Job; readonly version: number; readonly hash: string; readonly stopped: boolean } | null;
  readonly hash: string;
  /** This job's allocations, any status. */
  readonly allocsOfJob: readonly ExistingAlloc[];
  /** Every allocation on the node, of any job. */
  readonly allocsOnNode: readonly ExistingAlloc[];
  readonly jobAt: (version: number) => Job | null;
  readonly node: NodeInfo;
  readonly hostPorts: ReadonlySet<number>;
  readonly rand: Rand;
}

export interface Plan {
  readonly diff: JobDiff;
  readonly jobType: string;
  /** The version the file would become: the current one when nothing changed. */
  readonly version: number;
  readonly updates: ReadonlyMap<string, ReadonlyMap<UpdateType, number>>;
  /** Per `group\0task`: Nomad's task annotation, e.g. `forces create/destroy update`. */
  readonly annotations: ReadonlyMap<string, string>;
  readonly failures: readonly PlacementFailure[];
}

export function planJob(input: PlanInput): Plan {
  const { job, current } = input;
  const same = current !== null && current.hash === input.hash;
  const version = current === null ? 0 : same ? current.version : current.version + 1;
  const r = reconcile(job, version, input.allocsOfJob, {
    stopped: false,
    jobAt: (v) => (v === version ? job : input.jobAt(v)),
  });
  const byId = new Map(input.allocsOfJob.map((a) => [a.id, a]));
  const updates = new Map<string, Map<UpdateType, number>>();
  const bump = (group: string, t: UpdateType): void => {
    const m = updates.get(group) ?? new Map<UpdateType, number>();
    m.set(t, (m.get(t) ?? 0) + 1);
    updates.set(group, m);
  };
  for (const p of r.place) bump(p.group, 'create');
  for (const d of r.destructive) bump(d.group, 'create/destroy update');
  for (const s of r.stop) bump(byId.get(s.allocId)?.group ?? '', 'destroy');
  for (const u of r.inPlace) bump(byId.get(u.allocId)?.group ?? '', 'in-place update');
  for (const i of r.ignore) {
    const a = byId.get(i.allocId);
    if (a && isLive(a)) bump(a.group, 'ignore');
  }
  const placed = place(
    {
      job,
      node: input.node,
      existing: input.allocsOnNode,
      hostPorts: input.hostPorts,
      requests: [...r.place, ...r.destructive.map((d) => ({ group: d.group, index: d.index }))],
      stopping: new Set([...r.stop, ...r.destructive].map((x) => x.allocId)),
    },
    { rand: input.rand },
  );
  const diff = current?.stopped ? unstop(diffJobs(current.job, job)) : diffJobs(current?.job ?? null, job);
  return { diff, jobType: job.type, version, updates, annotations: annotate(diff, current?.job ?? null, job), failures: placed.failures };
}

/**
 * Running the file of a stopped job registers it again: Nomad's diff shows the job's Stop
 * flag going `"true" => "false"` even when nothing else changed.
 */
function unstop(diff: JobDiff): JobDiff {
  const fields = [...diff.fields.filter((f) => f.name !== 'Stop'), { type: 'Edited' as const, name: 'Stop', old: 'true', new: 'false' }];
  fields.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ...diff, type: 'Edited', fields };
}

/** Nomad's annotateTask, with bivouac's own rule for what is destructive (the scheduler's). */
function annotate(diff: JobDiff, prev: Job | null, next: Job): Map<string, string> {
  const out = new Map<string, string>();
  for (const g of diff.groups) {
    for (const t of g.tasks) {
      let note: string | null = null;
      if (t.type === 'None') note = null;
      else if (g.type === 'Added' && t.type === 'Added') note = 'forces create';
      else if (g.type === 'Deleted' && t.type === 'Deleted') note = 'forces destroy';
      else if (t.type !== 'Edited') note = 'forces create/destroy update';
      else note = taskIsDestructive(prev, next, g.name, t.name) ? 'forces create/destroy update' : 'forces in-place update';
      if (note !== null) out.set(`${g.name}\u0000${t.name}`, note);
    }
  }
  return out;
}

function taskIsDestructive(prev: Job | null, next: Job, group: string, task: string): boolean {
  const ng = next.groups.find((g) => g.name === group);
  const pt = prev?.groups.find((g) => g.name === group)?.tasks.find((t) => t.name === task);
  const nt = ng?.tasks.find((t) => t.name === task);
  if (!ng || !pt || !nt) return true;
  // The group's own fields are the new ones on both sides, so only the task's changes count.
  const only = (g: Group, t: typeof nt): Group => ({ ...g, tasks: [t] });
  return destructiveChange(only(ng, pt), only(ng, nt)) !== null;
}

/** Nomad's getExitCode: 1 when allocations would be created or destroyed, else 0. */
export function planExitCode(plan: Plan): 0 | 1 {
  if (plan.diff.type === 'None') return 0;
  for (const m of plan.updates.values()) {
    if ((m.get('create') ?? 0) + (m.get('destroy') ?? 0) + (m.get('create/destroy update') ?? 0) > 0) return 1;
  }
  return 0;
}

export function renderPlan(plan: Plan, opts: { readonly verbose: boolean; readonly diff: boolean }): string {
  let out = '';
  if (opts.diff) out += formatJobDiff(plan, opts.verbose).trim() + '\n\n';
  out += 'Scheduler dry-run:\n' + formatDryRun(plan) + '\n\n';
  return out;
}

function formatDryRun(plan: Plan): string {
  if (plan.failures.length === 0) return '- All tasks successfully allocated.';
  let out = plan.jobType === 'system' ? '- WARNING: Failed to place allocations on all nodes.\n' : '- WARNING: Failed to place all allocations.\n';
  const sorted = [...plan.failures].sort((a, b) => a.group.localeCompare(b.group));
  out += sorted
    .map((f) => {
      const noun = f.count === 1 ? 'allocation' : 'allocations';
      return `  Task Group "${f.group}" (failed to place ${f.count} ${noun}):\n` + f.reasons.map((r) => `    * ${r}`).join('\n');
    })
    .join('\n\n');
  return out;
}

function marker(t: DiffType): string {
  return t === 'Added' ? '+ ' : t === 'Deleted' ? '- ' : t === 'Edited' ? '+/- ' : '';
}

const sp = (n: number): string => ' '.repeat(Math.max(0, n));
const changed = <T extends { readonly type: DiffType }>(xs: readonly T[]): T[] => xs.filter((x) => x.type !== 'None');
const q = (s: string): string => JSON.stringify(s);

function formatJobDiff(plan: Plan, verbose: boolean): string {
  const job = plan.diff;
  let out = `${marker(job.type)}Job: ${q(job.id)}\n`;
  const fields = changed(job.fields);
  const objects = changed(job.objects);
  let [longestField, longestMarker] = longest(fields, objects);
  for (const g of job.groups) longestMarker = Math.max(longestMarker, marker(g.type).length);
  if (job.type === 'Edited' || verbose) {
    const fo = aligned(fields, objects, 0, longestField, longestMarker);
    out += fo + (fo.length > 0 ? '\n' : '');
  }
  for (const g of job.groups) {
    out += formatGroup(plan, g, longestMarker - marker(g.type).length, verbose) + '\n';
  }
  return out;
}

function formatGroup(plan: Plan, g: JobDiff['groups'][number], prefix: number, verbose: boolean): string {
  let out = `${marker(g.type)}${sp(prefix)}Task Group: ${q(g.name)}`;
  const ups = plan.updates.get(g.name);
  const parts = ups ? [...ups.entries()].filter(([, n]) => n > 0).sort(([a], [b]) => (a < b ? -1 : 1)) : [];
  out += parts.length > 0 ? ` (${parts.map(([t, n]) => `${n} ${t}`).join(', ')})\n` : '\n';
  const fields = changed(g.fields);
  const objects = changed(g.objects);
  let [longestField, longestMarker] = longest(fields, objects);
  for (const t of g.tasks) longestMarker = Math.max(longestMarker, marker(t.type).length);
  const sub = prefix + 2;
  if (g.type === 'Edited' || verbose) {
    const fo = aligned(fields, objects, sub, longestField, longestMarker);
    out += fo + (fo.length > 0 ? '\n' : '');
  }
  for (const t of g.tasks) {
    out += formatTask(t, plan.annotations.get(`${g.name}\u0000${t.name}`), sub, longestMarker - marker(t.type).length, verbose) + '\n';
  }
  return out;
}

function formatTask(t: TaskDiff, note: string | undefined, start: number, prefix: number, verbose: boolean): string {
  let out = `${sp(start)}${marker(t.type)}${sp(prefix)}Task: ${q(t.name)}`;
  if (note !== undefined) out += ` (${note})`;
  if (t.type === 'None' || ((t.type === 'Added' || t.type === 'Deleted') && !verbose)) return out;
  const fields = changed(t.fields);
  const objects = changed(t.objects);
  const [longestField, longestMarker] = longest(fields, objects);
  return out + '\n' + aligned(fields, objects, start + 2, longestField, longestMarker);
}

function longest(fields: readonly FieldDiff[], objects: readonly ObjectDiff[]): [number, number] {
  let f = 0;
  let m = 0;
  for (const x of fields) {
    f = Math.max(f, x.name.length);
    m = Math.max(m, marker(x.type).length);
  }
  for (const o of objects) m = Math.max(m, marker(o.type).length);
  return [f, m];
}

function aligned(fields: readonly FieldDiff[], objects: readonly ObjectDiff[], start: number, longestField: number, longestMarker: number): string {
  const lines = fields.map((f) => formatField(f, start, longestMarker - marker(f.type).length, longestField - f.name.length));
  lines.push(...objects.map((o) => formatObject(o, start, longestMarker - marker(o.type).length)));
  return lines.join('\n');
}

/** Inside an object, unchanged fields are shown as context, as Nomad's contextual diff does. */
function formatObject(o: ObjectDiff, start: number, keyPrefix: number): string {
  const m = marker(o.type);
  const objects = changed(o.objects);
  const [longestField, longestMarker] = longest(o.fields, objects);
  const body = aligned(o.fields, objects, start + keyPrefix + 2, longestField, longestMarker);
  return `${sp(start)}${m}${sp(keyPrefix)}${o.name} {\n${body}\n${sp(start + m.length + keyPrefix)}}`;
}

function formatField(f: FieldDiff, start: number, keyPrefix: number, valuePrefix: number): string {
  const value = f.type === 'Added' ? q(f.new) : f.type === 'Deleted' ? q(f.old) : f.type === 'Edited' ? `${q(f.old)} => ${q(f.new)}` : q(f.new);
  return `${sp(start)}${marker(f.type)}${sp(keyPrefix)}${f.name}: ${sp(valuePrefix)}${value}`;
}
