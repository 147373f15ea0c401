/**
 * regexMatch and regexReplaceAll with Go's regexp (RE2) syntax and semantics, translated
 * to a JavaScript RegExp: `(?P<name>…)`, leading `(?ims)` flags, `\A` `\z` `\Q…\E`,
 * `\pL`, POSIX classes `[[:alpha:]]`, Go's narrower `\s`; Perl-only syntax RE2 refuses
 * (look-around, back-references) is refused here too. Replacements use Go's Expand syntax
 * (`$1`, `${1}`, `$name`, `$$`; `$1x` names the group "1x"), and empty matches right after a
 * match are skipped as Go does.
 */
import { funcError } from '../errors.js';

const POSIX: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F', digit: '0-9',
  graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z',
  word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};
const GO_SPACE = '\\t\\n\\f\\r ';
const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));

function parseError(msg: string, what: string): never {
  throw funcError(`error parsing regexp: ${msg}: \`${what}\``);
}

/** A literal character as it may appear in a u-mode RegExp. */
function literal(c: string, inClass: boolean): string {
  if (SYNTAX.has(c) || (inClass && c === '-')) return `\\${c}`;
  return c;
}

/** One escape sequence starting at re[i] === '\\'; returns the JS text and the next index. */
function escape(re: string, i: number, inClass: boolean): [string, number] {
  const c = re[i + 1];
  if (c === undefined) parseError('trailing backslash at end of expression', '');
  switch (c) {
    case 'd': case 'D': case 'w': case 'W': case 'b': case 'B': case 'n': case 't': case 'r': case 'f': case 'v':
      if (inClass && (c === 'b' || c === 'B')) parseError('invalid escape sequence', `\\${c}`);
      return [`\\${c}`, i + 2];
    case 's':
      return [inClass ? GO_SPACE : `[${GO_SPACE}]`, i + 2];
    case 'S':
      if (inClass) parseError('invalid character class range', '\\S');
      return [`[^${GO_SPACE}]`, i + 2];
    case 'a':
      return ['\\x07', i + 2];
    case 'A':
      return ['(?<![\\s\\S])', i + 2];
    case 'z':
      return ['(?![\\s\\S])', i + 2];
    case 'p': case 'P': {
      if (re[i + 2] === '{') {
        const end = re.indexOf('}', i + 3);
        if (end < 0) parseError('invalid character class range', re.slice(i));
        // Go names scripts bare (\p{Greek}); JavaScript wants Script=
        const name = re.slice(i + 3, end);
        return [`\\${c}{${/^[A-Z][a-z]?$/.test(name) ? name : `Script=${name}`}}`, end + 1];
      }
      return [`\\${c}{${re[i + 2]}}`, i + 3];
    }
    case 'x': {
      if (re[i + 2] === '{') {
        const end = re.indexOf('}', i + 3);
        return [`\\u{${re.slice(i + 3, end)}}`, end + 1];
      }
      return [`\\x${re.slice(i + 2, i + 4)}`, i + 4];
    }
    case 'Q': {
      const end = re.indexOf('\\E', i + 2);
      const text = re.slice(i + 2, end < 0 ? undefined : end);
      return [[...text].map((ch) => literal(ch, inClass)).join(''), end < 0 ? re.length : end + 2];
    }
    default:
      if (/[0-9A-Za-z]/.test(c)) parseError('invalid escape sequence', `\\${c}`);
      return [literal(c, inClass), i + 2];
  }
}

/** Translates an RE2 pattern; throws Go's `error parsing regexp: …` where RE2 would. */
export function translateRE2(re: string): RegExp {
  let flags = 'gu';
  let i = 0;
  const lead = /^\(\?([imsU]+)\)/.exec(re);
  if (lead) {
    if (lead[1].includes('U')) throw funcError('error parsing regexp: the (?U) flag is not supported here');
    for (const f of new Set(lead[1])) flags += f;
    i = lead[0].length;
  }
  let out = '';
  while (i < re.length) {
    const c = re[i];
    if (c === '\\') {
      const [text, next] = escape(re, i, false);
      out += text;
      i = next;
    } else if (c === '(') {
      if (re.startsWith('(?P<', i)) {
        out += '(?<';
        i += 4;
      } else if (re.startsWith('(?:', i) || (re.startsWith('(?<', i) && !/^\(\?<[=!]/.test(re.slice(i)))) {
        out += re.slice(i, i + 3);
        i += 3;
      } else if (re.startsWith('(?', i)) {
        parseError('invalid or unsupported Perl syntax', re.slice(i, i + 3));
      } else {
        out += c;
        i++;
      }
    } else if (c === '[') {
      let j = i + 1;
      out += '[';
      if (re[j] === '^') {
        out += '^';
        j++;
      }
      if (re[j] === ']') {
        out += '\\]';
        j++;
      }
      while (j < re.length && re[j] !== ']') {
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(re.slice(j));
        if (posix) {
          const set = POSIX[posix[2]];
          if (set === undefined) parseError('invalid character class range', posix[0]);
          if (posix[1]) parseError('negated POSIX classes are not supported here', posix[0]);
          out += set;
          j += posix[0].length;
        } else if (re[j] === '\\') {
          const [text, next] = escape(re, j, true);
          out += text;
          j = next;
        } else {
          out += re[j] === '[' ? '\\[' : re[j];
          j++;
        }
      }
      if (j >= re.length) parseError('missing closing ]', re.slice(i));
      out += ']';
      i = j + 1;
    } else if (c === '{') {
      const q = /^\{(\d+)(,(\d*))?\}/.exec(re.slice(i));
      if (q && out !== '') {
        out += q[0];
        i += q[0].length;
      } else {
        out += '\\{';
        i++;
      }
    } else if (c === '}' || c === ']' || c === '/') {
      out += `\\${c}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  try {
    return new RegExp(out, flags);
  } catch (e) {
    throw funcError(`error parsing regexp: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** regexp.Expand's template syntax. */
function expand(template: string, m: RegExpExecArray): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const d = template.indexOf('$', i);
    if (d < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, d);
    i = d + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    const brace = template[i] === '{';
    const nm = /^[\p{L}\p{Nd}_]+/u.exec(template.slice(brace ? i + 1 : i));
    if (!nm || (brace && template[i + 1 + nm[0].length] !== '}')) {
      out += '$';
      continue;
    }
    const name = nm[0];
    i += name.length + (brace ? 2 : 0);
    const isNum = /^[0-9]+$/.test(name) && !(name.length > 1 && name[0] === '0');
    const v = isNum ? m[Number(name)] : m.groups?.[name];
    out += v ?? '';
  }
  return out;
}

export function regexMatch(re: string, s: string): boolean {
  const r = translateRE2(re);
  r.lastIndex = 0;
  return r.exec(s) !== null;
}

/** regexp.ReplaceAllString(s, repl) with Go's handling of empty matches. */
export function regexReplaceAll(re: string, repl: string, s: string): string {
  const r = translateRE2(re);
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= s.length) {
    r.lastIndex = searchPos;
    const m = r.exec(s);
    if (m === null) break;
    const start = m.index;
    const end = start + m[0].length;
    out += s.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) out += expand(repl, m);
    lastMatchEnd = end;
    const width = searchPos < s.length ? String.fromCodePoint(s.codePointAt(searchPos) as number).length : 0;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + s.slice(lastMatchEnd);
}
