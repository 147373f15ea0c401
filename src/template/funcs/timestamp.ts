/** `timestamp` ([FORMAT]): the clock in UTC as RFC 3339, a Go layout, or "unix" seconds. */
import { funcError } from '../errors.js';
import { formatGoTime } from './gotime.js';

const RFC3339 = '2006-01-02T15:04:05Z07:00';

export function timestampFunc(now: () => Date): (...format: string[]) => string {
  return (...format) => {
    if (format.length > 1) throw funcError(`timestamp: wrong number of arguments, expected 0 or 1, but got ${format.length}`);
    const t = now();
    if (format[0] === 'unix') return String(Math.floor(t.getTime() / 1000));
    return formatGoTime(t, format[0] ?? RFC3339);
  };
}
