/**
 * consul-template helpers this renderer does not have (YAML and TOML codecs, sockaddr's
 * network lookups, the scratch pad's methods, spew): registered so a
 * template that has them in a branch it never takes still renders, as with consul-template,
 * and one that calls them fails naming the function instead of rendering something else.
 */
import { funcError } from '../errors.js';
import { goFunc, type TemplateFunc } from '../func.js';

export const UNSUPPORTED_FUNCTIONS: readonly string[] = [
  'parseYAML', 'toYAML', 'toTOML', 'sockaddr', 'scratch', 'explode', 'explodeMap', 'mergeMap',
  'mergeMapWithOverride', 'spew_dump', 'spew_printf', 'spew_sdump', 'spew_sprintf',
];

export function unsupportedFuncs(): Record<string, TemplateFunc> {
  const out: Record<string, TemplateFunc> = {};
  for (const name of UNSUPPORTED_FUNCTIONS) {
    out[name] = goFunc([], () => {
      throw funcError(`${name} is a consul-template function this renderer does not support`);
    }, 'any');
  }
  return out;
}
