/**
 * The argument vectors bivouac gives rkt, in Nomad ≥ 0.7's order (reference/rkt.md §3.3),
 * as pure functions. Every flag is one `--flag=value` element; no shell is involved.
 * Config errors are thrown with Nomad's words and `recoverable: false`.
 */
import { isIP } from 'node:net';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import type { RktConfig } from '../../jobspec/types.js';
import { BivouacError } from '../../util/errors.js';
import type { TaskConfig } from '../types.js';
import { MIN_MOUNT_VERSION, versionAtLeast } from './version.js';

export interface RktArgsOptions {
  /** The version `rkt version` reported; gates the alloc/local/secrets mounts. */
  readonly rktVersion: string;
  readonly volumesEnabled: boolean;
  /** `--dir` for every call, or null for rkt's default. */
  readonly rktDir: string | null;
}

function configError(msg: string): BivouacError {
  return new BivouacError('DRIVER_START', msg, { recoverable: false });
}

/** Global flags shared by every call: --dir, the insecure option, --debug. */
export function globalArgs(config: RktConfig, rktDir: string | null): readonly string[] {
  const out: string[] = [];
  if (rktDir !== null) out.push(`--dir=${rktDir}`);
  if (config.insecureOptions.length > 0) out.push(`--insecure-options=${config.insecureOptions.join(',')}`);
  else if (config.trustPrefix === null) out.push('--insecure-options=all');
  out.push(`--debug=${config.debug}`);
  return out;
}

export function buildTrustArgs(config: RktConfig, rktDir: string | null): readonly string[] {
  if (config.trustPrefix === null) return [];
  const dir = rktDir === null ? [] : [`--dir=${rktDir}`];
  return [...dir, 'trust', '--skip-fingerprint-review=true', `--prefix=${config.trustPrefix}`, `--debug=${config.debug}`];
}

/**
 * rkt volume names must be AC names (lowercase letters, digits, '-'). Nomad 0.5.5 only
 * replaced '_'; upper case still broke. Here anything else becomes '-' too.
 */
export function volumeName(allocId: string, taskName: string, suffix: string): string {
  const clean = (s: string): string => s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return `${clean(allocId)}-${clean(taskName)}-${suffix}`;
}

function volumeArgs(name: string, source: string, target: string, readOnly: boolean | null): readonly string[] {
  const ro = readOnly === null ? '' : `,readOnly=${readOnly}`;
  return [`--volume=${name},kind=host,source=${source}${ro}`, `--mount=volume=${name},target=${target}`];
}

/** Task dirs and config volumes, as --volume/--mount pairs. */
function allVolumeArgs(cfg: TaskConfig, config: RktConfig, opts: RktArgsOptions, mountDirs: boolean): readonly string[] {
  const out: string[] = [];
  if (mountDirs) {
    out.push(...volumeArgs(volumeName(cfg.allocId, cfg.taskName, 'alloc'), cfg.dirs.allocDir, '/alloc', null));
    out.push(...volumeArgs(volumeName(cfg.allocId, cfg.taskName, 'local'), cfg.dirs.localDir, '/local', null));
    out.push(...volumeArgs(volumeName(cfg.allocId, cfg.taskName, 'secrets'), cfg.dirs.secretsDir, '/secrets', null));
  }
  if (config.volumes.length > 0 && !opts.volumesEnabled) {
    throw configError(`volumes_enabled is false; cannot use rkt volumes: [${config.volumes.join(' ')}]`);
  }
  config.volumes.forEach((raw, i) => {
    const parts = raw.split(':');
    if (parts.length < 2 || parts.length > 3) throw configError(`invalid rkt volume: ${JSON.stringify(raw)}`);
    // Nomad ignores any third part but readOnly (with a warning); so does bivouac.
    const readOnly = parts.length === 3 && parts[2] === 'readOnly';
    out.push(...volumeArgs(volumeName(cfg.allocId, cfg.taskName, String(i)), volumeSource(cfg, parts[0]), parts[1], readOnly));
  });
  return out;
}

/**
 * A volume's host path. An absolute path is the operator's business (volumes_enabled, as in
 * Nomad); a relative one is the job author's and is read against the task dir and must stay
 * inside the allocation's directory: `../../etc` is refused. Symlinks under a relative
 * source are checked by the driver (volumeSourcesSafe), which may touch the disk.
 */
