/**
 * A cluster's `PUT /v1/job/:id/plan` reply turned into the plan `job plan` renders, so
 * `job push -dry-run` prints a Nomad cluster's answer in the same layout as a local plan.
 * Pure.
 */
import type { DiffType, FieldDiff, GroupDiff, JobDiff, ObjectDiff, TaskDiff } from '../jobspec/index.js';
import type { PlacementFailure } from '../scheduler/index.js';
import type { Plan, UpdateType } from '../status/render-plan.js';

interface ApiField {
  readonly Type: DiffType;
  readonly Name: string;
  readonly Old: string;
  readonly New: string;
}
interface ApiObject {
  readonly Type: DiffType;
  readonly Name: string;
  readonly Fields: readonly ApiField[] | null;
  readonly Objects: readonly ApiObject[] | null;
}
interface ApiTask extends ApiObject {
  readonly Annotations: readonly string[] | null;
}
interface ApiGroup extends ApiObject {
  readonly Tasks: readonly ApiTask[] | null;
  readonly Updates: Readonly<Record<string, number>> | null;
}
interface ApiMetric {
  readonly CoalescedFailures: number;
  readonly ConstraintFiltered: Readonly<Record<string, number>> | null;
  readonly DimensionExhausted: Readonly<Record<string, number>> | null;
  readonly ClassExhausted?: Readonly<Record<string, number>> | null;
  readonly NodesEvaluated?: number;
}

export interface ApiPlanResponse {
  readonly Diff: (ApiObject & { readonly ID: string; readonly TaskGroups: readonly ApiGroup[] | null }) | null;
  readonly FailedTGAllocs: Readonly<Record<string, ApiMetric>> | null;
  readonly JobModifyIndex: number;
  readonly Warnings: string;
}

const fields = (xs: readonly ApiField[] | null): FieldDiff[] => (xs ?? []).map((f) => ({ type: f.Type, name: f.Name, old: f.Old, new: f.New }));
const objects = (xs: readonly ApiObject[] | null): ObjectDiff[] => (xs ?? []).map((o) => ({ type: o.Type, name: o.Name, fields: fields(o.Fields), objects: objects(o.Objects) }));

const UPDATE_TYPES: readonly UpdateType[] = ['create', 'create/destroy update', 'destroy', 'ignore', 'in-place update'];

export function planFromApi(jobId: string, jobType: string, r: ApiPlanResponse): Plan {
  const d = r.Diff;
  const updates = new Map<string, Map<UpdateType, number>>();
  const annotations = new Map<string, string>();
  const groups: GroupDiff[] = (d?.TaskGroups ?? []).map((g) => {
    const m = new Map<UpdateType, number>();
    for (const [k, n] of Object.entries(g.Updates ?? {})) {
      const t = UPDATE_TYPES.find((u) => u === k);
      if (t !== undefined && n > 0) m.set(t, n);
    }
    updates.set(g.Name, m);
    const tasks: TaskDiff[] = (g.Tasks ?? []).map((t) => {
      if (t.Annotations && t.Annotations.length > 0) annotations.set(`${g.Name}\u0000${t.Name}`, t.Annotations.join(', '));
      return { type: t.Type, name: t.Name, fields: fields(t.Fields), objects: objects(t.Objects) };
    });
    return { type: g.Type, name: g.Name, fields: fields(g.Fields), objects: objects(g.Objects), tasks };
  });
  const diff: JobDiff = { type: d?.Type ?? 'None', id: d?.ID ?? jobId, name: d?.Name ?? jobId, fields: fields(d?.Fields ?? null), objects: objects(d?.Objects ?? null), groups };
  const failures: PlacementFailure[] = Object.entries(r.FailedTGAllocs ?? {}).map(([group, m]) => ({
    group,
    count: m.CoalescedFailures + 1,
    reasons: [
      ...Object.entries(m.ConstraintFiltered ?? {}).map(([c, n]) => `Constraint ${JSON.stringify(c)}: ${n} nodes excluded by filter`),
      ...Object.entries(m.DimensionExhausted ?? {}).map(([dim, n]) => `Dimension ${JSON.stringify(dim)} exhausted on ${n} nodes`),
    ],
    constraintFiltered: m.ConstraintFiltered ?? {},
    dimensionExhausted: m.DimensionExhausted ?? {},
  }));
  return { diff, jobType, version: 0, updates, annotations, failures };
}
