/** The file's root and its one `job` block to a `Job`, with Nomad's defaults. */
import {
  bool, checkKeys, int, isObject, labelled, oneBlock, remember, report, str, strList, strMap, type Node,
} from './decode-ctx.js';
import { decodeConstraints } from './decode-constraint.js';
import { decodeExtra } from './decode-extra.js';
import { decodeGroup, implicitGroup } from './decode-group.js';
import { decodeParameterized, decodePeriodic } from './decode-periodic.js';
import { decodeReschedule, defaultReschedule } from './decode-reschedule.js';
import { DEFAULTS, JOB_TYPES, defaultRestart } from './defaults.js';
import { JOB_EXTRA } from './schema.js';
import type { Group, Job, JobType } from './types.js';

const ROOT_KEYS = ['job', 'variable', 'variables', 'locals'];
const JOB_KEYS = [
  'id', 'name', 'type', 'priority', 'region', 'namespace', 'datacenters', 'all_at_once', 'constraint', 'meta',
  'periodic', 'parameterized', 'group', 'task', ...Object.keys(JOB_EXTRA),
];

export function decodeRoot(root: Node): Job | null {
  checkKeys(root, ROOT_KEYS);
  const jobs = labelled(root, 'job');
  if (jobs.length === 0) {
    if (Array.isArray(root.body['job'])) report(root, 'MISSING_LABEL', { key: 'job', hint: ' (the job ID)' }, 'job');
    else report(root, 'NO_JOB', {});
    return null;
  }
  if (jobs.length > 1) report(jobs[1].node, 'MULTIPLE_JOBS', {});
  return decodeJob(jobs[0].node, jobs[0].label);
}

function decodeJob(node: Node, id: string): Job {
  checkKeys(node, JOB_KEYS);
  remember(node);
  remember(node, 'priority');
  const typeText = str(node, 'type', DEFAULTS.type);
  let type: JobType = DEFAULTS.type;
  if ((JOB_TYPES as readonly string[]).includes(typeText)) type = typeText as JobType;
  else report(node, 'INVALID_VALUE', { message: `Invalid job type: "${typeText}"` }, 'type');
  const restart = defaultRestart(type);
  const reschedule = decodeReschedule(node, defaultReschedule(type));

  const groups: Group[] = [];
  // Nomad's parser puts the groups made from bare tasks first, then the declared groups.
  if (isObject(node.body['task'])) {
    for (const { label, node: t } of labelled(node, 'task')) groups.push(implicitGroup(t, label, restart, reschedule));
  } else if (node.body['task'] !== undefined) {
    report(node, 'MISSING_LABEL', { key: 'task', hint: ' (the task name)' }, 'task');
  }
  if (Array.isArray(node.body['group'])) report(node, 'MISSING_LABEL', { key: 'group', hint: ' (the group name)' }, 'group');
  else for (const { label, node: g } of labelled(node, 'group')) groups.push(decodeGroup(g, label, restart, reschedule));

  const datacenters = strList(node, 'datacenters');
  return {
    id,
    name: str(node, 'name', id),
    type,
    priority: int(node, 'priority', DEFAULTS.priority),
    region: str(node, 'region', DEFAULTS.region),
    namespace: str(node, 'namespace', DEFAULTS.namespace),
    datacenters: datacenters.length > 0 ? datacenters : [...DEFAULTS.datacenters],
    allAtOnce: bool(node, 'all_at_once', false),
    constraints: decodeConstraints(node),
    meta: strMap(node, 'meta'),
    periodic: decodePeriodic(node),
    parameterized: decodeParameterized(node),
    groups,
    extra: decodeExtra(node, JOB_EXTRA),
  };
}