export function volumeSource(cfg: TaskConfig, source: string): string {
  if (isAbsolute(source)) return source;
  const abs = resolve(cfg.dirs.taskDir, source);
  const root = dirname(cfg.dirs.taskDir);
  if (abs !== root && !abs.startsWith(root + sep)) {
    throw configError(`rkt volume source ${JSON.stringify(source)} leaves the allocation directory`);
  }
  return abs;
}

/** The task env as the pod sees it: task dirs at their in-pod paths, or absent if unmounted. */
export function podEnv(env: Readonly<Record<string, string>>, mountDirs: boolean): Readonly<Record<string, string>> {
  const out: Record<string, string> = { ...env };
  const dirs = { NOMAD_ALLOC_DIR: '/alloc', NOMAD_TASK_DIR: '/local', NOMAD_SECRETS_DIR: '/secrets' };
  for (const [k, v] of Object.entries(dirs)) {
    if (mountDirs) out[k] = v;
    else delete out[k];
  }
  return out;
}

function portArgs(cfg: TaskConfig, config: RktConfig): readonly string[] {
  if (config.net.join(',') === 'host') return [];
  const mapped = Object.keys(config.portMap).length > 0;
  if (cfg.ports.length === 0) {
    if (mapped) throw configError('Trying to map ports but no network interface is available');
    return [];
  }
  return cfg.ports.map((p) => {
    const name = config.portMap[p.label];
    if (name === undefined) throw configError('port_map is not set. When you defined port in the resources, you need to configure port_map.');
    return `--port=${name}:${p.value}`;
  });
}

/**
 * nobody's ids on Linux. Numeric, because rkt resolves a name in the image's own /etc/passwd
 * and many images (etcd's among them) have none.
 */
export const NOBODY_ID = 65534;

/**
 * Who the app runs as. A task without `user` runs as nobody rather than as whatever the image
 * says (root, mostly): the pod shares the host's kernel and its mounted task dirs.
 * `user = "root"` in the task asks for root explicitly.
 */
export function podUser(user: string, group: string | null): { readonly user: string; readonly group: string | null; readonly defaulted: boolean } {
  if (user !== '') return { user, group, defaulted: false };
  return { user: String(NOBODY_ID), group: group ?? String(NOBODY_ID), defaulted: true };
}

/** `rkt … prepare …`: everything after the binary name. */
export function buildPrepareArgs(cfg: TaskConfig, config: RktConfig, opts: RktArgsOptions): readonly string[] {
  const mountDirs = versionAtLeast(opts.rktVersion, MIN_MOUNT_VERSION);
  const env = podEnv(cfg.env, mountDirs);
  const out: string[] = [...globalArgs(config, opts.rktDir), 'prepare'];
  if (config.noOverlay) out.push('--no-overlay=true');
  out.push(...allVolumeArgs(cfg, config, opts, mountDirs));
  // rkt does not care about order; sorting makes the vector reproducible.
  for (const k of Object.keys(env).sort()) out.push(`--set-env=${k}=${env[k]}`);
  out.push(config.image);
  if (config.command !== null) out.push(`--exec=${config.command}`);
  // 0.8's units: MB as M (10^6 bytes), MHz as millicores. Nomad 0.9's bare numbers meant
  // bytes and whole cores. A zero means no limit: rkt rejects zero quantities.
  if (cfg.resources.memoryMB > 0) out.push(`--memory=${cfg.resources.memoryMB}M`);
  if (cfg.resources.cpu > 0) out.push(`--cpu=${cfg.resources.cpu}m`);
  out.push(...portArgs(cfg, config));
  const who = podUser(cfg.user, config.group);
  out.push(`--user=${who.user}`);
  if (who.group !== null) out.push(`--group=${who.group}`);
  if (config.args.length > 0) out.push('--', ...config.args);
  return out;
}

function dnsArgs(config: RktConfig): readonly string[] {
  const d = config.dnsServers;
  if (d.length === 1 && (d[0] === 'host' || d[0] === 'none')) return [`--dns=${d[0]}`];
  return d.map((ip) => {
    if (isIP(ip) === 0) throw configError(`invalid ip address for container dns server ${JSON.stringify(ip)}`);
    return `--dns=${ip}`;
  });
}

/** `rkt … run-prepared …`: the long-running process. */
export function buildRunPreparedArgs(config: RktConfig, uuid: string, rktDir: string | null): readonly string[] {
  const out: string[] = [...globalArgs(config, rktDir), 'run-prepared', ...dnsArgs(config)];
  for (const s of config.dnsSearchDomains) out.push(`--dns-search=${s}`);
  if (config.net.length > 0) out.push(`--net=${config.net.join(',')}`);
  out.push(uuid);
  return out;
}
