/**
 * Double-double arithmetic (about 106 bits, ~32 digits) for the convergence tests: high-order methods
 * (RK1412's 14th order) need errors far below double rounding to show their order over several step
 * halvings. Values are pairs [hi, lo] with |lo| <= ulp(hi)/2. Dekker's splitting, no FMA needed.
 */
import { type Rational, rationalToNumber, sub } from '../../src/methods/exact.ts';

export type DD = readonly [number, number];

const SPLITTER = 134217729; // 2^27 + 1

function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

function quickTwoSum(a: number, b: number): [number, number] {
  const s = a + b;
  return [s, b - (s - a)];
}

function split(a: number): [number, number] {
  const c = SPLITTER * a;
  const hi = c - (c - a);
  return [hi, a - hi];
}

function twoProd(a: number, b: number): [number, number] {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

export const DD_ZERO: DD = [0, 0];

export function dd(x: number): DD {
  return [x, 0];
}

export function ddAdd(x: DD, y: DD): DD {
  const [s1, s2] = twoSum(x[0], y[0]);
  const [t1, t2] = twoSum(x[1], y[1]);
  const [u1, u2] = quickTwoSum(s1, s2 + t1);
  return quickTwoSum(u1, u2 + t2);
}

export function ddNeg(x: DD): DD {
  return [-x[0], -x[1]];
}

export function ddSub(x: DD, y: DD): DD {
  return ddAdd(x, ddNeg(y));
}

export function ddMul(x: DD, y: DD): DD {
  const [p, e] = twoProd(x[0], y[0]);
  return quickTwoSum(p, e + (x[0] * y[1] + x[1] * y[0]));
}

export function ddToNumber(x: DD): number {
  return x[0] + x[1];
}

/** The double-double nearest (to ~2^-106 relative) to an exact rational. */
export function ddFromRational(r: Rational): DD {
  const hi = rationalToNumber(r);
  if (!Number.isFinite(hi)) return [hi, 0];
  const lo = rationalToNumber(sub(r, exactDouble(hi)));
  return [hi, lo];
}

/** A finite double as an exact rational. */
export function exactDouble(x: number): Rational {
  if (x === 0) return { num: 0n, den: 1n };
  // Every finite double is m * 2^k with integer m, |m| < 2^53.
  let k = 0;
  let m = x;
  while (!Number.isInteger(m)) {
    m *= 2;
    k++;
  }
  const num = BigInt(m);
  const den = 1n << BigInt(k);
  let n = num;
  let d = den;
  while ((n & 1n) === 0n && d > 1n) {
    n >>= 1n;
    d >>= 1n;
  }
  return { num: n, den: d };
}

export function ddDiv(x: DD, y: DD): DD {
  const q1 = x[0] / y[0];
  let r = ddSub(x, ddMul(y, [q1, 0]));
  const q2 = r[0] / y[0];
  r = ddSub(r, ddMul(y, [q2, 0]));
  const q3 = r[0] / y[0];
  return ddAdd(quickTwoSum(q1, q2), [q3, 0]);
}

/** Square root of a positive double-double: one Newton step from the double square root. */
export function ddSqrt(x: DD): DD {
  const s = Math.sqrt(x[0]);
  if (s === 0) return DD_ZERO;
  const r = ddSub(x, ddMul([s, 0], [s, 0]));
  return ddAdd([s, 0], [r[0] / (2 * s), 0]);
}
