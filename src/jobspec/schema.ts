/**
 * The keys Nomad (1.5) accepts in the blocks bivouac keeps but does not act on, so a typo
 * there (`nterval` in a check) is still an error with its path. Each block names its API
 * field; a block marked `open` (connect, policy, options) is taken as given.
 */

export type Field =
  | 'string'
  | 'number'
  | 'bool'
  | 'duration'
  | 'strings'
  | 'map'
  | 'headers'
  | 'any'
  | BlockRef;

export interface BlockRef {
  readonly block: Schema;
  /** API field name when it is not the key in Pascal case. */
  readonly api?: string;
  /** `volume "x" { }`: one label, kept as a map by label. */
  readonly labelled?: boolean;
  /** At most one such block. */
  readonly single?: boolean;
}

export interface Schema {
  readonly fields: Readonly<Record<string, Field>>;
  readonly open?: boolean;
  /** API names that are not the key in Pascal case (`port` → `PortLabel`). */
  readonly names?: Readonly<Record<string, string>>;
}

const open: Schema = { fields: {}, open: true };
const b = (fields: Record<string, Field>, names?: Record<string, string>): Schema => (names ? { fields, names } : { fields });
const one = (block: Schema, api?: string): BlockRef => ({ block, single: true, ...(api ? { api } : {}) });
const many = (block: Schema, api?: string): BlockRef => ({ block, ...(api ? { api } : {}) });

const checkRestart = b({ limit: 'number', grace: 'duration', ignore_warnings: 'bool' });

const check = b({
  name: 'string', type: 'string', command: 'string', args: 'strings', path: 'string', protocol: 'string',
  port: 'string', expose: 'bool', address_mode: 'string', interval: 'duration', timeout: 'duration',
  initial_status: 'string', tls_skip_verify: 'bool', tls_server_name: 'string', header: 'headers',
  method: 'string', body: 'string', check_restart: one(checkRestart), grpc_service: 'string',
  grpc_use_tls: 'bool', task: 'string', success_before_passing: 'number', failures_before_critical: 'number',
  on_update: 'string',
}, { port: 'PortLabel', task: 'TaskName' });

export const SERVICE: Schema = b({
  name: 'string', port: 'string', tags: 'strings', canary_tags: 'strings', enable_tag_override: 'bool',
  address_mode: 'string', address: 'string', check: many(check, 'Checks'), check_restart: one(checkRestart),
  connect: one(open), meta: 'map', canary_meta: 'map', tagged_addresses: 'map', task: 'string',
  on_update: 'string', provider: 'string', identity: one(open), cluster: 'string',
}, { port: 'PortLabel', task: 'TaskName' });

export const VAULT: Schema = b({
  policies: 'strings', env: 'bool', change_mode: 'string', change_signal: 'string', namespace: 'string',
  entity_alias: 'string', disable_file: 'bool', role: 'string', cluster: 'string',
});

export const UPDATE: Schema = b({
  max_parallel: 'number', health_check: 'string', min_healthy_time: 'duration', healthy_deadline: 'duration',
  progress_deadline: 'duration', auto_revert: 'bool', auto_promote: 'bool', canary: 'number', stagger: 'duration',
});

export const MIGRATE: Schema = b({
  max_parallel: 'number', health_check: 'string', min_healthy_time: 'duration', healthy_deadline: 'duration',
});

export const RESCHEDULE: Schema = b({
  attempts: 'number', interval: 'duration', delay: 'duration', delay_function: 'string', max_delay: 'duration',
  unlimited: 'bool',
});

export const AFFINITY: Schema = b(
  {
    attribute: 'string', operator: 'string', value: 'string', weight: 'number', version: 'string', semver: 'string',
    regexp: 'string', set_contains_any: 'string', set_contains_all: 'string', set_contains: 'string',
  },
  { attribute: 'LTarget', operator: 'Operand', value: 'RTarget' },
);

export const SPREAD: Schema = b({
  attribute: 'string', weight: 'number',
  target: { block: b({ percent: 'number' }), labelled: true, api: 'SpreadTarget' },
});

export const SCALING: Schema = b({ min: 'number', max: 'number', enabled: 'bool', type: 'string', policy: one(open) });

export const VOLUME: Schema = b({
  type: 'string', source: 'string', read_only: 'bool', access_mode: 'string', attachment_mode: 'string',
  per_alloc: 'bool', mount_options: one(b({ fs_type: 'string', mount_flags: 'strings' })),
});

export const VOLUME_MOUNT: Schema = b({ volume: 'string', destination: 'string', read_only: 'bool', propagation_mode: 'string' });
export const LIFECYCLE: Schema = b({ hook: 'string', sidecar: 'bool' });
export const CSI_PLUGIN: Schema = b({
  id: 'string', type: 'string', mount_dir: 'string', stage_publish_base_dir: 'string', health_timeout: 'duration',
});
export const DISPATCH_PAYLOAD: Schema = b({ file: 'string' });
export const IDENTITY: Schema = b({ env: 'bool', file: 'bool', name: 'string', aud: 'strings', ttl: 'duration' });
export const CONSUL: Schema = b({ namespace: 'string', cluster: 'string', partition: 'string' });
export const PARAMETERIZED: Schema = b({ payload: 'string', meta_required: 'strings', meta_optional: 'strings' });
export const MULTIREGION: Schema = b({
  strategy: one(b({ max_parallel: 'number', on_failure: 'string' })),
  region: { block: b({ count: 'number', datacenters: 'strings', meta: 'map', node_pool: 'string' }), labelled: true, api: 'Regions' },
});

/** Blocks each level keeps in `extra`, with their API names. Scaling is handled by hand. */
export const JOB_EXTRA: Readonly<Record<string, Field>> = {
  update: one(UPDATE), migrate: one(MIGRATE), reschedule: one(RESCHEDULE), multiregion: one(MULTIREGION),
  vault: one(VAULT), affinity: many(AFFINITY, 'Affinities'), spread: many(SPREAD, 'Spreads'),
  vault_token: 'string', vault_namespace: 'string',
  consul_token: 'string', consul_namespace: 'string', node_pool: 'string', ui: one(open),
};

export const GROUP_EXTRA: Readonly<Record<string, Field>> = {
  update: one(UPDATE), migrate: one(MIGRATE),
  service: many(SERVICE, 'Services'), volume: { block: VOLUME, labelled: true, api: 'Volumes' },
  affinity: many(AFFINITY, 'Affinities'), spread: many(SPREAD, 'Spreads'), consul: one(CONSUL),
  vault: one(VAULT), shutdown_delay: 'duration', stop_after_client_disconnect: 'duration',
  max_client_disconnect: 'duration', prevent_reschedule_on_lost: 'bool', disconnect: one(open),
};

export const TASK_EXTRA: Readonly<Record<string, Field>> = {
  service: many(SERVICE, 'Services'),
  vault: one(VAULT), volume_mount: many(VOLUME_MOUNT, 'VolumeMounts'),
  csi_plugin: one(CSI_PLUGIN, 'CSIPluginConfig'),
  identity: one(IDENTITY), affinity: many(AFFINITY, 'Affinities'), kind: 'string', shutdown_delay: 'duration',
  consul: one(CONSUL),
};
