/**
 * Nomad's Job object (`GET /v1/job/:id`, `nomad job inspect`, `--json`): the stored spec in
 * API JSON, Nomad's defaults filled in where the file is silent, and the record's state.
 */
import { toApiJson, type ApiObject, type ApiValue } from '../jobspec/api-json.js';
import type { Job } from '../jobspec/types.js';
import type { JobRecord } from '../state/index.js';
import { MS_TO_NS } from '../cli/format.js';
import {
  GROUP_ZERO, JOB_ZERO, MIGRATE_SERVICE, NETWORK_ZERO, PORT_ZERO, RESOURCES_ZERO, TASK_ZERO, UPDATE_JOB_SERVICE, UPDATE_NONE, UPDATE_SERVICE,
  asObj, fill, fillList, reschedulePolicy,
} from './nomad-zero.js';

export interface JobState {
  readonly status: string;
  readonly stop: boolean;
  readonly version: number;
  readonly submitTime: number;
  readonly createIndex: number;
  readonly modifyIndex: number;
  readonly jobModifyIndex: number;
}

export function jobStateOf(r: JobRecord, status: string, version = r.version): JobState {
  return { status, stop: r.stopped, version, submitTime: r.submitTime, createIndex: r.createIndex, modifyIndex: r.modifyIndex, jobModifyIndex: r.jobModifyIndex };
}

function network(n: Record<string, ApiValue>): ApiValue {
  return { ...n, ReservedPorts: fillList(n.ReservedPorts, PORT_ZERO), DynamicPorts: fillList(n.DynamicPorts, PORT_ZERO) };
}

/** The job spec alone, as API JSON with Nomad's defaults (no state): `jobs/parse`, plan and history use it. */
export function apiJobSpec(job: Job): Record<string, ApiValue> {
  const raw = toApiJson(job).Job;
  const service = job.type === 'service';
  const jobUpdate = asObj(raw.Update);
  const groups = (raw.TaskGroups as readonly ApiObject[]).map((g) => {
    const out = fill(g, GROUP_ZERO);
    if (service) {
      out.Update = fill(asObj(g.Update) ?? jobUpdate ?? {}, UPDATE_SERVICE);
      out.Migrate = fill(asObj(g.Migrate) ?? {}, MIGRATE_SERVICE);
    }
    out.ReschedulePolicy = g.ReschedulePolicy ?? reschedulePolicy(job.type);
    out.Networks = fillList(g.Networks, NETWORK_ZERO, network);
    out.Tasks = (g.Tasks as readonly ApiObject[]).map((t) => {
      const task = fill(t, TASK_ZERO);
      const res = fill(asObj(t.Resources) ?? {}, RESOURCES_ZERO);
      res.Networks = fillList(res.Networks, NETWORK_ZERO, network);
      task.Resources = res;
      return task;
    });
    return out;
  });
  const out = fill({ ...raw, TaskGroups: groups }, JOB_ZERO);
  out.Update = jobUpdate ? fill(jobUpdate, UPDATE_NONE) : service ? UPDATE_JOB_SERVICE : UPDATE_NONE;
  out.ParameterizedJob = raw.ParameterizedJob ?? null;
  return out;
}

export function apiJob(job: Job, st: JobState): Record<string, ApiValue> {
  return {
    ...apiJobSpec(job),
    Stop: st.stop,
    Status: st.status,
    Version: st.version,
    SubmitTime: st.submitTime * MS_TO_NS,
    CreateIndex: st.createIndex,
    ModifyIndex: st.modifyIndex,
    JobModifyIndex: st.jobModifyIndex,
  };
}
