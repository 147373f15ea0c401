import type { EvalRecord } from '../state/index.js';
import { MS_TO_NS } from '../cli/format.js';

/**
 * Nomad's Evaluation (`GET /v1/evaluation/:id`, `/v1/job/:id/evaluations`). bivouac
 * schedules in its own passes, so each is a record of a registration or stop, complete when
 * made: what Nomad's CLI monitor needs to end.
 */
export interface ApiEval {
  readonly ID: string;
  readonly Namespace: string;
  readonly Priority: number;
  readonly Type: string;
  readonly TriggeredBy: string;
  readonly JobID: string;
  readonly JobModifyIndex: number;
  /** Always '': bivouac makes no deployments. */
  readonly DeploymentID: string;
  readonly Status: string;
  readonly StatusDescription: string;
  readonly QueuedAllocations: Readonly<Record<string, number>>;
  readonly SnapshotIndex: number;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
  readonly CreateTime: number;
  readonly ModifyTime: number;
}

/** `queued`: per group, the allocations the last pass could not place. */
export function apiEval(e: EvalRecord, queued: Readonly<Record<string, number>> = {}): ApiEval {
  return {
    ID: e.id,
    Namespace: e.namespace,
    Priority: e.priority,
    Type: e.type,
    TriggeredBy: e.triggeredBy,
    JobID: e.jobId,
    JobModifyIndex: e.jobModifyIndex,
    DeploymentID: '',
    Status: e.status,
    StatusDescription: '',
    QueuedAllocations: queued,
    SnapshotIndex: e.createIndex,
    CreateIndex: e.createIndex,
    ModifyIndex: e.createIndex,
    CreateTime: e.createTime * MS_TO_NS,
    ModifyTime: e.createTime * MS_TO_NS,
  };
}
