/** consul-template's encoders: base64 (std and URL), digests, JSON in and out. */
import { createHash, createHmac } from 'node:crypto';
import { funcError } from '../errors.js';
import { GoFloat, isMap, kindOf, sortedKeys, typeName } from '../values.js';

const STD = /^[A-Za-z0-9+/]$/;
const URL = /^[A-Za-z0-9\-_]$/;

/** base64.StdEncoding/URLEncoding.DecodeString: padded, strict; CR and LF are skipped. */
function decode64(s: string, alphabet: RegExp, name: string): string {
  const clean: string[] = [];
  const at: number[] = [];
  [...s].forEach((c, i) => {
    if (c !== '\r' && c !== '\n') {
      clean.push(c);
      at.push(i);
    }
  });
  const fail = (i: number): never => {
    throw funcError(`${name}: illegal base64 data at input byte ${at[i] ?? s.length}`);
  };
  let pad = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean[i];
    if (c === '=') {
      // padding only in the last two places of a full quantum
      if (i % 4 < 2) fail(i);
      pad++;
      continue;
    }
    if (pad > 0 || !alphabet.test(c)) fail(i);
  }
  if (clean.length % 4 !== 0) fail(clean.length - (clean.length % 4) + (clean.length % 4 === 1 ? 0 : clean.length % 4));
  if (pad === 1 && clean[clean.length - 1] !== '=') fail(clean.length - 1);
  return Buffer.from(clean.join(''), name === 'base64Decode' ? 'base64' : 'base64url').toString();
}

export const base64Encode = (s: string): string => Buffer.from(s).toString('base64');
export const base64URLEncode = (s: string): string =>
  Buffer.from(s).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
export const base64Decode = (s: string): string => decode64(s, STD, 'base64Decode');
export const base64URLDecode = (s: string): string => decode64(s, URL, 'base64URLDecode');

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');
export const md5sum = (s: string): string => createHash('md5').update(s).digest('hex');
export const hmacSHA256Hex = (message: string, key: string): string => createHmac('sha256', key).update(message).digest('hex');

/** A value as encoding/json sees it: maps with sorted keys, floats as numbers. */
function toJsonValue(v: unknown): unknown {
  switch (kindOf(v)) {
    case 'invalid': case 'nil':
      return null;
    case 'float': {
      const n = v instanceof GoFloat ? v.value : (v as number);
      if (!Number.isFinite(n)) throw funcError(`json: unsupported value: ${String(n).replace('Infinity', '+Inf')}`);
      return n;
    }
    case 'slice':
      return (v as unknown[]).map(toJsonValue);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const k of sortedKeys(v as Record<string, unknown>)) out[k] = toJsonValue((v as Record<string, unknown>)[k]);
      return out;
    }
    case 'func':
      throw funcError(`json: unsupported type: ${typeName(v)}`);
    default:
      return v;
  }
}

/** json.Marshal escapes <, > and & (and U+2028/9) for safe embedding in HTML. */
function htmlSafe(s: string): string {
  return s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export const toJSON = (v: unknown): string => htmlSafe(JSON.stringify(toJsonValue(v)));
export const toJSONPretty = (v: unknown): string => htmlSafe(JSON.stringify(toJsonValue(v), null, 2));
export const toUnescapedJSON = (v: unknown): string => JSON.stringify(toJsonValue(v));
export const toUnescapedJSONPretty = (v: unknown): string => JSON.stringify(toJsonValue(v), null, 2);

/** json.Unmarshal into interface{}: every number is a float64. */
function fromJson(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? new GoFloat(v) : v;
  if (Array.isArray(v)) return v.map(fromJson);
  if (isMap(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = fromJson(x);
    return out;
  }
  return v;
}

export function parseJSON(s: string): unknown {
  if (s === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(s);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const at = /at position (\d+)/.exec(msg);
    const atEnd = /end of (JSON )?input/i.test(msg) || (at !== null && Number(at[1]) >= s.length);
    throw funcError(atEnd ? 'unexpected end of JSON input' : `invalid JSON: ${msg}`);
  }
  return fromJson(parsed);
}
