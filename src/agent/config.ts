import { BivouacError } from '../util/errors.js';
import { parseDuration } from '../util/duration.js';
import { DEFAULT_ARTIFACT_LIMITS, type ArtifactLimits } from '../artifact/index.js';

/** The agent's settings, validated and complete. */
export interface AgentConfig {
  readonly jobsDir: string;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly datacenter: string;
  readonly region: string;
  readonly nodeClass: string;
  readonly meta: Readonly<Record<string, string>>;
  readonly reserved: { readonly cpu: number; readonly memoryMB: number };
  readonly portRange: { readonly min: number; readonly max: number };
  readonly rescanIntervalMs: number;
  readonly rawExecEnabled: boolean;
  readonly rkt: { readonly path: string; readonly minVersion: string; readonly volumesEnabled: boolean; readonly dir: string | null };
  /** exec's chroot map (Nomad's client `chroot_env`): host path → path in the task; null = Nomad's default. */
  readonly chrootEnv: Readonly<Record<string, string>> | null;
  /** Refuse group/world-writable or foreign-owned jobs and data dirs when running as root (sshd's StrictModes). */
  readonly strictPermissions: boolean;
  /** Client `artifact { http_read_timeout, http_max_size }` (Nomad's) and `allowed_local_dirs` (bivouac's). */
  readonly artifact: ArtifactLimits;
  /** host:port of the HTTP API over TCP; null: off (the Unix socket in the data dir is always served). */
  readonly httpAddr: string | null;
  /** Nomad's `acl` block: writes through the API need the management token read from tokenFile. */
  readonly acl: { readonly enabled: boolean; readonly tokenFile: string | null };
  /** Finished periodic and dispatched children kept per parent; older ones and their alloc dirs are removed. */
  readonly childrenHistory: number;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export const DEFAULT_CONFIG: AgentConfig = {
  jobsDir: './jobs',
  dataDir: './.bivouac',
  logLevel: 'info',
  datacenter: 'dc1',
  region: 'global',
  nodeClass: '',
  meta: {},
  reserved: { cpu: 0, memoryMB: 0 },
  portRange: { min: 20000, max: 32000 },
  rescanIntervalMs: 10_000,
  rawExecEnabled: false,
  rkt: { path: 'rkt', minVersion: '1.27.0', volumesEnabled: true, dir: null },
  chrootEnv: null,
  strictPermissions: true,
  artifact: DEFAULT_ARTIFACT_LIMITS,
  httpAddr: null,
  acl: { enabled: false, tokenFile: null },
  childrenHistory: 50,
};

/** A layer of settings from one source (file, environment, flags); later layers win, the rkt block key by key. */
export type ConfigLayer = { -readonly [K in Exclude<keyof AgentConfig, 'rkt'>]?: AgentConfig[K] } & {
  rkt?: { -readonly [K in keyof AgentConfig['rkt']]?: AgentConfig['rkt'][K] };
};

export function mergeConfig(...layers: readonly ConfigLayer[]): AgentConfig {
  const out = { ...DEFAULT_CONFIG } as { -readonly [K in keyof AgentConfig]: AgentConfig[K] };
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer) as [keyof AgentConfig, unknown][]) {
      if (v === undefined) continue;
      if (k === 'rkt') out.rkt = { ...out.rkt, ...(v as ConfigLayer['rkt']) };
      else (out as Record<string, unknown>)[k] = v;
    }
  }
  if (out.portRange.min < 1 || out.portRange.max > 65535 || out.portRange.min > out.portRange.max) {
    throw new BivouacError('CONFIG', `dynamic port range ${out.portRange.min}-${out.portRange.max} is not a range within 1-65535`);
  }
  return out;
}

export function parseLogLevel(v: string, source: string): LogLevel {
  const l = v.toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(l)) return l as LogLevel;
  throw new BivouacError('CONFIG', `${source}: log level "${v}" is not one of ${LOG_LEVELS.join(', ')}`);
}

export function parseBool(v: string, source: string): boolean {
  if (['1', 'true', 'yes', 'on'].includes(v.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v.toLowerCase())) return false;
  throw new BivouacError('CONFIG', `${source}: "${v}" is not a boolean (use true or false)`);
}

