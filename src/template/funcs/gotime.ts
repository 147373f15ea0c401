/**
 * Go's time.Format layouts ("2006-01-02T15:04:05Z07:00") for a UTC instant, which is what
 * consul-template's `timestamp` formats (it reads the clock in UTC).
 */
const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const isLower = (c: string | undefined): boolean => c !== undefined && c >= 'a' && c <= 'z';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const pad = (n: number, w: number, fill = '0'): string => String(n).padStart(w, fill);

/** The layout element at layout[i], or undefined for a literal character (Go's nextStdChunk). */
function chunkAt(layout: string, i: number): string | undefined {
  const rest = layout.slice(i);
  const starts = (s: string): boolean => rest.startsWith(s);
  switch (layout[i]) {
    case 'J':
      if (starts('January')) return 'January';
      if (starts('Jan') && !isLower(layout[i + 3])) return 'Jan';
      return undefined;
    case 'M':
      if (starts('Monday')) return 'Monday';
      if (starts('Mon') && !isLower(layout[i + 3])) return 'Mon';
      if (starts('MST')) return 'MST';
      return undefined;
    case '0':
      if (starts('002')) return '002';
      if (layout[i + 1] !== undefined && layout[i + 1] >= '1' && layout[i + 1] <= '6') return rest.slice(0, 2);
      return undefined;
    case '1':
      return starts('15') ? '15' : '1';
    case '2':
      return starts('2006') ? '2006' : '2';
    case '_':
      if (starts('_2')) return starts('_2006') ? undefined : '_2';
      if (starts('__2')) return '__2';
      return undefined;
    case '3': case '4': case '5':
      return layout[i];
    case 'P':
      return starts('PM') ? 'PM' : undefined;
    case 'p':
      return starts('pm') ? 'pm' : undefined;
    case '-':
      for (const z of ['-07:00:00', '-070000', '-07:00', '-0700', '-07']) if (starts(z)) return z;
      return undefined;
    case 'Z':
      for (const z of ['Z07:00:00', 'Z070000', 'Z07:00', 'Z0700', 'Z07']) if (starts(z)) return z;
      return undefined;
    case '.': case ',': {
      const ch = layout[i + 1];
      if (ch !== '0' && ch !== '9') return undefined;
      let j = i + 1;
      while (layout[j] === ch) j++;
      return isDigit(layout[j]) ? undefined : layout.slice(i, j);
    }
    default:
      return undefined;
  }
}

/** time.Time.Format for `t` in UTC. */
export function formatGoTime(t: Date, layout: string): string {
  const year = t.getUTCFullYear();
  const month = t.getUTCMonth();
  const day = t.getUTCDate();
  const hour = t.getUTCHours();
  const min = t.getUTCMinutes();
  const sec = t.getUTCSeconds();
  const nanos = t.getUTCMilliseconds() * 1_000_000;
  const yday = Math.floor((Date.UTC(year, month, day) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  let out = '';
  let i = 0;
  while (i < layout.length) {
    const c = chunkAt(layout, i);
    if (c === undefined) {
      out += layout[i];
      i++;
      continue;
    }
    i += c.length;
    switch (c) {
      case 'January': out += LONG_MONTHS[month]; break;
      case 'Jan': out += LONG_MONTHS[month].slice(0, 3); break;
      case 'Monday': out += LONG_DAYS[t.getUTCDay()]; break;
      case 'Mon': out += LONG_DAYS[t.getUTCDay()].slice(0, 3); break;
      case 'MST': out += 'UTC'; break;
      case '01': out += pad(month + 1, 2); break;
      case '02': out += pad(day, 2); break;
      case '03': out += pad(h12, 2); break;
      case '04': out += pad(min, 2); break;
      case '05': out += pad(sec, 2); break;
      case '06': out += pad(year % 100, 2); break;
      case '002': out += pad(yday, 3); break;
      case '1': out += String(month + 1); break;
      case '2': out += String(day); break;
      case '_2': out += pad(day, 2, ' '); break;
      case '__2': out += pad(yday, 3, ' '); break;
      case '15': out += pad(hour, 2); break;
      case '2006': out += pad(year, 4); break;
      case '3': out += String(h12); break;
      case '4': out += String(min); break;
      case '5': out += String(sec); break;
      case 'PM': out += hour >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += hour >= 12 ? 'pm' : 'am'; break;
      default:
        if (c[0] === 'Z') out += 'Z';
        else if (c[0] === '-') out += `+${c.slice(1).replace(/[0-9]/g, '0')}`;
        else {
          // fractional seconds: .000 always prints its digits, .999 trims trailing zeros
          const digits = pad(nanos, 9).slice(0, c.length - 1);
          if (c[1] === '0') out += c[0] + digits;
          else {
            const trimmed = digits.replace(/0+$/, '');
            if (trimmed !== '') out += c[0] + trimmed;
          }
        }
    }
  }
  return out;
}
