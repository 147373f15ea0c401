/**
 * What bivouac does with each block and field it parses beyond the core (drivers,
 * resources, restart, constraints …): `honoured` means it is acted on; `parsed` means it is
 * decoded, checked and kept for `job inspect` but changes nothing at run time. Every
 * `parsed` one present in a job gives one warning (`job validate`, `job plan`, the agent log,
 * `status JOB`), so nothing is ignored in silence.
 *
 * This table is the one list: the README's "What bivouac honours" table is generated from
 * it (test/jobspec/support.test.ts fails when they differ). To mark a block honoured, change
 * its row here and run the README check.
 */
import { joinPath } from './decode-ctx.js';
import { apiName } from './decode-extra.js';
import { GROUP_EXTRA, JOB_EXTRA, TASK_EXTRA, type Field } from './schema.js';
import type { Job, Task, TemplateSpec } from './types.js';

export type Level = 'job' | 'group' | 'task' | 'template' | 'artifact';
export type Support = 'honoured' | 'parsed';

export interface SupportRow {
  readonly level: Level;
  /** The key as written in a job file. */
  readonly key: string;
  readonly support: Support;
  /** For `parsed`: why, in a few words the warning repeats. For `honoured`: what does it. */
  readonly note: string;
}

const NO_CONSUL = 'bivouac has no Consul or Nomad service catalog';
const NO_VAULT = 'bivouac has no Vault';
const ONE_NODE = 'a single node has nowhere else to place';

export const SUPPORT: readonly SupportRow[] = [
  { level: 'job', key: 'periodic', support: 'honoured', note: 'launches on its cron' },
  { level: 'job', key: 'parameterized', support: 'honoured', note: 'dispatch' },
  { level: 'job', key: 'reschedule', support: 'honoured', note: 'replacement allocations' },
  { level: 'job', key: 'update', support: 'parsed', note: 'no rolling updates or canaries: a new version replaces allocations at once' },
  { level: 'job', key: 'migrate', support: 'parsed', note: 'no node drain on a single node' },
  { level: 'job', key: 'multiregion', support: 'parsed', note: 'one node, one region' },
  { level: 'job', key: 'vault', support: 'parsed', note: NO_VAULT },
  { level: 'job', key: 'affinity', support: 'parsed', note: ONE_NODE },
  { level: 'job', key: 'spread', support: 'parsed', note: ONE_NODE },
  { level: 'job', key: 'vault_token', support: 'parsed', note: NO_VAULT },
  { level: 'job', key: 'vault_namespace', support: 'parsed', note: NO_VAULT },
  { level: 'job', key: 'consul_token', support: 'parsed', note: NO_CONSUL },
  { level: 'job', key: 'consul_namespace', support: 'parsed', note: NO_CONSUL },
  { level: 'job', key: 'node_pool', support: 'parsed', note: 'the node has no pool' },
  { level: 'job', key: 'ui', support: 'parsed', note: 'bivouac has no web UI' },
  { level: 'group', key: 'reschedule', support: 'honoured', note: 'replacement allocations' },
  { level: 'group', key: 'update', support: 'parsed', note: 'no rolling updates or canaries: a new version replaces allocations at once' },
  { level: 'group', key: 'migrate', support: 'parsed', note: 'no node drain on a single node' },
  { level: 'group', key: 'scaling', support: 'parsed', note: 'no autoscaler: count is as written' },
  { level: 'group', key: 'service', support: 'parsed', note: `${NO_CONSUL}; checks do not run` },
  { level: 'group', key: 'volume', support: 'parsed', note: 'no host or CSI volumes are mounted' },
  { level: 'group', key: 'affinity', support: 'parsed', note: ONE_NODE },
  { level: 'group', key: 'spread', support: 'parsed', note: ONE_NODE },
  { level: 'group', key: 'consul', support: 'parsed', note: NO_CONSUL },
  { level: 'group', key: 'vault', support: 'parsed', note: NO_VAULT },
  { level: 'group', key: 'shutdown_delay', support: 'parsed', note: 'no service deregistration to wait for' },
  { level: 'group', key: 'stop_after_client_disconnect', support: 'parsed', note: 'the agent is its own client: it never disconnects' },
  { level: 'group', key: 'max_client_disconnect', support: 'parsed', note: 'the agent is its own client: it never disconnects' },
  { level: 'group', key: 'prevent_reschedule_on_lost', support: 'parsed', note: 'allocations are never lost to a disconnect' },
  { level: 'group', key: 'disconnect', support: 'parsed', note: 'the agent is its own client: it never disconnects' },
  { level: 'task', key: 'artifact', support: 'honoured', note: 'downloaded before the task starts (http, https, allowed local dirs)' },
  { level: 'task', key: 'template', support: 'honoured', note: 'rendered before the task starts; functions needing Consul, Vault or Nomad fail the task' },
  { level: 'task', key: 'lifecycle', support: 'honoured', note: 'prestart, poststart and poststop tasks' },
  { level: 'task', key: 'dispatch_payload', support: 'honoured', note: 'the dispatch payload file' },
  { level: 'task', key: 'service', support: 'parsed', note: `${NO_CONSUL}; checks do not run` },
  { level: 'task', key: 'vault', support: 'parsed', note: `${NO_VAULT}: no token is written` },
  { level: 'task', key: 'volume_mount', support: 'parsed', note: 'no host or CSI volumes are mounted' },
  { level: 'task', key: 'csi_plugin', support: 'parsed', note: 'bivouac does not run CSI plugins' },
  { level: 'task', key: 'identity', support: 'parsed', note: 'no workload identity tokens are written' },
  { level: 'task', key: 'affinity', support: 'parsed', note: ONE_NODE },
  { level: 'task', key: 'kind', support: 'parsed', note: 'no Consul Connect' },
  { level: 'task', key: 'shutdown_delay', support: 'parsed', note: 'no service deregistration to wait for' },
  { level: 'task', key: 'consul', support: 'parsed', note: NO_CONSUL },
  { level: 'task', key: 'scaling', support: 'parsed', note: 'no autoscaler: resources are as written' },
  { level: 'template', key: 'change_script', support: 'parsed', note: 'change_mode "script" is not run' },
  { level: 'template', key: 'wait', support: 'parsed', note: 'no Consul or Vault data to wait for' },
  { level: 'template', key: 'vault_grace', support: 'parsed', note: NO_VAULT },
  { level: 'artifact', key: 'chown', support: 'parsed', note: 'the artifact keeps the agent as owner' },
];