/** The environment layer: BIVOUAC_JOBS_DIR, BIVOUAC_DATA_DIR, BIVOUAC_LOG_LEVEL, BIVOUAC_ENABLE_RAW_EXEC, BIVOUAC_RKT_PATH. */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): ConfigLayer {
  const layer: ConfigLayer = {};
  if (env.BIVOUAC_JOBS_DIR) layer.jobsDir = env.BIVOUAC_JOBS_DIR;
  if (env.BIVOUAC_DATA_DIR) layer.dataDir = env.BIVOUAC_DATA_DIR;
  if (env.BIVOUAC_LOG_LEVEL) layer.logLevel = parseLogLevel(env.BIVOUAC_LOG_LEVEL, 'BIVOUAC_LOG_LEVEL');
  if (env.BIVOUAC_ENABLE_RAW_EXEC !== undefined) layer.rawExecEnabled = parseBool(env.BIVOUAC_ENABLE_RAW_EXEC, 'BIVOUAC_ENABLE_RAW_EXEC');
  if (env.BIVOUAC_RKT_PATH) layer.rkt = { path: env.BIVOUAC_RKT_PATH };
  if (env.BIVOUAC_HTTP_ADDR) layer.httpAddr = parseHttpAddr(env.BIVOUAC_HTTP_ADDR, 'BIVOUAC_HTTP_ADDR');
  if (env.BIVOUAC_ACL_TOKEN_FILE) layer.acl = { enabled: true, tokenFile: env.BIVOUAC_ACL_TOKEN_FILE };
  if (env.BIVOUAC_STRICT_PERMISSIONS !== undefined) layer.strictPermissions = parseBool(env.BIVOUAC_STRICT_PERMISSIONS, 'BIVOUAC_STRICT_PERMISSIONS');
  return layer;
}

type Tree = Readonly<Record<string, unknown>>;

/**
 * The config file layer, from the JSON tree hcl2json makes of an HCL file. The file speaks
 * Nomad's agent config where Nomad has the setting (`datacenter`, `region`, `data_dir`,
 * `log_level`, `client { node_class, meta, reserved { cpu, memory }, min_dynamic_port,
 * max_dynamic_port, chroot_env }`, `plugin "raw_exec" { config { enabled } }`, `plugin "rkt" { config
 * { volumes_enabled } }`), and a `bivouac { }` block for the rest (`jobs_dir`,
 * `rescan_interval`, `rkt_path`, `rkt_min_version`, `rkt_dir`, `strict_permissions`).
 */
