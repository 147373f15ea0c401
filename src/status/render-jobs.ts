import type { Database, FileErrorRecord, PlacementFailure } from '../state/index.js';
import { listAllocsForJob, listEvalsForJob, listFileErrors, getJobSummary, countAllocsByJob, getCurrentJobVersion, jobHasDueReschedule } from '../state/index.js';
import { formatJobWarning, unhonouredWarnings } from '../jobspec/support.js';
import { childrenJson, childrenKV, renderChildren, type ChildrenJson } from './render-children.js';
import { apiEval, type ApiEval } from './eval.js';
import { formatAgo, formatKV, formatTable, formatTime, shortId, MS_TO_NS } from '../cli/format.js';
import { jobStatusLabel } from '../scheduler/status.js';
import { AllocReads } from './alloc.js';
import { apiAlloc, jobStub, jobSummary, type ApiAlloc, type GroupSummary, type JobStub } from './api.js';
import { jobListCells } from './job-list.js';
import { oneLine, renderJobTable } from './render-list.js';

export function renderJobList(jobs: readonly JobStub[], errors: readonly FileErrorRecord[]): string {
  return renderJobTable(jobs.map(jobListCells), errors);
}

export interface JobStatusJson {
  readonly Job: JobStub;
  readonly Summary: Record<string, GroupSummary>;
  readonly Allocations: readonly ApiAlloc[];
  readonly PlacementFailures: readonly PlacementFailure[];
  /** The job's (synthetic) evaluations, newest first. */
  readonly Evaluations: readonly ApiEval[];
  readonly FileErrors: readonly { File: string; Error: string }[];
  /** What the current version asks for that bivouac parses but does not act on (jobspec/support.ts). */
  readonly Warnings: readonly string[];
  /** Periodic and parameterized parents only: their children, as Nomad's status shows them. */
  readonly Children: ChildrenJson | null;
}

/** `embedJob: false` for the text layout: its allocations' Job stays null (see AllocReads). */
export function jobStatusJson(db: Database, id: string, opts: { readonly embedJob: boolean } = { embedJob: true }): JobStatusJson | null {
  const entry = getJobSummary(db, id);
  if (!entry) return null;
  const j = entry.job;
  const stub = jobStub(j, entry.summary, countAllocsByJob(db, id).get(id), null, jobHasDueReschedule(db, id));
  const groups = entry.summary.groups;
  const failures = j.placementFailures ?? [];
  // One set of reads for all its allocations: the node, the version and the embedded job are the same.
  const reads = new AllocReads(db, opts);
  return {
    Job: stub,
    Summary: jobSummary(db, id, groups, j.placementFailures),
    Allocations: listAllocsForJob(db, id).map((a) => apiAlloc(db, a, false, reads)),
    PlacementFailures: failures,
    Evaluations: listEvalsForJob(db, id).map((e) => apiEval(e)),
    FileErrors: listFileErrors(db)
      .filter((e) => e.jobId === id)
      .map((e) => ({ File: e.file, Error: e.message })),
    Warnings: jobWarnings(db, id),
    Children: childrenJson(db, id, j.stopped, Date.now()),
  };
}

function jobWarnings(db: Database, id: string): string[] {
  const current = getCurrentJobVersion(db, id);
  return current ? unhonouredWarnings(current.job).map(formatJobWarning) : [];
}

export function renderJobStatus(s: JobStatusJson, now: number, verbose: boolean): string {
  const j = s.Job;
  let out = formatKV([
    ['ID', j.ID],
    ['Name', j.Name],
    ['Submit Date', formatTime(j.SubmitTime / MS_TO_NS)],
    ['Type', j.Type],
    ['Priority', String(j.Priority)],
    ['Datacenters', j.Datacenters.join(',')],
    ['Namespace', j.Namespace],
    ['Status', jobStatusLabel(j.Status, j.Stop)],
    ['Periodic', String(j.Periodic)],
    ['Parameterized', String(j.ParameterizedJob)],
    ...childrenKV(s.Children, j.Stop, now),
  ]);
  if (s.FileErrors.length > 0) {
    out += '\nJob File Errors\n';
    for (const e of s.FileErrors) out += `  * ${oneLine(e.Error)} (version ${j.Version} keeps running)\n`;
  }
  if (s.Warnings.length > 0) {
    out += '\nWarnings\n';
    for (const w of s.Warnings) out += `  * ${w}\n`;
  }
  // A parent never runs itself: Nomad shows its children instead of a summary and allocations.
  if (s.Children !== null) return out + renderChildren(s.Children);
  out += '\nSummary\n';
  out += formatTable(
    ['Task Group', 'Queued', 'Starting', 'Running', 'Failed', 'Complete', 'Lost'],
    Object.entries(s.Summary).map(([g, c]) => [g, ...[c.Queued, c.Starting, c.Running, c.Failed, c.Complete, c.Lost].map(String)]),
  );
  if (verbose && s.Evaluations.length > 0) {
    // Only jobs registered through the API have (synthetic) evaluations. Nomad's
    // evalFailureStatus: the newest evaluation carries the job's placement failures.
    out += '\nEvaluations\n';
    out += formatTable(
      ['ID', 'Priority', 'Triggered By', 'Status', 'Placement Failures'],
      s.Evaluations.map((e, i) => [e.ID, String(e.Priority), e.TriggeredBy, e.Status, String(i === 0 && s.PlacementFailures.length > 0)]),
    );
  }
  if (s.PlacementFailures.length > 0) {
    out += '\nPlacement Failure\n';
    for (const f of s.PlacementFailures) {
      out += `Task Group "${f.group}" (failed to place ${f.count} allocation${f.count === 1 ? '' : 's'}):\n`;
      for (const r of f.reasons) out += `  * ${r}\n`;
    }
  }
  out += '\nAllocations\n';
  if (s.Allocations.length === 0) out += 'No allocations placed\n';
  else
    out += formatTable(
      ['ID', ...(verbose ? ['Eval ID'] : []), 'Node ID', ...(verbose ? ['Node Name'] : []), 'Task Group', 'Version', 'Desired', 'Status', 'Created', 'Modified'],
      s.Allocations.map((a) => [
        shortId(a.ID, verbose),
        ...(verbose ? [a.EvalID] : []),
        shortId(a.NodeID, verbose),
        ...(verbose ? [a.NodeName] : []),
        a.TaskGroup,
        String(a.JobVersion),
        a.DesiredStatus,
        a.ClientStatus,
        verbose ? formatTime(a.CreateTime / MS_TO_NS) : formatAgo(a.CreateTime / MS_TO_NS, now),
        verbose ? formatTime(a.ModifyTime / MS_TO_NS) : formatAgo(a.ModifyTime / MS_TO_NS, now),
      ]),
    );
  return out;
}
