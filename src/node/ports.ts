import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const TCP_LISTEN = '0A';

/**
 * Ports the host already uses, from /proc/net/{tcp,tcp6,udp,udp6}: TCP sockets in LISTEN
 * and every bound UDP socket. The scheduler keeps static and dynamic ports off these. A
 * missing table (no IPv6, say) counts as empty. Synchronous: it runs inside a plan.
 */
export function listeningPorts(procRoot: string): Set<number> {
  const out = new Set<number>();
  for (const [file, listenOnly] of [
    ['tcp', true],
    ['tcp6', true],
    ['udp', false],
    ['udp6', false],
  ] as const) {
    const text = readIfPresent(join(procRoot, 'net', file));
    if (text !== null) for (const p of portsInTable(text, listenOnly)) out.add(p);
  }
  return out;
}

/** Local ports of one /proc/net table; `listenOnly` keeps only sockets in LISTEN. */
export function portsInTable(text: string, listenOnly: boolean): number[] {
  const out: number[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    const local = f[1];
    const colon = local.lastIndexOf(':');
    if (colon < 0) continue;
    if (listenOnly && f[3] !== TCP_LISTEN) continue;
    const port = parseInt(local.slice(colon + 1), 16);
    if (port > 0) out.push(port);
  }
  return out;
}

function readIfPresent(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return null;
    throw err;
  }
}
