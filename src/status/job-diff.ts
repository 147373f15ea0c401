/**
 * Nomad's JobDiff JSON (`PUT /v1/job/:id/plan` → Diff, `/v1/job/:id/versions?diffs=true`):
 * job, group and task levels list only the fields that changed; a nested object that changed
 * lists all its fields (Nomad's contextual diff); lists that did not change are null.
 */
import type { FieldDiff, JobDiff, ObjectDiff } from '../jobspec/diff.js';

export interface ApiFieldDiff {
  readonly Type: string;
  readonly Name: string;
  readonly Old: string;
  readonly New: string;
  readonly Annotations: readonly string[] | null;
}
export interface ApiObjectDiff {
  readonly Type: string;
  readonly Name: string;
  readonly Fields: readonly ApiFieldDiff[] | null;
  readonly Objects: readonly ApiObjectDiff[] | null;
}

const orNull = <T>(xs: readonly T[]): readonly T[] | null => (xs.length === 0 ? null : xs);

function field(f: FieldDiff, annotations: readonly string[] | null = null): ApiFieldDiff {
  return { Type: f.type, Name: f.name, Old: f.old, New: f.new, Annotations: annotations };
}

function nested(o: ObjectDiff): ApiObjectDiff {
  return { Type: o.type, Name: o.name, Fields: orNull(o.fields.map((f) => field(f))), Objects: orNull(o.objects.filter((x) => x.type !== 'None').map(nested)) };
}

function level(o: ObjectDiff, annotate: (f: FieldDiff) => readonly string[] | null = () => null): { Fields: readonly ApiFieldDiff[] | null; Objects: readonly ApiObjectDiff[] | null } {
  return {
    Fields: orNull(o.fields.filter((f) => f.type !== 'None').map((f) => field(f, annotate(f)))),
    Objects: orNull(o.objects.filter((x) => x.type !== 'None').map(nested)),
  };
}

/**
 * `taskNotes`: Nomad's task annotations per `group\0task` (plan only); `updates`: per group,
 * Nomad's DesiredTGUpdates names and counts (plan only).
 */
export function apiJobDiff(
  d: JobDiff,
  taskNotes: ReadonlyMap<string, string> | null = null,
  updates: ReadonlyMap<string, ReadonlyMap<string, number>> | null = null,
): Record<string, unknown> {
  return {
    Type: d.type,
    ID: d.id,
    ...level(d),
    TaskGroups: orNull(
      d.groups
        .filter((g) => g.type !== 'None' || updates !== null)
        .map((g) => ({
          Type: g.type,
          Name: g.name,
          ...level(g, (f) => (taskNotes !== null && f.name === 'Count' ? [Number(f.new) > Number(f.old) ? 'forces create' : 'forces destroy'] : null)),
          Tasks: orNull(
            g.tasks
              .filter((t) => t.type !== 'None')
              .map((t) => {
                const note = taskNotes?.get(`${g.name}\u0000${t.name}`);
                return { Type: t.type, Name: t.name, ...level(t), Annotations: note ? [note] : null };
              }),
          ),
          Updates: updates === null ? null : Object.fromEntries(updates.get(g.name) ?? []),
        })),
    ),
  };
}
