/**
 * The crash invariants, checked against the database (opened read-only, as `status` does)
 * and /proc:
 *   a. a task the DB says is running (state running, with a handle) has exactly one live
 *      process group, led by the handle's pid;
 *   b. no live marked process that the DB does not know as that task's running or starting attempt;
 *   c. a terminal allocation never runs again: no Started event after it settled, no live process;
 *   d. event histories only grow;
 *   e. PRAGMA integrity_check = ok;
 *   f, g: the containment invariants (cgroups.ts).
 */
import { isTerminalClientStatus, listAllAllocs, listTaskEvents, listTaskStates, getHandle, openState, type ClientStatus, type TaskStateName } from '../../src/state/index.js';
import type { MarkedProcess } from './procs.js';

export type InvariantName = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'agent';

export interface Violation {
  readonly invariant: InvariantName;
  readonly detail: string;
  /** What the violation is about (task attempt, pid): the same key seen for long is no passing race. */
  readonly key?: string;
}

export interface TaskSnap {
  readonly task: string;
  readonly state: TaskStateName;
  readonly starting: boolean;
  readonly attempt: number;
  /** The stored handle's attempt and pid, when there is a handle. */
  readonly handle: { readonly attempt: number; readonly pid: number | null } | null;
}

export interface AllocSnap {
  readonly id: string;
  readonly jobId: string;
  readonly clientStatus: ClientStatus;
  readonly tasks: readonly TaskSnap[];
  /** `id:task:type`, oldest first. */
  readonly events: readonly string[];
}

export interface DbSnap {
  readonly allocs: ReadonlyMap<string, AllocSnap>;
  readonly integrity: string;
  /** Everything but events and integrity: equal keys mean no state moved between two reads. */
  readonly stateKey: string;
}

function handlePid(handle: unknown): number | null {
  if (typeof handle !== 'object' || handle === null) return null;
  const state = (handle as { state?: unknown }).state;
  if (typeof state !== 'object' || state === null) return null;
  const pid = (state as { pid?: unknown }).pid;
  return typeof pid === 'number' ? pid : null;
}

export function readDb(dbPath: string, withIntegrity: boolean): DbSnap {
  const db = openState(dbPath, { readonly: true });
  try {
    const allocs = new Map<string, AllocSnap>();
    for (const a of listAllAllocs(db)) {
      const tasks: TaskSnap[] = listTaskStates(db, a.id).map((t) => {
        const h = getHandle(db, a.id, t.task);
        return { task: t.task, state: t.state, starting: t.starting, attempt: t.attempt, handle: h ? { attempt: h.attempt, pid: handlePid(h.handle) } : null };
      });
      const events = listTaskEvents(db, a.id).map((e) => `${e.id}:${e.task}:${e.type}`);
      allocs.set(a.id, { id: a.id, jobId: a.jobId, clientStatus: a.clientStatus, tasks, events });
    }
    let integrity = 'not checked';
    if (withIntegrity) {
      const rows = db.pragma('integrity_check') as { integrity_check: string }[];
      integrity = rows.map((r) => r.integrity_check).join('; ');
    }
    const stateKey = JSON.stringify([...allocs.values()].map((a) => [a.id, a.clientStatus, a.tasks]));
    return { allocs, integrity, stateKey };
  } finally {
    db.close();
  }
}

/**
 * a, b and the live half of c: the DB and the process table agree. `before` and `snap` are
 * reads of the DB either side of the /proc scan; a task whose row moved between them is not
 * judged (it was mid-change while /proc was read).
 */
