import type { Logger } from '../src/util/logger.js';

/**
 * The one root logger. JSON lines to stdout through a synchronous destination (nothing is
 * lost when the agent is killed), or pino-pretty when stdout is a terminal.
 */
export async function createLogger(opts: { level: string; pretty: boolean }): Promise<{ readonly log: Logger }> {
  // Wrapped in an object: pino's logger type carries a `then`, which an async function may not return bare.
  const { pino } = await import('pino');
  if (opts.pretty) {
    return { log: pino({ level: opts.level, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard' } } }) };
  }
  return { log: pino({ level: opts.level }, pino.destination({ dest: 1, sync: true })) };
}