export function configFromFile(tree: Tree, file: string): ConfigLayer {
  const layer: ConfigLayer = {};
  const where = (k: string): string => `${file}: ${k}`;
  const known = new Set(['datacenter', 'region', 'data_dir', 'log_level', 'client', 'plugin', 'bivouac', 'addresses', 'ports', 'acl']);
  for (const k of Object.keys(tree)) if (!known.has(k)) throw new BivouacError('CONFIG', `${file}: unknown key "${k}" (known: ${[...known].join(', ')})`);
  if (tree.datacenter !== undefined) layer.datacenter = str(tree.datacenter, where('datacenter'));
  if (tree.region !== undefined) layer.region = str(tree.region, where('region'));
  if (tree.data_dir !== undefined) layer.dataDir = str(tree.data_dir, where('data_dir'));
  if (tree.log_level !== undefined) layer.logLevel = parseLogLevel(str(tree.log_level, where('log_level')), where('log_level'));
  httpFromFile(tree, file, layer);
  const client = block(tree.client, where('client'));
  if (client) {
    checkKeys(client, ['node_class', 'meta', 'reserved', 'min_dynamic_port', 'max_dynamic_port', 'chroot_env', 'artifact'], where('client'));
    const artifact = block(client.artifact, where('client.artifact'));
    if (artifact) layer.artifact = artifactLayer(artifact, where('client.artifact'));
    if (client.node_class !== undefined) layer.nodeClass = str(client.node_class, where('client.node_class'));
    const meta = block(client.meta, where('client.meta')) ?? (isRecord(client.meta) ? client.meta : null);
    if (meta) layer.meta = Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, str(v, where(`client.meta.${k}`))]));
    if (client.chroot_env !== undefined) layer.chrootEnv = chrootEnv(client.chroot_env, where('client.chroot_env'));
    const reserved = block(client.reserved, where('client.reserved'));
    if (reserved) {
      checkKeys(reserved, ['cpu', 'memory'], where('client.reserved'));
      layer.reserved = { cpu: int(reserved.cpu ?? 0, where('client.reserved.cpu')), memoryMB: int(reserved.memory ?? 0, where('client.reserved.memory')) };
    }
    if (client.min_dynamic_port !== undefined || client.max_dynamic_port !== undefined) {
      layer.portRange = {
        min: int(client.min_dynamic_port ?? DEFAULT_CONFIG.portRange.min, where('client.min_dynamic_port')),
        max: int(client.max_dynamic_port ?? DEFAULT_CONFIG.portRange.max, where('client.max_dynamic_port')),
      };
    }
  }
  const plugins = isRecord(tree.plugin) ? tree.plugin : {};
  for (const [name, body] of Object.entries(plugins)) {
    const cfg = block(block(body, where(`plugin "${name}"`))?.config, where(`plugin "${name}".config`)) ?? {};
    if (name === 'raw_exec') {
      checkKeys(cfg, ['enabled'], where('plugin "raw_exec".config'));
      if (cfg.enabled !== undefined) layer.rawExecEnabled = bool(cfg.enabled, where('plugin "raw_exec".config.enabled'));
    } else if (name === 'rkt') {
      checkKeys(cfg, ['volumes_enabled'], where('plugin "rkt".config'));
      if (cfg.volumes_enabled !== undefined) layer.rkt = { ...layer.rkt, volumesEnabled: bool(cfg.volumes_enabled, where('plugin "rkt".config.volumes_enabled')) };
    } else if (name === 'exec') {
      // Nomad 1.0's exec plugin has no option bivouac reads; the chroot map is client.chroot_env.
      checkKeys(cfg, [], where('plugin "exec".config'));
    } else {
      throw new BivouacError('CONFIG', `${file}: plugin "${name}" is not a driver bivouac has (exec, raw_exec, rkt)`);
    }
  }
  const b = block(tree.bivouac, where('bivouac'));
  if (b) {
    checkKeys(b, ['jobs_dir', 'rescan_interval', 'rkt_path', 'rkt_min_version', 'rkt_dir', 'strict_permissions', 'children_history'], where('bivouac'));
    if (b.children_history !== undefined) layer.childrenHistory = int(b.children_history, where('bivouac.children_history'));
    if (b.jobs_dir !== undefined) layer.jobsDir = str(b.jobs_dir, where('bivouac.jobs_dir'));
    if (b.rescan_interval !== undefined) {
      const ms = parseDuration(str(b.rescan_interval, where('bivouac.rescan_interval')));
      if (ms === null || ms < 100) throw new BivouacError('CONFIG', `${where('bivouac.rescan_interval')}: "${String(b.rescan_interval)}" is not a duration of at least 100ms (e.g. "10s")`);
      layer.rescanIntervalMs = ms;
    }
    const rkt = { ...layer.rkt };
    if (b.rkt_path !== undefined) rkt.path = str(b.rkt_path, where('bivouac.rkt_path'));
    if (b.rkt_min_version !== undefined) rkt.minVersion = str(b.rkt_min_version, where('bivouac.rkt_min_version'));
    if (b.rkt_dir !== undefined) rkt.dir = str(b.rkt_dir, where('bivouac.rkt_dir'));
    layer.rkt = rkt;
    if (b.strict_permissions !== undefined) layer.strictPermissions = bool(b.strict_permissions, where('bivouac.strict_permissions'));
  }
  return layer;
}

/** Nomad's `client { artifact { … } }` keys, plus bivouac's `allowed_local_dirs` (absolute dirs, none by default). */
function artifactLayer(t: Tree, where: string): ArtifactLimits {
  checkKeys(t, ['http_read_timeout', 'http_max_size', 'allowed_local_dirs'], where);
  const out = { ...DEFAULT_ARTIFACT_LIMITS };
  if (t.http_read_timeout !== undefined) {
    const ms = parseDuration(str(t.http_read_timeout, `${where}.http_read_timeout`));
    if (ms === null || ms <= 0) throw new BivouacError('CONFIG', `${where}.http_read_timeout: "${String(t.http_read_timeout)}" is not a positive duration (e.g. "30m")`);
    out.httpReadTimeoutMs = ms;
  }
  if (t.http_max_size !== undefined) out.httpMaxBytes = parseSize(str(t.http_max_size, `${where}.http_max_size`), `${where}.http_max_size`);
  if (t.allowed_local_dirs !== undefined) {
    const dirs = Array.isArray(t.allowed_local_dirs) ? t.allowed_local_dirs.map((d) => str(d, `${where}.allowed_local_dirs`)) : null;
    if (dirs === null || dirs.some((d) => !d.startsWith('/'))) throw new BivouacError('CONFIG', `${where}.allowed_local_dirs: expected a list of absolute directory paths`);
    out.allowedLocalDirs = dirs;
  }
  return out;
}

