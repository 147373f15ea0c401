/**
 * consul-template's function map for the engine, built per render from its context: the
 * environment `env` reads, how `file` reads, and the clock `timestamp` reads. Functions
 * that need a server (servers.ts) and helpers this renderer lacks (unsupported.ts) are
 * registered and fail loudly when called.
 */
import { goFunc, type FuncMap } from '../func.js';
import { executeTemplate } from './execute.js';
import { envFunc, envOrDefaultFunc, fileFunc, mustEnvFunc, type EnvMap, type FileAccess } from './context.js';
import {
  base64Decode, base64Encode, base64URLDecode, base64URLEncode, hmacSHA256Hex, md5sum, parseJSON, sha256Hex, toJSON,
  toJSONPretty, toUnescapedJSON, toUnescapedJSONPretty,
} from './encoding.js';
import { timestampFunc } from './timestamp.js';
import { add, divide, loop, maximum, minimum, modulo, multiply, parseBool, parseFloat, parseInt, parseUint, subtract } from './numbers.js';
import { regexMatch, regexReplaceAll } from './regex.js';
import { serverFuncs } from './servers.js';
import { unsupportedFuncs } from './unsupported.js';
import {
  contains, containsSome, indent, inList, join, replaceAll, split, splitToMap, toLower, toTitle, toUpper, trim, trimPrefix,
  trimSpace, trimSuffix,
} from './strings.js';

export interface ConsulTemplateContext {
  /** What `env` sees (for a task: its environment as the caller builds it). */
  readonly env: EnvMap;
  /** How `file` resolves and reads. */
  readonly file: FileAccess;
  /** The clock `timestamp` reads. */
  readonly now: () => Date;
}

export function consulTemplateFuncs(ctx: ConsulTemplateContext): FuncMap {
  const s = 'string' as const;
  return {
    ...unsupportedFuncs(),
    ...serverFuncs(),
    env: goFunc([s], envFunc(ctx.env)),
    mustEnv: goFunc([s], mustEnvFunc(ctx.env)),
    envOrDefault: goFunc([s, s], envOrDefaultFunc(ctx.env)),
    file: goFunc([s], fileFunc(ctx.file)),
    timestamp: goFunc([], timestampFunc(ctx.now), s),
    executeTemplate: { ...goFunc([s], executeTemplate, 'any'), executes: true },
    base64Decode: goFunc([s], base64Decode),
    base64Encode: goFunc([s], base64Encode),
    base64URLDecode: goFunc([s], base64URLDecode),
    base64URLEncode: goFunc([s], base64URLEncode),
    contains: goFunc(['any', 'any'], contains),
    containsAll: goFunc(['any', 'any'], containsSome(true, true)),
    containsAny: goFunc(['any', 'any'], containsSome(false, false)),
    containsNone: goFunc(['any', 'any'], containsSome(true, false)),
    containsNotAll: goFunc(['any', 'any'], containsSome(false, true)),
    in: goFunc(['any', 'any'], inList),
    indent: goFunc(['int', s], indent),
    join: goFunc([s, 'strings'], join),
    split: goFunc([s, s], split),
    splitToMap: goFunc([s, s, s], splitToMap),
    toJSON: goFunc(['any'], toJSON),
    toJSONPretty: goFunc(['any'], toJSONPretty),
    toUnescapedJSON: goFunc(['any'], toUnescapedJSON),
    toUnescapedJSONPretty: goFunc(['any'], toUnescapedJSONPretty),
    parseJSON: goFunc([s], parseJSON),
    toLower: goFunc([s], toLower),
    toUpper: goFunc([s], toUpper),
    toTitle: goFunc([s], toTitle),
    trimSpace: goFunc([s], trimSpace),
    trim: goFunc([s, s], trim),
    trimPrefix: goFunc([s, s], trimPrefix),
    trimSuffix: goFunc([s, s], trimSuffix),
    replaceAll: goFunc([s, s, s], replaceAll),
    regexMatch: goFunc([s, s], regexMatch),
    regexReplaceAll: goFunc([s, s, s], regexReplaceAll),
    parseBool: goFunc([s], parseBool),
    parseFloat: goFunc([s], parseFloat),
    parseInt: goFunc([s], parseInt),
    parseUint: goFunc([s], parseUint),
    add: goFunc(['any', 'any'], add),
    subtract: goFunc(['any', 'any'], subtract),
    multiply: goFunc(['any', 'any'], multiply),
    divide: goFunc(['any', 'any'], divide),
    modulo: goFunc(['any', 'any'], modulo),
    minimum: goFunc(['any', 'any'], minimum),
    maximum: goFunc(['any', 'any'], maximum),
    loop: goFunc([], loop, 'any'),
    sha256Hex: goFunc([s], sha256Hex),
    md5sum: goFunc([s], md5sum),
    hmacSHA256Hex: goFunc([s, s], hmacSHA256Hex),
  };
}

export { SERVER_FUNCTIONS, needsServerError, type NeededServer } from './servers.js';
export { UNSUPPORTED_FUNCTIONS } from './unsupported.js';
export type { EnvMap, FileAccess } from './context.js';
