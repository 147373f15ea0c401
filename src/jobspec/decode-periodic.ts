/** The job's `periodic` and `parameterized` blocks, typed: the agent launches children from both. */
import { bool, checkKeys, oneBlock, remember, report, str, strList, type Node } from './decode-ctx.js';
import type { Parameterized, Periodic } from './types.js';

const PERIODIC_KEYS = ['cron', 'crons', 'prohibit_overlap', 'time_zone', 'enabled'];
const PARAMETERIZED_KEYS = ['payload', 'meta_required', 'meta_optional'];

export function decodePeriodic(job: Node): Periodic | null {
  const node = oneBlock(job, 'periodic');
  if (node === null) return null;
  checkKeys(node, PERIODIC_KEYS);
  remember(node);
  for (const k of PERIODIC_KEYS) remember(node, k);
  const crons = strList(node, 'crons');
  const cron = str(node, 'cron', '');
  if (cron === '' && crons.length === 0) report(node, 'MISSING_REQUIRED', { key: 'cron' });
  if (cron !== '' && crons.length > 0) report(node, 'INVALID_VALUE', { message: 'cron and crons cannot both be set' }, 'crons');
  return {
    cron: cron !== '' ? cron : crons[0] ?? '',
    crons: cron !== '' ? [cron, ...crons] : crons,
    prohibitOverlap: bool(node, 'prohibit_overlap', false),
    timeZone: str(node, 'time_zone', 'UTC'),
    enabled: bool(node, 'enabled', true),
  };
}

export function decodeParameterized(job: Node): Parameterized | null {
  const node = oneBlock(job, 'parameterized');
  if (node === null) return null;
  checkKeys(node, PARAMETERIZED_KEYS);
  remember(node);
  for (const k of PARAMETERIZED_KEYS) remember(node, k);
  return {
    payload: str(node, 'payload', 'optional'),
    metaRequired: strList(node, 'meta_required'),
    metaOptional: strList(node, 'meta_optional'),
  };
}
