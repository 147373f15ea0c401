import type { NetworkInterfaceInfo } from 'node:os';
import type { FingerprintContext } from './context.js';
import { readOptional } from './context.js';

/**
 * unique.network.ip-address: the first non-loopback IPv4 address of the interface that holds
 * the default route in /proc/net/route; failing that, the first non-internal IPv4 address
 * of any interface (in os.networkInterfaces() order); failing that, 127.0.0.1, so a host
 * with no network still gets an address tasks can bind to.
 */
export async function fingerprintNetwork(ctx: FingerprintContext): Promise<Record<string, string>> {
  const ifaces = ctx.os.networkInterfaces();
  const route = await readOptional(ctx.procRoot, 'net/route');
  const dev = route === null ? null : defaultRouteInterface(route);
  const viaRoute = dev === null ? null : firstIPv4(ifaces[dev] ?? []);
  if (viaRoute) return { 'unique.network.ip-address': viaRoute };
  for (const list of Object.values(ifaces)) {
    const ip = firstIPv4(list ?? []);
    if (ip) return { 'unique.network.ip-address': ip };
  }
  ctx.log.warn({}, 'no non-loopback IPv4 address; using 127.0.0.1');
  return { 'unique.network.ip-address': '127.0.0.1' };
}

const RTF_UP = 0x1;

/** The interface of the first up route to 0.0.0.0/0, or null. */
export function defaultRouteInterface(text: string): string | null {
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, , flags, , , , mask] = f;
    if (dest === '00000000' && mask === '00000000' && (parseInt(flags, 16) & RTF_UP) !== 0) return iface;
  }
  return null;
}

function firstIPv4(list: readonly NetworkInterfaceInfo[]): string | null {
  const hit = list.find((a) => a.family === 'IPv4' && !a.internal && !a.address.startsWith('127.'));
  return hit ? hit.address : null;
}
