/**
 * Field-for-field comparison of a response with a recorded Nomad response, values aside:
 * every field the recording has must be present in ours with the same JSON type, recursively.
 * A recorded null accepts anything; a recorded list or map accepts null in ours (Go's nil
 * slice and map read as empty, so a client cannot trip on them). Maps keyed by data (node
 * attributes, driver names, event details …) are compared value by value against any entry.
 */

/** Object keys whose children are keyed by data, not by field name. */
const MAPS = new Set(['Attributes', 'Drivers', 'Meta', 'Details', 'Config', 'Tags', 'NodesAvailable', 'Scores', 'Pids', 'Env', 'Links', 'TaskLifecycles', 'QueuedAllocations', 'Matches', 'Truncations', 'Updates']);

/**
 * Fields Nomad fills from deployments, which bivouac does not make (it carries out no update
 * strategy): null in ours, as Nomad itself answers for a job without a deployment (a batch
 * job's allocations). Nomad's CLI checks these for nil before reading them.
 */
const NO_DEPLOYMENT = new Set(['DeploymentStatus']);

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export function shapeDiff(recorded: unknown, ours: unknown, path = '$', problems: string[] = [], parentKey = ''): string[] {
  const rk = kind(recorded);
  const ok = kind(ours);
  if (rk === 'null') return problems;
  if (ok === 'null') {
    if (rk === 'array' || (rk === 'object' && MAPS.has(parentKey)) || NO_DEPLOYMENT.has(parentKey)) return problems;
    problems.push(`${path}: null, recorded ${rk}`);
    return problems;
  }
  if (rk !== ok) {
    problems.push(`${path}: ${ok}, recorded ${rk}`);
    return problems;
  }
  if (rk === 'array') {
    const r = recorded as unknown[];
    const o = ours as unknown[];
    if (r.length === 0 || o.length === 0) return problems;
    // Each of ours against the recorded element of the same kind: an event of its Type, an
    // allocation of its job, else the first.
    const same = (k: string, item: unknown): unknown => {
      const v = (item as Record<string, unknown> | null)?.[k];
      return v === undefined ? undefined : r.find((x) => (x as Record<string, unknown> | null)?.[k] === v);
    };
    for (const item of o) {
      const match = same('Type', item) ?? same('JobID', item) ?? same('Name', item) ?? r[0];
      shapeDiff(match, item, `${path}[]`, problems, parentKey);
    }
    return problems;
  }
  if (rk === 'object') {
    const r = recorded as Record<string, unknown>;
    const o = ours as Record<string, unknown>;
    if (MAPS.has(parentKey)) {
      // Keyed by data: an entry is held against the recorded entry of the same key, if any.
      for (const [k, v] of Object.entries(o)) if (k in r) shapeDiff(r[k], v, `${path}.${k}`, problems, '');
      return problems;
    }
    for (const [k, v] of Object.entries(r)) {
      if (!(k in o)) {
        problems.push(`${path}.${k}: missing`);
        continue;
      }
      shapeDiff(v, o[k], `${path}.${k}`, problems, k);
    }
  }
  return problems;
}
