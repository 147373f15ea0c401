import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { NetworkInterfaceInfo } from 'node:os';
import type { FingerprintContext, HostOs } from '../../src/node/index.js';
import type { Logger } from '../../src/util/logger.js';
import { fixturesDir } from '../helpers/paths.js';

export interface LogLine {
  readonly level: string;
  readonly obj: object | string;
  readonly msg: string | undefined;
}

/** A logger that keeps what it is told, for tests where the warning is the behaviour. */
export function sinkLogger(lines: LogLine[] = []): Logger & { readonly lines: LogLine[] } {
  const at =
    (level: string) =>
    (obj: object | string, msg?: string): void => {
      lines.push({ level, obj, msg });
    };
  const log = {
    lines,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: () => log,
  };
  return log;
}

export function iface(address: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: `${address}/24` };
}

export function fakeOs(over: Partial<HostOs> = {}): HostOs {
  return {
    hostname: () => 'fake-host',
    arch: () => 'x64',
    machine: () => 'x86_64',
    networkInterfaces: () => ({ lo: [iface('127.0.0.1', true)] }),
    ...over,
  };
}

/** A context reading `test/fixtures/proc/<name>/{proc,sys,etc}`. */
export function fixtureCtx(
  name: string,
  over: Partial<FingerprintContext> = {},
): FingerprintContext & { readonly log: ReturnType<typeof sinkLogger> } {
  const base = join(fixturesDir, 'proc', name);
  return {
    procRoot: join(base, 'proc'),
    sysRoot: join(base, 'sys'),
    etcRoot: join(base, 'etc'),
    dataDir: tmpdir(),
    overrides: {},
    os: fakeOs(),
    ...over,
    log: sinkLogger(),
  };
}
