/**
 * Nomad's API JSON (`{"Job": {…}}`, as `nomad job run -output` prints it and `PUT /v1/jobs`
 * receives it) to the same typed, defaulted, validated Job as an HCL file gives. The JSON is
 * turned into the tree the HCL decoder reads (snake_case keys, blocks as lists, labelled blocks
 * by label), so one decoder applies one set of defaults and checks to both. Go's zero values
 * (`""`, `0`, `false`, `null`) mean "not set", as Nomad's own canonicalisation reads them; a
 * set field bivouac does not know becomes an unknown-key error, never a silent drop.
 */
import { makeDiagnostic } from './diagnostics.js';
import type { Sink } from './decode-ctx.js';
import { decodeRoot } from './decode-job.js';
import { GROUP_EXTRA, JOB_EXTRA, TASK_EXTRA, type Field, type Schema } from './schema.js';
import type { HclObject, HclValue } from './parse.js';
import type { Diagnostic, ParseResult } from './types.js';
import { validateJob } from './validate.js';
import { apiName } from './decode-extra.js';

/** Job files in API JSON: `<id>.nomad.json` (what the HTTP API writes) or any `*.nomad.json`. */
export function isApiJobFileName(name: string): boolean {
  return name.endsWith('.nomad.json') && name.length > '.nomad.json'.length && !name.startsWith('.');
}

type Json = HclValue | undefined;
type Obj = { readonly [k: string]: HclValue };

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Go's zero values: a field left unset by the client. */
const isZero = (v: Json): boolean => v === undefined || v === null || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0);

/** Fields the API carries that describe state or the request, not the job spec. */
const JOB_STATE = new Set([
  'Stop', 'Status', 'StatusDescription', 'Stable', 'Version', 'SubmitTime', 'CreateIndex', 'ModifyIndex', 'JobModifyIndex',
  'ParentID', 'Dispatched', 'Payload', 'NomadTokenID', 'VaultToken', 'ConsulToken',
]);

type Out = Record<string, HclValue>;

function put(out: Out, key: string, v: Json): void {
  if (!isZero(v)) out[key] = v as HclValue;
}

/** The rest of an object after the named fields: known extras by schema, anything else as an unknown key. */
function rest(o: Obj, handled: ReadonlySet<string>, extras: Readonly<Record<string, Field>>, out: Out): void {
  const byApi = new Map<string, [string, Field]>();
  for (const [k, f] of Object.entries(extras)) byApi.set(typeof f === 'object' && f.api ? f.api : apiName(k), [k, f]);
  for (const [k, v] of Object.entries(o)) {
    if (handled.has(k) || isZero(v)) continue;
    const known = byApi.get(k);
    if (known) out[known[0]] = extraValue(v, known[1]);
    else out[k] = v;
  }
}

function extraValue(v: HclValue, f: Field): HclValue {
  if (typeof f !== 'object') return v;
  const body = (x: HclValue): HclValue => (isObj(x) ? extraBody(x, f.block) : x);
  if (f.labelled && isObj(v)) return Object.fromEntries(Object.entries(v).map(([label, x]) => [label, [stripName(body(x))]]));
  return Array.isArray(v) ? v.map(body) : [body(v)];
}

function stripName(v: HclValue): HclValue {
  if (!isObj(v)) return v;
  const { name: _n, ...r } = v;
  void _n;
  return r;
}

function extraBody(o: Obj, schema: Schema): HclObject {
  if (schema.open) return o;
  const out: Out = {};
  rest(o, new Set(), schema.fields, out);
  return out;
}

/**
 * A value of the wrong shape is handed on as it is, so the decoder reports it (WRONG_TYPE) as it
 * would in a file; only a well-shaped one is translated.
 */
function constraints(v: Json): HclValue | undefined {
  if (!Array.isArray(v)) return v ?? undefined;
  return v.map((c) => {
    if (!isObj(c)) return c;
    const out: Out = {};
    put(out, 'attribute', c.LTarget);
    put(out, 'operator', c.Operand);
    put(out, 'value', c.RTarget);
    return out;
  });
}

function restart(v: Json): HclValue | undefined {
  if (!isObj(v)) return v ?? undefined;
  const out: Out = {};
  if (v.Attempts !== undefined && v.Attempts !== null) out.attempts = v.Attempts;
  put(out, 'interval', v.Interval);
  put(out, 'delay', v.Delay);
  put(out, 'mode', v.Mode);
  rest(v, new Set(['Attempts', 'Interval', 'Delay', 'Mode']), {}, out);
  return [out];
}