export interface JobWarning {
  /** `job "x" → group "g" → task "t"` */
  readonly path: string;
  readonly key: string;
  /** The whole sentence after the path. */
  readonly message: string;
}

/** One warning per parsed-only block or field present in the job, in job order. */
export function unhonouredWarnings(job: Job): JobWarning[] {
  const out: JobWarning[] = [];
  const jobPath = `job "${job.id}"`;
  check(out, 'job', jobPath, (k) => hasJob(job, k));
  for (const g of job.groups) {
    const gPath = joinPath(jobPath, `group "${g.name}"`);
    check(out, 'group', gPath, (k) => has(g.extra, apiKey('group', k)));
    for (const t of g.tasks) {
      const tPath = joinPath(gPath, `task "${t.name}"`);
      check(out, 'task', tPath, (k) => hasTask(t, k));
      t.templates.forEach((tm, i) => check(out, 'template', joinPath(tPath, `template ${i + 1}`), (k) => hasTemplate(tm, k)));
      t.artifacts.forEach((a, i) => check(out, 'artifact', joinPath(tPath, `artifact ${i + 1}`), (k) => has(a.extra, apiName(k))));
    }
  }
  return out;
}

/** `job "x" → group "g": "service" is parsed but not acted on: bivouac has no … service catalog` */
export function formatJobWarning(w: JobWarning): string {
  return `${w.path}: ${w.message}`;
}

function check(out: JobWarning[], level: Level, path: string, present: (key: string) => boolean): void {
  for (const row of SUPPORT) {
    if (row.level === level && row.support === 'parsed' && present(row.key)) {
      out.push({ path, key: row.key, message: `"${row.key}" is parsed but not acted on: ${row.note}` });
    }
  }
}

/** Extra blocks are stored under their API names (schema.ts), scaling by hand (decode-extra.ts). */
const TABLES: Readonly<Record<'job' | 'group' | 'task', Readonly<Record<string, Field>>>> = { job: JOB_EXTRA, group: GROUP_EXTRA, task: TASK_EXTRA };
const SCALING_API: Readonly<Record<string, string>> = { group: 'Scaling', task: 'ScalingPolicies' };

function apiKey(level: 'job' | 'group' | 'task', key: string): string {
  if (key === 'scaling') return SCALING_API[level] ?? 'Scaling';
  const field = TABLES[level][key];
  return field !== undefined && typeof field === 'object' && field.api ? field.api : apiName(key);
}

function has(extra: Readonly<Record<string, unknown>>, api: string): boolean {
  const v = extra[api];
  return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
}

function hasJob(job: Job, key: string): boolean {
  if (key === 'periodic') return job.periodic !== null;
  if (key === 'parameterized') return Boolean(job.parameterized); // a flag or the typed block: present either way
  return has(job.extra, apiKey('job', key));
}

function hasTask(t: Task, key: string): boolean {
  if (key === 'artifact') return t.artifacts.length > 0;
  if (key === 'template') return t.templates.length > 0;
  return has(t.extra, apiKey('task', key));
}

function hasTemplate(t: TemplateSpec, key: string): boolean {
  if (key === 'vault_grace') return t.vaultGraceMs > 0;
  return has(t.extra, apiName(key));
}

/** The table as Markdown, as the README shows it between its support-table markers. */
export function supportTableMarkdown(): string {
  const rows = SUPPORT.map((r) => `| \`${r.level}\` | \`${r.key}\` | ${r.support === 'honoured' ? 'honoured' : 'parsed only (warns)'} | ${r.note} |`);
  return ['| Level | Block or field | bivouac | Note |', '|---|---|---|---|', ...rows].join('\n');
}
