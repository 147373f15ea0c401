import type { NodeInfo } from '../node/types.js';
import { stmt, type Database } from './db.js';

export type NodeStatus = 'initializing' | 'ready' | 'down';

export interface NodeRecord {
  readonly info: NodeInfo;
  readonly status: NodeStatus;
  readonly updatedAt: number;
}

export function putNode(db: Database, info: NodeInfo, status: NodeStatus, now: number): void {
  stmt(
    db,
    `INSERT INTO node (id, name, status, info_json, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, status = excluded.status, info_json = excluded.info_json, updated_at = excluded.updated_at`,
  ).run(info.id, info.name, status, JSON.stringify(info), now);
}

export function setNodeStatus(db: Database, status: NodeStatus, now: number): void {
  stmt(db, 'UPDATE node SET status = ?, updated_at = ?').run(status, now);
}

export function getNode(db: Database): NodeRecord | null {
  const r = stmt(db, 'SELECT status, info_json, updated_at FROM node LIMIT 1').get() as
    | { status: string; info_json: string; updated_at: number }
    | undefined;
  return r ? { info: JSON.parse(r.info_json) as NodeInfo, status: r.status as NodeStatus, updatedAt: r.updated_at } : null;
}

export function appendNodeEvent(db: Database, time: number, subsystem: string, message: string, details = ''): void {
  stmt(db, 'INSERT INTO node_events (time, subsystem, message, details) VALUES (?, ?, ?, ?)').run(time, subsystem, message, details);
}

export function listNodeEvents(db: Database, limit = 10): { time: number; subsystem: string; message: string; details: string }[] {
  return (stmt(db, 'SELECT time, subsystem, message, details FROM node_events ORDER BY id DESC LIMIT ?').all(limit) as {
    time: number;
    subsystem: string;
    message: string;
    details: string;
  }[]);
}