function networks(v: Json): HclValue | undefined {
  if (!Array.isArray(v)) return v ?? undefined;
  return v.map((n) => {
    if (!isObj(n)) return n;
    const out: Out = {};
    put(out, 'mode', n.Mode);
    put(out, 'mbits', n.MBits);
    const ports: Out = {};
    const add = (list: Json, reserved: boolean): void => {
      if (!isZero(list) && !Array.isArray(list)) {
        out.port = list as HclValue;
        return;
      }
      for (const p of Array.isArray(list) ? list : []) {
        if (!isObj(p)) {
          out.port = p;
          continue;
        }
        const body: Out = {};
        if (reserved) body.static = (p.Value ?? 0) as HclValue;
        put(body, 'to', p.To);
        put(body, 'host_network', p.HostNetwork === 'default' ? '' : p.HostNetwork);
        ports[String(p.Label)] = [body];
      }
    };
    add(n.ReservedPorts, true);
    add(n.DynamicPorts, false);
    if (Object.keys(ports).length > 0) out.port = ports;
    // Addresses the scheduler fills in, not the spec: a client may echo them back.
    rest(n, new Set(['Mode', 'MBits', 'ReservedPorts', 'DynamicPorts', 'Device', 'CIDR', 'IP']), {}, out);
    return out;
  });
}

function task(t: Obj): Out {
  const out: Out = {};
  put(out, 'driver', t.Driver);
  put(out, 'user', t.User);
  if (isObj(t.Config)) out.config = [t.Config];
  else put(out, 'config', t.Config);
  put(out, 'env', t.Env);
  put(out, 'meta', t.Meta);
  if (isObj(t.Resources)) {
    const r = t.Resources;
    const res: Out = {};
    put(res, 'cpu', r.CPU);
    put(res, 'cores', r.Cores);
    put(res, 'memory', r.MemoryMB);
    put(res, 'memory_max', r.MemoryMaxMB);
    const nets = networks(r.Networks);
    if (nets) res.network = nets;
    rest(r, new Set(['CPU', 'Cores', 'MemoryMB', 'MemoryMaxMB', 'Networks', 'DiskMB', 'IOPS']), {}, res);
    out.resources = [res];
  } else put(out, 'resources', t.Resources);
  put(out, 'kill_timeout', t.KillTimeout);
  put(out, 'kill_signal', t.KillSignal);
  put(out, 'leader', t.Leader);
  if (isObj(t.LogConfig)) {
    const l: Out = {};
    put(l, 'max_files', t.LogConfig.MaxFiles);
    put(l, 'max_file_size', t.LogConfig.MaxFileSizeMB);
    rest(t.LogConfig, new Set(['MaxFiles', 'MaxFileSizeMB']), {}, l);
    out.logs = [l];
  } else put(out, 'logs', t.LogConfig);
  put(out, 'constraint', constraints(t.Constraints));
  put(out, 'restart', restart(t.RestartPolicy));
  const handled = ['Name', 'Driver', 'User', 'Config', 'Env', 'Meta', 'Resources', 'KillTimeout', 'KillSignal', 'Leader', 'LogConfig', 'Constraints', 'RestartPolicy'];
  rest(t, new Set(handled), TASK_EXTRA, out);
  return out;
}

function group(g: Obj): Out {
  const out: Out = {};
  if (typeof g.Count === 'number') out.count = g.Count;
  put(out, 'constraint', constraints(g.Constraints));
  put(out, 'restart', restart(g.RestartPolicy));
  if (isObj(g.EphemeralDisk)) {
    const d: Out = {};
    put(d, 'size', g.EphemeralDisk.SizeMB);
    put(d, 'sticky', g.EphemeralDisk.Sticky);
    put(d, 'migrate', g.EphemeralDisk.Migrate);
    out.ephemeral_disk = [d];
  } else put(out, 'ephemeral_disk', g.EphemeralDisk);
  put(out, 'network', networks(g.Networks));
  put(out, 'meta', g.Meta);
  const tasks: Out = {};
  for (const t of Array.isArray(g.Tasks) ? g.Tasks : []) {
    if (isObj(t)) tasks[typeof t.Name === 'string' ? t.Name : JSON.stringify(t.Name ?? '')] = [task(t)];
    else tasks[''] = t;
  }
  if (Object.keys(tasks).length > 0) out.task = tasks;
  else if (!isZero(g.Tasks) && !Array.isArray(g.Tasks)) out.task = g.Tasks as HclValue;
  rest(g, new Set(['Name', 'Count', 'Constraints', 'RestartPolicy', 'EphemeralDisk', 'Networks', 'Meta', 'Tasks']), GROUP_EXTRA, out);
  return out;
}

