/**
 * Field-by-field comparison of bivouac's `job inspect` JSON with the canonical API JSON a
 * real Nomad 1.0.18 produced (../shared/corpus/nomad-jobs/nomad-1.0.18/). A fact source for
 * tests only; the product never reads it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir } from '../helpers/paths.js';

export interface NomadVerdict {
  readonly file: string;
  readonly hcl2: { readonly valid: boolean; readonly errors: readonly string[] };
  readonly hcl1: { readonly valid: boolean; readonly errors: readonly string[] };
  readonly accepted_by: 'hcl2' | 'hcl1' | null;
  readonly datacenters_defaulted: boolean;
  readonly canonical_parser: 'hcl2' | 'hcl1' | null;
  readonly canonical: unknown;
}

export const nomadDir = join(corpusDir, 'nomad-1.0.18');

export function nomadVerdicts(): NomadVerdict[] {
  const manifest = join(corpusDir, 'MANIFEST.tsv');
  if (!existsSync(manifest) || !existsSync(nomadDir)) return [];
  const rows = readFileSync(manifest, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]);
  return rows.map((r) => JSON.parse(readFileSync(join(nomadDir, `${r}.json`), 'utf8')) as NomadVerdict);
}

/** Every place where `ours` differs from `theirs`, as `path: ours ≠ theirs`. */
export function differences(ours: unknown, theirs: unknown, path = ''): string[] {
  if (Array.isArray(theirs) && Array.isArray(ours)) {
    const out: string[] = [];
    if (ours.length !== theirs.length) out.push(`${path}: ${ours.length} items ≠ ${theirs.length} items`);
    for (let i = 0; i < Math.min(ours.length, theirs.length); i++) out.push(...differences(ours[i], theirs[i], `${path}[${i}]`));
    return out;
  }
  if (isRecord(theirs) && isRecord(ours)) {
    const out: string[] = [];
    for (const k of new Set([...Object.keys(theirs), ...Object.keys(ours)])) {
      const p = path === '' ? k : `${path}.${k}`;
      if (!(k in ours)) out.push(`${p}: missing ≠ ${short(theirs[k])}`);
      else if (!(k in theirs)) out.push(`${p}: ${short(ours[k])} ≠ (no such field in Nomad 1.0)`);
      else out.push(...differences(ours[k], theirs[k], p));
    }
    return out;
  }
  return JSON.stringify(ours) === JSON.stringify(theirs) ? [] : [`${path}: ${short(ours)} ≠ ${short(theirs)}`];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Files Nomad 1.0.18 rejects and bivouac accepts, each for a newer Nomad that accepts it too,
 * with the words of Nomad 1.0.18's error that name the newer key or value.
 */
export const NEWER_NOMAD: Readonly<Record<string, { readonly reason: string; readonly nomadSaid: string }>> = {
  'nomad-demo-and-assets/nfs.nomad.hcl': { reason: 'service provider (Nomad 1.3)', nomadSaid: '"provider"' },
  'nomad-e2e/alloc_zombie.nomad': { reason: 'service provider (Nomad 1.3)', nomadSaid: '"provider"' },
  'nomad-e2e/bridge.hcl': { reason: 'service provider (Nomad 1.3)', nomadSaid: '"provider"' },
  'nomad-e2e/checks_happy.nomad': { reason: 'service provider (Nomad 1.3)', nomadSaid: '"provider"' },
  'nomad-e2e/registry.hcl': { reason: 'service provider (Nomad 1.3)', nomadSaid: '"provider"' },
  'nomad-jobspec-fixtures/service-provider.hcl': { reason: 'service provider (Nomad 1.3)', nomadSaid: '"provider"' },
  'nomad-e2e/docker_bridged_hostname_interpolation.nomad': { reason: 'network hostname (Nomad 1.2)', nomadSaid: '"hostname"' },
  'nomad-jobspec-fixtures/tg-network-with-hostname.hcl': { reason: 'network hostname (Nomad 1.2)', nomadSaid: '"hostname"' },
  'nomad-e2e/exec.nomad': { reason: 'resources memory_max (Nomad 1.1)', nomadSaid: '"memory_max"' },
  'nomad-jobspec-fixtures/resources-cores.hcl': { reason: 'resources cores (Nomad 1.1)', nomadSaid: '"cores"' },
  'nomad-e2e/sysbatch_dispatch.nomad': { reason: 'sysbatch jobs, which may be parameterized (Nomad 1.2)', nomadSaid: 'Invalid job type: "sysbatch"' },
  'nomad-e2e/sysbatch_periodic.nomad': { reason: 'sysbatch jobs, which may be periodic (Nomad 1.2)', nomadSaid: 'Invalid job type: "sysbatch"' },
  'nomad-jobspec-fixtures/tg-network.hcl': { reason: 'upstream local_bind_address (Nomad 1.1) and mesh_gateway (Nomad 1.2)', nomadSaid: '"local_bind_address"' },
  'nomad-jobspec-fixtures/tg-service-connect-gateway-ingress.hcl': { reason: 'ingress TLS tls_min_version and cipher_suites (Nomad 1.4)', nomadSaid: '"tls_min_version"' },
  'nomad-jobspec-fixtures/tg-service-connect-gateway-mesh.hcl': { reason: 'mesh gateways (Nomad 1.2)', nomadSaid: '"mesh"' },
  'nomad-jobspec2-fixtures/connect-example.hcl': { reason: 'upstream config (Nomad 1.5)', nomadSaid: '"config"' },
};

/** Other verdict differences, each with its reason. */
export const OTHER_VERDICTS: Readonly<Record<string, string>> = {
  'nomad-e2e/terminating-gateway.nomad':
    'a Nomad server accepts it: its Connect admission hook adds the gateway task that local validation misses (see the corpus README)',
  'nomad-jobspec-fixtures/bad-ports.hcl':
    'bivouac refuses a port label that cannot name NOMAD_PORT_<label>, as Nomad\'s -hcl1 parser does; Nomad\'s HCL2 path lets `port "" {}` through',
};

/**
 * Canonical-JSON fields that may differ, and why. Blocks other engineers own are listed by
 * branch until it merges (the lead removes those rows then).
 */
export const FIELD_EXCEPTIONS: readonly { readonly path: RegExp; readonly reason: string }[] = [
  {
    path: /\.Volumes\.[^.]+\.(AccessMode|AttachmentMode|PerAlloc): .* ≠ \(no such field in Nomad 1\.0\)$/,
    reason: 'volume access_mode, attachment_mode, per_alloc (Nomad 1.1): Nomad 1.0.18\'s HCL1 parser drops them without an error, bivouac keeps what was written',
  },
];
