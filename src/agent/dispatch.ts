/**
 * `job dispatch` and `job periodic force`: a child job written straight into the state
 * database, so both work with the agent down; a running agent notices the commit (it polls
 * SQLite's data_version) and starts the child on its next pass.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../state/index.js';
import { getCurrentJobVersion, getJob, insertChildJob, tx } from '../state/index.js';
import { canonicalHash } from '../jobspec/hash.js';
import { childJob, dispatchChildId, periodicChildId } from '../scheduler/children.js';
import { dispatchProblems } from '../scheduler/dispatch.js';
import { BivouacError } from '../util/errors.js';

export function dispatchJob(db: Database, parentId: string, meta: Readonly<Record<string, string>>, payload: Buffer | null, now: number): string {
  return tx(db, () => {
    const job = getJob(db, parentId);
    const v = getCurrentJobVersion(db, parentId);
    if (job === null || v === null) throw new BivouacError('NOT_FOUND', `job "${parentId}" not found`);
    if (job.stopped) throw new BivouacError('DISPATCH', `Job "${parentId}" is stopped: its job file was removed`);
    const problems = dispatchProblems(v.job, meta, payload);
    if (problems.length > 0) throw new BivouacError('DISPATCH', problems.join('; '));
    const id = dispatchChildId(parentId, now, randomBytes(4).toString('hex'));
    const child = childJob(v.job, id, meta);
    insertChildJob(db, parentId, child, canonicalHash(child), job.sourceFile, now, payload !== null && payload.length > 0 ? payload : null);
    return id;
  });
}

/** Launches a periodic job's child now, whatever its schedule (Nomad's periodic force). */
export function forcePeriodicLaunch(db: Database, parentId: string, now: number): string {
  return tx(db, () => {
    const job = getJob(db, parentId);
    const v = getCurrentJobVersion(db, parentId);
    if (job === null || v === null) throw new BivouacError('NOT_FOUND', `job "${parentId}" not found`);
    if (v.job.periodic === null) throw new BivouacError('DISPATCH', `Job "${parentId}" is not periodic`);
    let at = now;
    // Two forces in one second would share an ID: the second takes the next free second.
    while (getJob(db, periodicChildId(parentId, at)) !== null) at += 1000;
    const id = periodicChildId(parentId, at);
    const child = childJob(v.job, id);
    insertChildJob(db, parentId, child, canonicalHash(child), job.sourceFile, now, null);
    return id;
  });
}