export function checkLive(before: DbSnap, snap: DbSnap, procs: readonly MarkedProcess[]): Violation[] {
  const out: Violation[] = [];
  const steady = (allocId: string, task: string): boolean => {
    const x = before.allocs.get(allocId);
    const y = snap.allocs.get(allocId);
    if (!x || !y || x.clientStatus !== y.clientStatus) return false;
    return JSON.stringify(x.tasks.find((t) => t.task === task)) === JSON.stringify(y.tasks.find((t) => t.task === task));
  };
  const byTask = new Map<string, MarkedProcess[]>();
  for (const p of procs) {
    const k = `${p.allocId}/${p.task}`;
    byTask.set(k, [...(byTask.get(k) ?? []), p]);
  }
  for (const a of snap.allocs.values()) {
    for (const t of a.tasks) {
      if (t.state !== 'running' || !t.handle || !steady(a.id, t.task)) continue;
      const mine = (byTask.get(`${a.id}/${t.task}`) ?? []).filter((p) => p.attempt === t.handle?.attempt);
      const leaders = [...new Set(mine.map((p) => p.pgid))];
      if (leaders.length !== 1) {
        out.push({
          invariant: 'a',
          key: `a:${a.id}/${t.task}/${t.handle.attempt}/${leaders.length}`,
          detail: `alloc ${a.id} (${a.jobId}, ${a.clientStatus}) task ${t.task} attempt ${t.handle.attempt} is running in the DB with ${leaders.length} live process groups [${leaders.join(',')}]`,
        });
      } else if (t.handle.pid !== null && leaders[0] !== t.handle.pid) {
        out.push({ invariant: 'a', key: `a:${a.id}/${t.task}/${t.handle.attempt}/pid`, detail: `alloc ${a.id} task ${t.task}: the live group is ${leaders[0]}, the handle says ${t.handle.pid}` });
      }
    }
  }
  for (const p of procs) {
    // A process of an allocation created after the first read is judged only once the rows stand still.
    if (before.allocs.has(p.allocId) && !steady(p.allocId, p.task)) continue;
    const a = snap.allocs.get(p.allocId);
    const t = a?.tasks.find((x) => x.task === p.task);
    const known = t !== undefined && ((t.state === 'running' && t.handle?.attempt === p.attempt) || (t.starting && t.attempt === p.attempt));
    if (!known) {
      out.push({
        invariant: 'b',
        key: `b:${p.pid}:${p.marker}`,
        detail: `orphan pid ${p.pid} (group ${p.pgid}) marker ${p.marker}: DB has ${t ? `task ${t.state}${t.starting ? ' starting' : ''} attempt ${t.attempt} handle ${t.handle ? t.handle.attempt : 'none'}` : 'no such task'}${a ? `, alloc ${a.clientStatus}` : ', no such alloc'}`,
      });
    }
    // A sibling being killed lives on for its kill timeout; one that outlasts persistMs is never going away.
    if (a && isTerminalClientStatus(a.clientStatus)) {
      out.push({ invariant: 'c', key: `c:${p.pid}`, detail: `pid ${p.pid} (${p.marker}) is alive but alloc ${a.id} is ${a.clientStatus} (tasks ${a.tasks.map((x) => `${x.task}=${x.state}`).join(', ')})` });
    }
  }
  return out;
}

/** What earlier rounds saw, for the history invariants c and d. */
export class History {
  /** allocId → events at the time it was seen terminal with every task dead. */
  private readonly settledTerminal = new Map<string, { status: ClientStatus; eventCount: number }>();
  private readonly events = new Map<string, readonly string[]>();

  check(snap: DbSnap): Violation[] {
    const out: Violation[] = [];
    if (snap.integrity !== 'ok') out.push({ invariant: 'e', detail: `integrity_check: ${snap.integrity}` });
    for (const [id, before] of this.events) {
      const a = snap.allocs.get(id);
      if (!a) {
        out.push({ invariant: 'd', detail: `alloc ${id} with ${before.length} events has vanished` });
        continue;
      }
      const lost = before.filter((e, i) => a.events[i] !== e);
      if (lost.length > 0) out.push({ invariant: 'd', detail: `alloc ${id} lost or reordered events: ${lost.slice(0, 5).join(', ')}` });
    }
    for (const [id, t] of this.settledTerminal) {
      const a = snap.allocs.get(id);
      if (!a) continue;
      if (!isTerminalClientStatus(a.clientStatus)) out.push({ invariant: 'c', detail: `alloc ${id} was ${t.status} and is now ${a.clientStatus}` });
      const after = a.events.slice(t.eventCount).filter((e) => e.endsWith(':Started'));
      if (after.length > 0) out.push({ invariant: 'c', detail: `alloc ${id} was ${t.status} with every task dead, then got ${after.join(', ')}` });
      const alive = a.tasks.filter((x) => x.state !== 'dead');
      if (alive.length > 0) out.push({ invariant: 'c', detail: `alloc ${id} was ${t.status} with every task dead, now ${alive.map((x) => `${x.task}=${x.state}`).join(', ')}` });
    }
    return out;
  }

  record(snap: DbSnap): void {
    for (const a of snap.allocs.values()) {
      this.events.set(a.id, a.events);
      if (!this.settledTerminal.has(a.id) && isTerminalClientStatus(a.clientStatus) && a.tasks.every((t) => t.state === 'dead')) {
        this.settledTerminal.set(a.id, { status: a.clientStatus, eventCount: a.events.length });
      }
    }
  }

  get allocCount(): number {
    return this.events.size;
  }

  get terminalCount(): number {
    return this.settledTerminal.size;
  }
}
