/**
 * consul-template's parse* and arithmetic helpers. Arithmetic takes its arguments in
 * pipeline order (`{{ 10 | subtract 3 }}` is 10 - 3): the function's first parameter is the
 * right-hand operand. int op int is an int; with a float64 on either side the result is one.
 */
import { funcError } from '../errors.js';
import { quote } from '../fmt.js';
import { GoFloat, kindOf, num, typeName } from '../values.js';

const float = (x: number): number | GoFloat => (Number.isInteger(x) ? new GoFloat(x) : x);

export function parseBool(s: string): boolean {
  if (s === '') return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw funcError(`parseBool: strconv.ParseBool: parsing ${quote(s)}: invalid syntax`);
}

export function parseFloat(s: string): number | GoFloat {
  if (s === '') return new GoFloat(0);
  const special = /^[+-]?(inf|infinity|nan)$/i.exec(s);
  if (special) return special[1].toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) && !/^[+-]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+$/.test(s)) {
    throw funcError(`parseFloat: strconv.ParseFloat: parsing ${quote(s)}: invalid syntax`);
  }
  const v = /^[+-]?0[xX]/.test(s) ? hexFloat(s) : Number(s);
  if (!Number.isFinite(v)) throw funcError(`parseFloat: strconv.ParseFloat: parsing ${quote(s)}: value out of range`);
  return float(v);
}

function hexFloat(s: string): number {
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(s) as RegExpExecArray;
  const v = (Number.parseInt(m[2] + m[3] || '0', 16) / 16 ** m[3].length) * 2 ** Number(m[4]);
  return m[1] === '-' ? -v : v;
}

function parseInteger(s: string, name: 'parseInt' | 'parseUint'): number {
  if (s === '') return 0;
  const fn = name === 'parseInt' ? 'ParseInt' : 'ParseUint';
  const ok = name === 'parseInt' ? /^[+-]?\d+$/.test(s) : /^\d+$/.test(s);
  if (!ok) throw funcError(`${name}: strconv.${fn}: parsing ${quote(s)}: invalid syntax`);
  if (s.length <= 15) return Number(s);
  const big = BigInt(s);
  const max = name === 'parseInt' ? 2n ** 63n - 1n : 2n ** 64n - 1n;
  const min = name === 'parseInt' ? -(2n ** 63n) : 0n;
  if (big > max || big < min) throw funcError(`${name}: strconv.${fn}: parsing ${quote(s)}: value out of range`);
  return Number(big);
}

export const parseInt = (s: string): number => parseInteger(s, 'parseInt');
export const parseUint = (s: string): number => parseInteger(s, 'parseUint');

type Op = 'add' | 'subtract' | 'multiply' | 'divide' | 'modulo';

function unknownType(op: string, v: unknown): never {
  const shown = typeof v === 'string' ? quote(v) : v === null || v === undefined ? '%!q(<nil>)' : `%!q(${typeName(v)}=${String(v)})`;
  throw funcError(`${op}: unknown type for ${shown} (${typeName(v)})`);
}

function numeric(op: string, v: unknown, allowFloat = true): 'int' | 'float' {
  const k = kindOf(v);
  if (k === 'int' || (k === 'float' && allowFloat)) return k;
  return unknownType(op, v);
}

/** b is the first argument, a the second (the piped value): the result is a OP b. */
function arith(op: Op): (b: unknown, a: unknown) => number | GoFloat {
  return (b, a) => {
    const ka = numeric(op, a, op !== 'modulo');
    const kb = numeric(op, b, op !== 'modulo');
    const x = num(a);
    const y = num(b);
    if (ka === 'int' && kb === 'int') {
      switch (op) {
        case 'add': return x + y;
        case 'subtract': return x - y;
        case 'multiply': return x * y;
        case 'divide':
          if (y === 0) throw funcError('runtime error: integer divide by zero');
          return Math.trunc(x / y);
        case 'modulo':
          if (y === 0) throw funcError('runtime error: integer divide by zero');
          return x % y;
      }
    }
    switch (op) {
      case 'add': return float(x + y);
      case 'subtract': return float(x - y);
      case 'multiply': return float(x * y);
      default: return float(x / y);
    }
  };
}

export const add = arith('add');
export const subtract = arith('subtract');
export const multiply = arith('multiply');
export const divide = arith('divide');
export const modulo = arith('modulo');

/** minimum/maximum return the chosen operand with its own type. */
function pick(op: 'minimum' | 'maximum'): (b: unknown, a: unknown) => unknown {
  return (b, a) => {
    numeric(op, a);
    numeric(op, b);
    const aWins = op === 'minimum' ? num(a) < num(b) : num(a) > num(b);
    return aWins ? a : b;
  };
}

export const minimum = pick('minimum');
export const maximum = pick('maximum');

/** loop N or loop START STOP: the integers in [start, stop) (a list where Go yields a channel). */
export function loop(...args: unknown[]): number[] {
  if (args.length !== 1 && args.length !== 2) {
    throw funcError(`loop: wrong number of arguments, expected 1 or 2, but got ${args.length}`);
  }
  const to64 = (v: unknown): number => {
    if (kindOf(v) === 'int') return Number(v);
    if (typeof v === 'string') return parseInt(v);
    throw funcError(`loop: bad argument type: ${typeName(v)}`);
  };
  const [start, stop] = args.length === 1 ? [0, to64(args[0])] : [to64(args[0]), to64(args[1])];
  const out: number[] = [];
  for (let i = start; i < stop; i++) out.push(i);
  return out;
}