/** `chroot_env { "/host/path" = "/path/in/task" }`: absolute paths both sides, as Nomad requires. */
function chrootEnv(v: unknown, where: string): Record<string, string> {
  const t = isRecord(v) ? v : block(v, where);
  const out: Record<string, string> = {};
  for (const [src, dst] of Object.entries(t ?? {})) {
    const d = str(dst, `${where}."${src}"`);
    if (!src.startsWith('/') || !d.startsWith('/') || d.split('/').includes('..')) {
      throw new BivouacError('CONFIG', `${where}: "${src}" = "${d}" must map an absolute host path to an absolute path in the task (no "..")`);
    }
    out[src] = d;
  }
  return out;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** "100GB", "512MiB", "1024": bytes, as Nomad's humanize.ParseBytes reads them (GB = 10^9, GiB = 2^30). */
export function parseSize(text: string, where: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) * unit < 1) throw new BivouacError('CONFIG', `${where}: "${text}" is not a size (e.g. "100GB", "512MiB")`);
  return Math.floor(Number(m[1]) * unit);
}

function isRecord(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** hcl2json gives a block as a one-element list of objects. */
function block(v: unknown, where: string): Tree | null {
  if (v === undefined) return null;
  if (Array.isArray(v)) {
    if (v.length !== 1 || !isRecord(v[0])) throw new BivouacError('CONFIG', `${where}: expected one block`);
    return v[0];
  }
  if (isRecord(v)) return v;
  throw new BivouacError('CONFIG', `${where}: expected a block`);
}

function checkKeys(t: Tree, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(t)) if (!allowed.includes(k)) throw new BivouacError('CONFIG', `${where}: unknown key "${k}" (known: ${allowed.join(', ')})`);
}

function str(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new BivouacError('CONFIG', `${where}: expected a string`);
}

function int(v: unknown, where: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  throw new BivouacError('CONFIG', `${where}: expected a whole number ≥ 0, got ${JSON.stringify(v)}`);
}

function bool(v: unknown, where: string): boolean {
  if (typeof v === 'boolean') return v;
  throw new BivouacError('CONFIG', `${where}: expected true or false, got ${JSON.stringify(v)}`);
}

/** `host:port` (or `:port`, or a bare port) for the API's TCP listener; the host defaults to loopback. */
export function parseHttpAddr(v: string, source: string): string {
  const t = v.trim();
  const bad = (): never => {
    throw new BivouacError('CONFIG', `${source}: "${v}" is not an address (use host:port, e.g. 127.0.0.1:4646)`);
  };
  if (/^\d+$/.test(t)) return Number(t) <= 65535 ? `127.0.0.1:${Number(t)}` : bad();
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]*):(\d+)$/.exec(t);
  if (!m || Number(m[2]) > 65535) return bad();
  return `${m[1] === '' ? '127.0.0.1' : m[1]}:${Number(m[2])}`;
}

/**
 * Nomad's agent words for the API: `addresses { http = "…" }`, `ports { http = N }`, and
 * `acl { enabled = true  token_file = "…" }` (token_file is bivouac's one key there: there is
 * no ACL system to bootstrap, only the management token). Either address key turns the TCP
 * listener on.
 */
function httpFromFile(tree: Tree, file: string, layer: ConfigLayer): void {
  const where = (k: string): string => `${file}: ${k}`;
  const addresses = block(tree.addresses, where('addresses'));
  const ports = block(tree.ports, where('ports'));
  if (addresses) checkKeys(addresses, ['http'], where('addresses'));
  if (ports) checkKeys(ports, ['http'], where('ports'));
  const host = addresses?.http === undefined ? null : str(addresses.http, where('addresses.http'));
  const port = ports?.http === undefined ? null : int(ports.http, where('ports.http'));
  if (host !== null || port !== null) layer.httpAddr = `${host ?? '127.0.0.1'}:${port ?? 4646}`;
  const acl = block(tree.acl, where('acl'));
  if (acl) {
    checkKeys(acl, ['enabled', 'token_file'], where('acl'));
    const enabled = acl.enabled === undefined ? false : bool(acl.enabled, where('acl.enabled'));
    const tokenFile = acl.token_file === undefined ? null : str(acl.token_file, where('acl.token_file'));
    if (enabled && tokenFile === null) throw new BivouacError('CONFIG', `${where('acl')}: enabled = true needs token_file, the file holding the management token`);
    layer.acl = { enabled, tokenFile };
  }
}
