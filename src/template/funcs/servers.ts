/**
 * consul-template functions that need a Consul, Vault or Nomad server, or that run a
 * program. They are registered (so a template using them parses, as it does for
 * consul-template) and fail loudly when called: a TemplateError with code
 * TEMPLATE_NEEDS_SERVER naming the function and what it needs. They never render empty.
 */
import { TemplateError } from '../errors.js';
import { goFunc, type TemplateFunc } from '../func.js';

/** What a server-only function needs; `program` is for `plugin` and `writeToFile`. */
export type NeededServer = 'Consul' | 'Vault' | 'Nomad' | 'program';

/** What each such function needs, with what it would have asked for. */
export const SERVER_FUNCTIONS: Readonly<Record<string, { readonly needs: NeededServer; readonly what: string }>> = {
  datacenters: { needs: 'Consul', what: 'the catalog datacenters' },
  key: { needs: 'Consul', what: 'a KV key' },
  keyExists: { needs: 'Consul', what: 'a KV key' },
  keyOrDefault: { needs: 'Consul', what: 'a KV key' },
  ls: { needs: 'Consul', what: 'a KV prefix' },
  safeLs: { needs: 'Consul', what: 'a KV prefix' },
  tree: { needs: 'Consul', what: 'a KV prefix' },
  safeTree: { needs: 'Consul', what: 'a KV prefix' },
  node: { needs: 'Consul', what: 'a catalog node' },
  nodes: { needs: 'Consul', what: 'the catalog nodes' },
  service: { needs: 'Consul', what: 'a service\'s healthy instances' },
  services: { needs: 'Consul', what: 'the catalog services' },
  connect: { needs: 'Consul', what: 'a Connect service' },
  caRoots: { needs: 'Consul', what: 'the Connect CA roots' },
  caLeaf: { needs: 'Consul', what: 'a Connect leaf certificate' },
  partitions: { needs: 'Consul', what: 'the admin partitions' },
  peerings: { needs: 'Consul', what: 'the cluster peerings' },
  exportedServices: { needs: 'Consul', what: 'the exported services' },
  importedServices: { needs: 'Consul', what: 'the imported services' },
  byKey: { needs: 'Consul', what: 'KV pairs from tree' },
  byTag: { needs: 'Consul', what: 'services from service' },
  byPort: { needs: 'Consul', what: 'services from service' },
  byMeta: { needs: 'Consul', what: 'services from service' },
  secret: { needs: 'Vault', what: 'a secret' },
  secrets: { needs: 'Vault', what: 'a secret list' },
  pkiCert: { needs: 'Vault', what: 'a PKI certificate' },
  nomadService: { needs: 'Nomad', what: 'a Nomad service' },
  nomadServices: { needs: 'Nomad', what: 'the Nomad services' },
  nomadVar: { needs: 'Nomad', what: 'a Nomad variable' },
  nomadVarExists: { needs: 'Nomad', what: 'a Nomad variable' },
  nomadVarList: { needs: 'Nomad', what: 'the Nomad variables' },
  nomadVarListSafe: { needs: 'Nomad', what: 'the Nomad variables' },
  plugin: { needs: 'program', what: 'an external program\'s output' },
  writeToFile: { needs: 'program', what: 'a write outside the destination' },
};

export function needsServerError(name: string): TemplateError {
  const entry = SERVER_FUNCTIONS[name];
  const needs = entry?.needs ?? 'Consul';
  const message = needs === 'program'
    ? `function is disabled: ${name} would need ${entry?.what ?? 'a program'}, which templates here may not do`
    : `${name} needs a ${needs} server (${entry?.what ?? 'a lookup'}), and none is available to templates here`;
  return new TemplateError('TEMPLATE_NEEDS_SERVER', message, { func: name, needs });
}

export function serverFuncs(): Record<string, TemplateFunc> {
  const out: Record<string, TemplateFunc> = {};
  for (const name of Object.keys(SERVER_FUNCTIONS)) {
    out[name] = goFunc([], () => {
      throw needsServerError(name);
    }, 'any');
  }
  return out;
}
