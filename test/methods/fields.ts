/** Arithmetic for the order-condition checks: exact rationals, and BigInt fixed point for decimal tableaus. */
import { add, mul, ONE, type Rational, rational, sub, ZERO } from '../../src/methods/exact.ts';
import type { Field } from './rooted-trees.ts';

export const RATIONAL_FIELD: Field<Rational> = {
  zero: ZERO,
  one: ONE,
  add,
  sub,
  mul,
  reciprocal: (n) => rational(1n, n),
  isZero: (x) => x.num === 0n,
};

/** Fixed-point numbers x * 10^-DIGITS held in a bigint; products are rounded toward zero. */
export const FIXED_DIGITS = 100;
const SCALE = 10n ** BigInt(FIXED_DIGITS);

export const FIXED_FIELD: Field<bigint> = {
  zero: 0n,
  one: SCALE,
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => (x * y) / SCALE,
  reciprocal: (n) => SCALE / n,
  isZero: (x) => x === 0n,
};

/** A rational as a fixed-point number (rounded toward zero). */
export function toFixed(x: Rational): bigint {
  return (x.num * SCALE) / x.den;
}

/** A fixed-point number as a double (for reporting the size of a residual). */
export function fixedToNumber(x: bigint): number {
  const neg = x < 0n;
  const m = neg ? -x : x;
  const digits = m.toString();
  const value = Number(`${digits}e-${FIXED_DIGITS}`);
  return neg ? -value : value;
}
