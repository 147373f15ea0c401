/** A task config for an rkt shell pod in the stand-in's sandbox, laid out as the runner lays it out. */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskConfig } from '../../src/drivers/types.js';
import type { RktSandbox } from '../helpers/rkt.js';

let seq = 0;

/** `/bin/sh -c script` in example.com/sh:1.0, with `memory` (and `memory_max` when > 0). */
export function shellPodConfig(sb: RktSandbox, script: string, memoryMB = 64, memoryMaxMB = 0): TaskConfig {
  const id = `p${++seq}`;
  const root = join(sb.root, id);
  const d = { allocDir: join(root, 'alloc'), taskDir: join(root, 'task'), localDir: join(root, 'task', 'local'), secretsDir: join(root, 'task', 'secrets'), tmpDir: join(root, 'task', 'tmp') };
  Object.values(d).forEach((p) => mkdirSync(p, { recursive: true }));
  // The app runs as nobody.
  chmodSync(d.allocDir, 0o777);
  return {
    id: `alloc-${id}/app`, allocId: `a${id}`, jobId: 'job', groupName: 'g', taskName: 'app',
    driverConfig: { image: 'example.com/sh:1.0', command: '/bin/sh', args: ['-c', script] },
    env: {}, user: '', resources: { cpu: 100, memoryMB, memoryMaxMB }, ports: [],
    dirs: d, stdoutPath: join(root, 'stdout.0'), stderrPath: join(root, 'stderr.0'),
  };
}
