/**
 * Binary fixed-point numbers (a bigint X standing for X / 2^240, about 72 decimal digits) for the
 * convergence tests: a 14th-order method needs errors down to ~1e-45 before its observed order settles,
 * far below double (and double-double) rounding. Products and quotients truncate; at 2^-240 per
 * operation the arithmetic error stays far below every error measured.
 */
import type { Rational } from '../../src/methods/exact.ts';

export type Fixed = bigint;

export const BITS = 240n;
export const FX_ONE: Fixed = 1n << BITS;

export function fxFromRational(r: Rational): Fixed {
  return (r.num << BITS) / r.den;
}

export function fxFromInt(n: number | bigint): Fixed {
  return BigInt(n) << BITS;
}

export function fxMul(x: Fixed, y: Fixed): Fixed {
  return (x * y) >> BITS;
}

export function fxDiv(x: Fixed, y: Fixed): Fixed {
  return (x << BITS) / y;
}

/** Square root of a non-negative fixed-point number (integer Newton iteration from a double guess). */
export function fxSqrt(x: Fixed): Fixed {
  if (x <= 0n) return 0n;
  const n = x << BITS; // sqrt(n) = sqrt(x) * 2^BITS
  let r = BigInt(Math.floor(Math.sqrt(fxToNumber(x)) * 2 ** 52)) << (BITS - 52n);
  if (r <= 0n) r = 1n;
  for (;;) {
    const next = (r + n / r) >> 1n;
    const d = next - r;
    r = next;
    if (d >= -1n && d <= 1n) return r;
  }
}

/** The double nearest (to double precision) to a fixed-point number, for reporting sizes of errors. */
export function fxToNumber(x: Fixed): number {
  return Number(x) * 2 ** -Number(BITS);
}

/** sin and cos by their Taylor series (|x| <= 4). */
export function fxSinCos(x: Fixed): [Fixed, Fixed] {
  const x2 = fxMul(x, x);
  let sin = x;
  let cos = FX_ONE;
  let termSin = x;
  let termCos = FX_ONE;
  for (let k = 1n; k < 60n; k++) {
    termSin = -fxMul(termSin, x2) / (2n * k * (2n * k + 1n));
    termCos = -fxMul(termCos, x2) / ((2n * k - 1n) * (2n * k));
    sin += termSin;
    cos += termCos;
  }
  return [sin, cos];
}