function jobBody(j: Obj): Out {
  const out: Out = {};
  put(out, 'name', j.Name);
  put(out, 'type', j.Type);
  put(out, 'priority', j.Priority);
  put(out, 'region', j.Region);
  put(out, 'namespace', j.Namespace);
  put(out, 'datacenters', j.Datacenters);
  put(out, 'all_at_once', j.AllAtOnce);
  put(out, 'constraint', constraints(j.Constraints));
  put(out, 'meta', j.Meta);
  if (isObj(j.Periodic)) {
    const p: Out = {};
    put(p, 'cron', j.Periodic.Spec);
    put(p, 'prohibit_overlap', j.Periodic.ProhibitOverlap);
    put(p, 'time_zone', j.Periodic.TimeZone);
    if (j.Periodic.Enabled === false) p.enabled = false;
    out.periodic = [p];
  } else put(out, 'periodic', j.Periodic);
  const groups: Out = {};
  for (const g of Array.isArray(j.TaskGroups) ? j.TaskGroups : []) {
    if (isObj(g)) groups[typeof g.Name === 'string' ? g.Name : JSON.stringify(g.Name ?? '')] = [group(g)];
    else groups[''] = g;
  }
  if (Object.keys(groups).length > 0) out.group = groups;
  else if (!isZero(j.TaskGroups) && !Array.isArray(j.TaskGroups)) out.group = j.TaskGroups as HclValue;
  const handled = new Set(['ID', 'Name', 'Type', 'Priority', 'Region', 'Namespace', 'Datacenters', 'AllAtOnce', 'Constraints', 'Meta', 'Periodic', 'TaskGroups', ...JOB_STATE]);
  rest(j, handled, JOB_EXTRA, out);
  return out;
}

/** The API JSON's job object: `{"Job": {…}}` or the bare job. */
export function apiJobObject(value: unknown): Obj | null {
  if (!isObj(value as Json)) return null;
  const v = value as Obj;
  if (isObj(v.Job)) return v.Job;
  return typeof v.ID === 'string' || Array.isArray(v.TaskGroups) ? v : null;
}

/**
 * Go's decoder refuses a number where the API has a string; the HCL decoder would take it
 * (HCL1 did), so the API's string fields are checked here first.
 */
function stringFields(j: Obj, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const check = (o: Obj, keys: readonly string[], path: string): void => {
    for (const k of keys) {
      const v = o[k];
      if (v !== undefined && v !== null && typeof v !== 'string') {
        out.push(makeDiagnostic('WRONG_TYPE', { key: k, expected: 'a string', got: JSON.stringify(v) }, path, { file, line: 0, column: 0 }));
      }
    }
  };
  check(j, ['ID', 'Name', 'Type', 'Region', 'Namespace'], 'job');
  for (const g of Array.isArray(j.TaskGroups) ? j.TaskGroups.filter(isObj) : []) {
    check(g, ['Name'], `group "${String(g.Name)}"`);
    for (const t of Array.isArray(g.Tasks) ? g.Tasks.filter(isObj) : []) check(t, ['Name', 'Driver', 'User', 'KillSignal'], `task "${String(t.Name)}"`);
  }
  return out;
}

/** Decodes an API JSON job (already parsed) with the HCL path's defaults and checks. */
export function decodeApiJob(file: string, value: unknown): ParseResult {
  const at = { file, line: 0, column: 0 };
  const j = apiJobObject(value);
  if (j === null) return { job: null, diagnostics: [makeDiagnostic('NO_JOB', {}, '', at)] };
  if (typeof j.ID !== 'string' || j.ID === '') return { job: null, diagnostics: [makeDiagnostic('MISSING_REQUIRED', { key: 'ID' }, 'job', at)] };
  const typeErrors = stringFields(j, file);
  if (typeErrors.length > 0) return { job: null, diagnostics: typeErrors };
  const sink: Sink = { file, locate: () => at, diagnostics: [], positions: new Map() };
  const root: HclObject = { job: { [j.ID]: [jobBody(j)] } };
  const job = decodeRoot({ body: root, path: '', ob: null, sink });
  const checks = job === null ? [] : validateJob({ job, file, positions: sink.positions });
  const diagnostics = [...sink.diagnostics, ...checks];
  return { job: diagnostics.some((d) => d.severity === 'error') ? null : job, diagnostics };
}

/** A `*.nomad.json` file's text to a job, with the same diagnostics an HCL file gets. */
export function parseApiJobFile(file: string, text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { job: null, diagnostics: [makeDiagnostic('SYNTAX', { summary: 'invalid JSON', detail: (err as Error).message }, '', { file, line: 0, column: 0 })] };
  }
  return decodeApiJob(file, value);
}
