import type { Job } from '../jobspec/types.js';
import type { Database } from '../state/index.js';
import { getJobVersion } from '../state/index.js';

/**
 * Decoded job versions by (job, version). A version row never changes once written, so
 * this cache can never be stale; it only saves parsing the same spec JSON on every pass.
 */
export class JobCache {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly db: Database) {}

  get(jobId: string, version: number): Job | null {
    const key = `${version}\u0000${jobId}`;
    const hit = this.jobs.get(key);
    if (hit) return hit;
    // A version not written yet is not remembered as missing: it may be written next.
    const job = getJobVersion(this.db, jobId, version)?.job ?? null;
    if (job) this.jobs.set(key, job);
    return job;
  }
}
