import type { Database } from '../state/index.js';
import { listLiveAllocs } from '../state/index.js';
import type { JobCache } from './job-cache.js';
import { allocDirPaths } from '../runner/taskdir.js';
import { rotateIfNeeded, rotationConfig } from '../runner/logs.js';
import type { Logger } from '../util/logger.js';

/**
 * Tasks write straight to append-mode log files that outlive the agent, so rotation is the
 * agent's periodic copy-and-truncate (runner/logs.ts) over every live task's two streams.
 */
export class LogRotationLoop {
  constructor(
    private readonly db: Database,
    private readonly jobs: JobCache,
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {}

  tick(): void {
    for (const a of listLiveAllocs(this.db)) {
      const job = this.jobs.get(a.jobId, a.jobVersion);
      const group = job?.groups.find((g) => g.name === a.taskGroup);
      if (!group) continue;
      const paths = allocDirPaths(this.dataDir, a.id, group.tasks.map((t) => t.name));
      for (const task of group.tasks) {
        for (const stream of ['stdout', 'stderr'] as const) {
          try {
            rotateIfNeeded(paths.logsDir, task.name, stream, rotationConfig(task.logs));
          } catch (err) {
            this.log.warn({ err, allocId: a.id, task: task.name, stream }, 'log rotation failed');
          }
        }
      }
    }
  }
}
