/** rkt pods left to remove (schema 7): written when `rkt rm` fails, deleted once it succeeds. */
import { stmt, type Database } from './db.js';

/** Records a pod whose removal failed; a second failure keeps the first time. */
export function addPodRemoval(db: Database, uuid: string, taskId: string, now: number): void {
  stmt(db, 'INSERT INTO rkt_pod_removals (uuid, task_id, failed_at) VALUES (?, ?, ?) ON CONFLICT (uuid) DO NOTHING').run(uuid, taskId, now);
}

export function deletePodRemoval(db: Database, uuid: string): void {
  stmt(db, 'DELETE FROM rkt_pod_removals WHERE uuid = ?').run(uuid);
}

/** UUIDs of the pods still to remove, oldest failure first. */
export function listPodRemovals(db: Database): string[] {
  return (stmt(db, 'SELECT uuid FROM rkt_pod_removals ORDER BY failed_at, uuid').all() as { uuid: string }[]).map((r) => r.uuid);
}
