/**
 * Stiff methods' coefficients as doubles, each rounded once from its exact value — rationals, long decimals
 * and elements a + b√d of Q(√d) alike (what the code generators inline).
 */
import { add, mul, parseCoefficient, type Rational, rational, rationalToNumber, sub } from './exact.ts';
import type { ExactCoefficient, RosenbrockMethod } from './implicit/types.ts';

/** Bits of √d kept before rounding: far beyond a double's 53, so a + b√d rounds as its exact value would. */
const SQRT_BITS = 256n;

/** ⌊√x⌋ for a non-negative BigInt (Newton's iteration on integers). */
function isqrt(x: bigint): bigint {
  if (x < 2n) return x;
  let r = BigInt(Math.floor(Math.sqrt(Number(x))));
  // Newton from a float start: a few iterations reach ⌊√x⌋; then fix the last unit.
  for (;;) {
    const next = (r + x / r) >> 1n;
    if (next >= r && next - r <= 1n) break;
    r = next;
  }
  while (r * r > x) r -= 1n;
  while ((r + 1n) * (r + 1n) <= x) r += 1n;
  return r;
}

/** √d to SQRT_BITS bits below the point, as a rational (error below 2^-256). */
function sqrtRational(d: number): Rational {
  const scale = 1n << SQRT_BITS;
  return rational(isqrt(BigInt(d) * scale * scale), scale);
}

/** An exact coefficient as a rational: exactly, or (a surd) within 2^-256·|b| of its value. */
export function exactCoefficientToRational(x: ExactCoefficient): Rational {
  if (typeof x === 'string') return parseCoefficient(x);
  return add(parseCoefficient(x.rational), mul(parseCoefficient(x.irrational), sqrtRational(x.radicand)));
}

/** The double nearest to an exact coefficient. */
export function exactCoefficientToNumber(x: ExactCoefficient): number {
  return rationalToNumber(exactCoefficientToRational(x));
}

/** A Rosenbrock method in the transformed form (see RosenbrockMethod), as doubles. */
export interface NumericRosenbrock {
  readonly gamma: number;
  /** a[i][j], j < i. */
  readonly a: readonly (readonly number[])[];
  /** C[i][j], j < i. */
  readonly C: readonly (readonly number[])[];
  readonly c: readonly number[];
  readonly d: readonly number[];
  readonly m: readonly number[];
  /** m_j − m̂_j, rounded once from the exact difference; absent for a fixed-step method. */
  readonly errorWeights?: readonly number[];
  readonly errorOrder: number;
  /** The continuous extension's H (rows k_j = Σ_i H_ji u_i, s entries each); empty: none (cubic Hermite). */
  readonly denseRows: readonly (readonly number[])[];
  /** Order of the continuous extension; 0 without one. */
  readonly denseOrder: number;
}

const cache = new WeakMap<RosenbrockMethod, NumericRosenbrock>();

export function numericRosenbrock(method: RosenbrockMethod): NumericRosenbrock {
  let out = cache.get(method);
  if (out !== undefined) return out;
  const num = exactCoefficientToNumber;
  const est = method.errorEstimate;
  out = {
    gamma: num(method.gamma),
    a: method.a.map((row) => row.map(num)),
    C: method.C.map((row) => row.map(num)),
    c: method.c.map(num),
    d: method.d.map(num),
    m: method.m.map(num),
    errorWeights: est
      ? method.m.map((mj, j) =>
          rationalToNumber(sub(exactCoefficientToRational(mj), exactCoefficientToRational(est.mHat[j]!))),
        )
      : undefined,
    errorOrder: est?.order ?? 0,
    denseRows: method.dense?.H.map((row) => row.map(num)) ?? [],
    denseOrder: method.dense?.order ?? 0,
  };
  cache.set(method, out);
  return out;
}
