/**
 * A rendered `env = true` template to variables, by the rules of hashicorp/go-envparse,
 * which Nomad uses: one `KEY=value` per line, keys `[A-Za-z_][A-Za-z0-9_]*`, blank lines
 * and `#` comments skipped; a value is any mix of unquoted text (ends at `#`, `"`, `'` or the
 * line's end, trimmed), single-quoted text (literal) and double-quoted text (JSON escapes:
 * \uXXXX, \n, \r, \t, \\, \", \/, \b, \f). Pure.
 */
export class EnvFileError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'EnvFileError';
  }
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', '/': '/', b: '\b', f: '\f' };

export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const n = i + 1;
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq < 0) throw new EnvFileError(n, 'expected KEY=value');
    const key = line.slice(0, eq).trim();
    if (!KEY.test(key)) throw new EnvFileError(n, `invalid key ${JSON.stringify(key)}`);
    out[key] = parseValue(line.slice(eq + 1), n);
  });
  return out;
}

function parseValue(s: string, n: number): string {
  let out = '';
  let i = 0;
  let unquoted = '';
  const flush = (last: boolean): void => {
    // Unquoted runs lose leading space at the start of the value and trailing space at its end.
    out += out === '' ? (last ? unquoted.trim() : unquoted.trimStart()) : last ? unquoted.trimEnd() : unquoted;
    unquoted = '';
  };
  while (i < s.length) {
    const c = s[i];
    if (c === '#') break;
    if (c === "'") {
      flush(false);
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new EnvFileError(n, 'unterminated single quote');
      out += s.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      flush(false);
      i++;
      for (;;) {
        if (i >= s.length) throw new EnvFileError(n, 'unterminated double quote');
        const d = s[i];
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\') {
          const e = s[i + 1];
          if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) {
            out += String.fromCharCode(parseInt(s.slice(i + 2, i + 6), 16));
            i += 6;
            continue;
          }
          const mapped = e === undefined ? undefined : ESCAPES[e];
          if (mapped === undefined) throw new EnvFileError(n, `invalid escape \\${e ?? ''}`);
          out += mapped;
          i += 2;
          continue;
        }
        out += d;
        i++;
      }
    } else {
      unquoted += c;
      i++;
    }
  }
  flush(true);
  return out;
}
