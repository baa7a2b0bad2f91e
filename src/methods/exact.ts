/**
 * Exact arithmetic on tableau coefficients.
 *
 * Every Coefficient (an integer, a fraction "p/q" or a decimal string such as Feagin's 60-digit values)
 * is an exact rational number. This module parses coefficients into BigInt rationals, does the little
 * arithmetic the methods need (e.g. error weights e = b - b̂) without any rounding, and rounds a rational
 * to the nearest double exactly once (round half to even, subnormals and overflow included).
 */
import type { Coefficient, ExplicitRungeKuttaMethod as Method } from './types.ts';

/** A rational number num/den in lowest terms with den > 0. */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

function gcd(x: bigint, y: bigint): bigint {
  let a = x < 0n ? -x : x;
  let b = y < 0n ? -y : y;
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Builds num/den reduced to lowest terms with a positive denominator. */
export function rational(num: bigint, den: bigint = 1n): Rational {
  if (den === 0n) throw new RangeError('rational: zero denominator');
  if (num === 0n) return { num: 0n, den: 1n };
  let n = num;
  let d = den;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  return g === 1n ? { num: n, den: d } : { num: n / g, den: d / g };
}

export const ZERO: Rational = { num: 0n, den: 1n };
export const ONE: Rational = { num: 1n, den: 1n };

export function add(x: Rational, y: Rational): Rational {
  if (x.num === 0n) return y;
  if (y.num === 0n) return x;
  if (x.den === y.den) return rational(x.num + y.num, x.den);
  return rational(x.num * y.den + y.num * x.den, x.den * y.den);
}

export function neg(x: Rational): Rational {
  return { num: -x.num, den: x.den };
}

export function sub(x: Rational, y: Rational): Rational {
  return add(x, neg(y));
}

export function mul(x: Rational, y: Rational): Rational {
  if (x.num === 0n || y.num === 0n) return ZERO;
  return rational(x.num * y.num, x.den * y.den);
}

export function div(x: Rational, y: Rational): Rational {
  if (y.num === 0n) throw new RangeError('rational: division by zero');
  return rational(x.num * y.den, x.den * y.num);
}

export function isZero(x: Rational): boolean {
  return x.num === 0n;
}

/** -1, 0 or 1 as x <, = or > y. */
export function compare(x: Rational, y: Rational): number {
  const d = x.num * y.den - y.num * x.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export function equals(x: Rational, y: Rational): boolean {
  return x.num === y.num && x.den === y.den;
}

export function abs(x: Rational): Rational {
  return x.num < 0n ? neg(x) : x;
}

/** Exact sum of a list of rationals. */
export function sum(xs: readonly Rational[]): Rational {
  let s = ZERO;
  for (const x of xs) s = add(s, x);
  return s;
}

/** "p/q" or "n" in lowest terms (the canonical spelling of an exact coefficient). */
export function rationalToString(x: Rational): string {
  return x.den === 1n ? x.num.toString() : `${x.num}/${x.den}`;
}

const INTEGER_OR_FRACTION = /^([+-]?\d+)(?:\/([+-]?\d+))?$/;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses a coefficient into an exact rational. Accepted spellings: an integer ("-3"), a fraction of two
 * integers ("-75/64"), or a decimal with an optional exponent ("0.125", "-4.01e-7", ".5", "8E3").
 */
export function parseCoefficient(text: Coefficient): Rational {
  const s = text.trim();
  const frac = INTEGER_OR_FRACTION.exec(s);
  if (frac) {
    const num = BigInt(frac[1]!);
    const den = frac[2] === undefined ? 1n : BigInt(frac[2]);
    if (den === 0n) throw new RangeError(`coefficient '${text}': zero denominator`);
    return rational(num, den);
  }
  const dec = DECIMAL.exec(s);
  if (dec && ((dec[2] ?? '') !== '' || (dec[3] ?? '') !== '')) {
    const sign = dec[1] === '-' ? -1n : 1n;
    const intPart = dec[2] ?? '';
    const fracPart = dec[3] ?? '';
    const exponent = dec[4] === undefined ? 0 : Number.parseInt(dec[4], 10);
    const digits = BigInt((intPart + fracPart).replace(/^0+(?=\d)/, '') || '0');
    const scale = exponent - fracPart.length;
    if (scale >= 0) return rational(sign * digits * 10n ** BigInt(scale));
    return rational(sign * digits, 10n ** BigInt(-scale));
  }
  throw new SyntaxError(`coefficient '${text}' is neither an integer, a fraction p/q nor a decimal`);
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

const TWO_52 = 1n << 52n;
const TWO_53 = 1n << 53n;

/**
 * The double nearest to num/den (IEEE 754 round half to even), for integers of any size.
 * Handles subnormal results and overflow to ±Infinity.
 */
export function rationalToNumber(x: Rational): number {
  const { num, den } = x;
  if (num === 0n) return 0;
  const negative = num < 0n;
  const p = negative ? -num : num;
  const q = den;
  // p/q lies in [2^(e-1), 2^(e+1)).
  const e = bitLength(p) - bitLength(q);
  // Choose s so that N = floor(p * 2^s / q) has exactly 53 bits; the value is N * 2^-s.
  let s = 53 - e;
  const quotient = (shift: number): [bigint, bigint] => {
    const nume = shift >= 0 ? p << BigInt(shift) : p;
    const deno = shift >= 0 ? q : q << BigInt(-shift);
    return [nume / deno, nume % deno];
  };
  let [n, r] = quotient(s);
  if (n >= TWO_53) {
    s -= 1;
    [n, r] = quotient(s);
  }
  // Below 2^-1022 the spacing of doubles is fixed at 2^-1074: keep fewer bits.
  if (s > 1074) {
    s = 1074;
    [n, r] = quotient(s);
  }
  const denominator = s >= 0 ? q : q << BigInt(-s);
  const twiceRemainder = 2n * r;
  if (twiceRemainder > denominator || (twiceRemainder === denominator && (n & 1n) === 1n)) {
    n += 1n;
    if (n === TWO_53) {
      n = TWO_52;
      s -= 1;
    }
  }
  // n < 2^53 is exact as a double and 2^-s is a power of two; the product is exact unless it overflows.
  let value: number;
  if (s > 1023) {
    // 2^-s may be subnormal: scale in two exact steps.
    value = Number(n) * 2 ** -1023 * 2 ** (1023 - s);
  } else {
    value = Number(n) * 2 ** -s;
  }
  return negative ? -value : value;
}

/** The double nearest to a coefficient's exact value (correctly rounded, for any number of digits). */
export function coefficientToNumber(text: Coefficient): number {
  return rationalToNumber(parseCoefficient(text));
}

/** Exact weights of a method: the propagated b and, for adaptive methods, b̂ and e = b - b̂. */
export interface ExactWeights {
  readonly b: readonly Rational[];
  readonly bHat?: readonly Rational[];
  readonly e?: readonly Rational[];
}

export function exactWeights(method: Method): ExactWeights {
  const b = method.b.map(parseCoefficient);
  const est = method.errorEstimate;
  if (est === undefined) return { b };
  if ('bHat' in est) {
    const bHat = est.bHat.map(parseCoefficient);
    return { b, bHat, e: b.map((bj, j) => sub(bj, bHat[j] ?? ZERO)) };
  }
  const e = est.errorWeights.map(parseCoefficient);
  return { b, e, bHat: b.map((bj, j) => sub(bj, e[j] ?? ZERO)) };
}

function requireEstimate(method: Method): ExactWeights & { bHat: readonly Rational[]; e: readonly Rational[] } {
  const w = exactWeights(method);
  if (w.e === undefined || w.bHat === undefined) {
    throw new Error(`method '${method.name}' is a fixed-step method: it has no error estimate`);
  }
  return w as ExactWeights & { bHat: readonly Rational[]; e: readonly Rational[] };
}

/** Exact error weights e = b - b̂ (one per stage). Throws for fixed-step methods. */
export function exactErrorWeights(method: Method): readonly Rational[] {
  return requireEstimate(method).e;
}

/** Exact embedded weights b̂ = b - e (one per stage). Throws for fixed-step methods. */
export function exactEmbeddedWeights(method: Method): readonly Rational[] {
  return requireEstimate(method).bHat;
}

/** Error weights e_j = b_j - b̂_j as doubles, each rounded once from the exact difference. */
export function errorWeights(method: Method): number[] {
  return exactErrorWeights(method).map(rationalToNumber);
}

/** Embedded weights b̂_j as doubles, each rounded once from its exact value. */
export function embeddedWeights(method: Method): number[] {
  return exactEmbeddedWeights(method).map(rationalToNumber);
}
