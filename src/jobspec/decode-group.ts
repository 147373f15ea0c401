/** A `group` block (or a bare `task` in a job, which Nomad wraps in a group of its name). */
import { bool, checkKeys, int, isObject, labelled, oneBlock, remember, report, strMap, type Node } from './decode-ctx.js';
import { decodeConstraints } from './decode-constraint.js';
import { decodeExtra, decodeGroupScaling } from './decode-extra.js';
import { decodeGroupNetworks } from './decode-resources.js';
import { decodeReschedule } from './decode-reschedule.js';
import { decodeRestart, decodeTask } from './decode-task.js';
import { DEFAULTS } from './defaults.js';
import { GROUP_EXTRA } from './schema.js';
import type { EphemeralDisk, Group, ReschedulePolicy, RestartPolicy, Task } from './types.js';

const GROUP_KEYS = [
  'count', 'constraint', 'restart', 'reschedule', 'ephemeral_disk', 'network', 'meta', 'task', 'scaling', ...Object.keys(GROUP_EXTRA),
];
const DISK_KEYS = ['size', 'sticky', 'migrate'];

export function decodeGroup(node: Node, name: string, typeRestart: RestartPolicy, jobReschedule: ReschedulePolicy | null): Group {
  checkKeys(node, GROUP_KEYS);
  remember(node);
  remember(node, 'count');
  const restart = decodeRestart(node, typeRestart);
  const scaling = decodeGroupScaling(node);
  // With a scaling block and no count, Nomad starts at the policy's minimum.
  const scalingMin = scaling !== null && typeof scaling['Min'] === 'number' ? scaling['Min'] : DEFAULTS.count;
  const extra = decodeExtra(node, GROUP_EXTRA);
  return {
    name,
    count: int(node, 'count', scalingMin),
    constraints: decodeConstraints(node),
    restart,
    reschedule: decodeReschedule(node, jobReschedule),
    ephemeralDisk: decodeDisk(node),
    networks: decodeGroupNetworks(node),
    meta: strMap(node, 'meta'),
    tasks: decodeTasks(node, restart),
    extra: scaling === null ? extra : { ...extra, Scaling: scaling },
  };
}

function decodeTasks(node: Node, restart: RestartPolicy): Task[] {
  if (Array.isArray(node.body['task'])) {
    report(node, 'MISSING_LABEL', { key: 'task', hint: ' (the task name)' }, 'task');
    return [];
  }
  if (node.body['task'] !== undefined && !isObject(node.body['task'])) return [];
  return labelled(node, 'task').map(({ label, node: t }) => decodeTask(t, label, restart));
}

/** The group a bare `task "x"` in a job becomes: every group field at its default. */
export function implicitGroup(task: Node, name: string, typeRestart: RestartPolicy, jobReschedule: ReschedulePolicy | null): Group {
  return {
    name,
    count: DEFAULTS.count,
    constraints: [],
    restart: typeRestart,
    reschedule: jobReschedule,
    ephemeralDisk: { sizeMB: DEFAULTS.ephemeralDiskMB, sticky: false, migrate: false },
    networks: [],
    meta: {},
    tasks: [decodeTask(task, name, typeRestart)],
    extra: {},
  };
}

function decodeDisk(group: Node): EphemeralDisk {
  const node = oneBlock(group, 'ephemeral_disk');
  if (node === null) return { sizeMB: DEFAULTS.ephemeralDiskMB, sticky: false, migrate: false };
  checkKeys(node, DISK_KEYS);
  remember(node);
  return {
    sizeMB: int(node, 'size', DEFAULTS.ephemeralDiskMB),
    sticky: bool(node, 'sticky', false),
    migrate: bool(node, 'migrate', false),
  };
}
